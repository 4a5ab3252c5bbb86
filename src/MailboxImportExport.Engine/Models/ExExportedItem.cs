using MailboxImportExport.Engine.Diagnostics;
using MailboxImportExport.Fts;
using MailboxImportExport.Engine.Transfer;

namespace MailboxImportExport.Engine.Models;

/// <summary>
/// An exported item: where it came from, its full-fidelity stream (<see cref="Data"/>), and what a person needs to
/// recognise it, read from the stream. When the stream cannot be read those fields stay empty; the item still
/// exports and imports unchanged.
/// </summary>
public sealed class ExExportedItem
{
    public string SourceMailboxId { get; internal set; } = "";
    public string? SourceFolderId { get; internal set; }
    /// <summary>The source folder's path, e.g. <c>/Inbox/Projects</c>; empty when unknown.</summary>
    public string? SourceFolderPath { get; internal set; }
    public string ItemId { get; internal set; } = "";
    /// <summary>The item's version at export time.</summary>
    public string? ChangeKey { get; internal set; }
    /// <summary>The message class Graph listed for the item, else the one read from the stream.</summary>
    public string? Type { get; internal set; }
    /// <summary>The item's size as Graph listed it; the stream's length when that is unknown.</summary>
    public long Size { get; internal set; }
    public string? Subject { get; internal set; }
    /// <summary>The message class written in the stream.</summary>
    public string? MessageClass { get; internal set; }
    public string? SenderName { get; internal set; }
    public string? SenderAddress { get; internal set; }
    public DateTimeOffset? SentDateTime { get; internal set; }
    public DateTimeOffset? ReceivedDateTime { get; internal set; }
    public int? AttachmentCount { get; internal set; }
    /// <summary>The exported stream, ready to import.</summary>
    public FtsData Data { get; internal set; } = null!;

    public override string ToString() => $"{Type} '{Subject}' {ItemId}";

    /// <summary>Builds an item from a fresh export, reading the summary from the stream without loading it.</summary>
    internal static ExExportedItem FromExport(ExportRequest request, string? changeKey, FtsData data)
    {
        var item = new ExExportedItem
        {
            SourceMailboxId = request.MailboxId,
            SourceFolderId = request.FolderId,
            SourceFolderPath = request.FolderPath,
            ItemId = request.ItemId,
            ChangeKey = changeKey ?? request.ChangeKey,
            Size = request.Size is long size and > 0 ? size : data.Length,
            Data = data,
        };
        FtsSummary? summary;
        string? problem;
        try
        {
            using var stream = data.OpenRead();
            summary = FtsReader.TryReadSummary(stream, out problem);
        }
        catch (Exception e)
        {
            // The summary only helps a person recognise the item; whatever goes wrong reading it, the item still
            // exports unchanged (the reader is tolerant by design, so this is a bug or an unreadable temp file).
            summary = null;
            problem = $"{e.GetType().Name}: {e.Message}";
        }
        if (problem is not null)
            EngineLog.Verbose($"Item {request.ItemId} of mailbox {request.MailboxId} exported, but its stream could not be fully read ({problem}); it is kept unchanged{(summary is null ? ", without subject or sender" : "")}.");
        if (summary is not null)
        {
            item.Subject = summary.Subject;
            item.MessageClass = summary.MessageClass;
            item.SenderName = summary.SenderName;
            item.SenderAddress = summary.SenderAddress;
            item.SentDateTime = Utc(summary.ClientSubmitTime);
            item.ReceivedDateTime = Utc(summary.MessageDeliveryTime);
            item.AttachmentCount = summary.AttachmentCount;
        }
        item.Type = request.Type ?? summary?.MessageClass;
        return item;
    }

    private static DateTimeOffset? Utc(DateTime? value) =>
        value is { } time ? new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)) : null;
}
