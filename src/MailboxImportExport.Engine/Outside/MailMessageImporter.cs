using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Serialization;
using MailboxImportExport.Engine.Attachments;
using MailboxImportExport.Engine.Diagnostics;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Models;
using MailboxImportExport.Engine.Transfer;
using MailboxImportExport.Fts;

namespace MailboxImportExport.Engine.Outside;

/// <summary>
/// Where outside mail goes: the folder and mailbox of the target, and the user whose mailbox holds the staging
/// drafts (the target's own user for primary and shared mailboxes; the owner's primary mailbox for an archive).
/// </summary>
public sealed class MailImportTarget
{
    public MailImportTarget(string targetMailboxId, string targetFolderId, string stagingUserId, string stagingMailboxId)
    {
        TargetMailboxId = targetMailboxId;
        TargetFolderId = targetFolderId;
        StagingUserId = stagingUserId;
        StagingMailboxId = stagingMailboxId;
    }

    public string TargetMailboxId { get; }
    public string TargetFolderId { get; }
    public string StagingUserId { get; }
    public string StagingMailboxId { get; }
}

/// <summary>
/// Brings a message from outside into a mailbox folder as the mail it was, the way the service allows
/// (outside-mail-notes §3): the service turns the MIME into a draft of the staging mailbox; attachments too large for
/// that request are added to the draft (upload sessions above 3 MB); the draft is exported; its stream gets the flags of
/// a received message (not unsent, read or unread) and the received time; it is imported into the target folder; the
/// draft is purged, also when a step fails.
/// </summary>
public sealed class MailMessageImporter
{
    private const int FlagRead = 0x1;
    private const int FlagSubmit = 0x4;
    private const int FlagUnsent = 0x8;

    private readonly GraphClient _graph;
    private readonly ExportService _exports;
    private readonly ImportService _imports;
    private readonly AttachmentService _attachments;

    public MailMessageImporter(GraphClient graph, ImportService imports, AttachmentService? attachments = null, ExportService? exports = null)
    {
        _graph = graph ?? throw new ArgumentNullException(nameof(graph));
        _imports = imports ?? throw new ArgumentNullException(nameof(imports));
        _attachments = attachments ?? new AttachmentService(graph);
        _exports = exports ?? new ExportService(graph);
    }

    /// <summary>How much of the MIME goes in the create request; the rest is added to the draft afterwards.</summary>
    public long MimeBudget { get; set; } = Outside.MimeBudget.DefaultBudget;

    /// <exception cref="InvalidDataException">The message cannot be brought in (an attachment above the service's limit, a body too large).</exception>
    public async Task<ExMailMessageImportResult> ImportAsync(OutsideMessage message, MailImportTarget target, CancellationToken ct)
    {
        if (message is null) throw new ArgumentNullException(nameof(message));
        if (target is null) throw new ArgumentNullException(nameof(target));
        // Everything that makes a file impossible to bring in is found here, before anything is created in the mailbox.
        var (mime, setAside) = Outside.MimeBudget.Split(message.Mime, MimeBudget, AttachmentService.MaxAttachmentSize);
        var mimeBytes = setAside.Count == 0 && message.OriginalMime is { } original ? original : Serialize(mime);

        var draftId = await CreateDraftAsync(target.StagingUserId, mimeBytes, ct).ConfigureAwait(false);
        try
        {
            foreach (var file in setAside)
            {
                var attachment = new AttachmentFile(target.StagingUserId, ExItemKind.Message, draftId, file.Name, file.Data.LongLength, file.ContentType,
                    file.IsInline, file.ContentId, SourcePath: null, SourceLastWriteUtc: null);
                await _attachments.AddAsync(attachment, () => new MemoryStream(file.Data, writable: false), resumeFile: null, progress: null, ct).ConfigureAwait(false);
            }
            using var exported = await ExportDraftAsync(target.StagingMailboxId, draftId, ct).ConfigureAwait(false);
            using var patched = Patch(exported, message);
            var result = await _imports.ImportAsync(new ImportRequest(target.TargetMailboxId, target.TargetFolderId, patched) { Subject = message.Subject }, ct)
                .ConfigureAwait(false);
            return new ExMailMessageImportResult
            {
                Path = message.Path,
                Subject = message.Subject,
                From = message.From,
                SentDateTime = message.SentDateTime,
                ReceivedDateTime = message.ReceivedDateTime,
                IsRead = message.IsRead,
                AttachmentCount = message.Mime.Attachments.Count() + message.Mime.BodyParts.Count(p => !p.IsAttachment && p.ContentId is { Length: > 0 }),
                AttachmentsAddedSeparately = setAside.Count,
                TargetMailboxId = result.TargetMailboxId,
                TargetFolderId = result.TargetFolderId,
                ItemId = result.ItemId,
                ChangeKey = result.ChangeKey,
                Size = result.Size,
            };
        }
        finally
        {
            await PurgeDraftAsync(target.StagingUserId, draftId).ConfigureAwait(false);
        }
    }

    private static byte[] Serialize(MimeKit.MimeMessage mime)
    {
        var output = new MemoryStream();
        mime.WriteTo(output);
        return output.ToArray();
    }

    /// <summary>POST /users/{id}/messages with the MIME in base64 as text/plain: the service converts it into a draft.</summary>
    private async Task<string> CreateDraftAsync(string stagingUserId, byte[] mime, CancellationToken ct)
    {
        var base64 = Encoding.ASCII.GetBytes(Convert.ToBase64String(mime));
        var draft = await _graph.PostContentAsync<MessageDto>($"{GraphPath.User(stagingUserId)}/messages", () =>
        {
            var content = new ByteArrayContent(base64);
            content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
            return content;
        }, ct).ConfigureAwait(false);
        if (string.IsNullOrEmpty(draft.Id))
            throw new GraphException(System.Net.HttpStatusCode.Created, "InvalidResponse", "The service created the staging draft but did not say its id.");
        EngineLog.Verbose($"Created staging draft {draft.Id} in the mailbox of {stagingUserId}.");
        return draft.Id!;
    }

    private async Task<FtsData> ExportDraftAsync(string stagingMailboxId, string draftId, CancellationToken ct)
    {
        var result = (await _exports.ExportBatchAsync(stagingMailboxId, new[] { draftId }, ct).ConfigureAwait(false)).Single();
        return result.Data ?? throw new GraphException(System.Net.HttpStatusCode.OK, result.ErrorCode ?? "ExportFailed",
            $"The staging draft {draftId} could not be exported from {stagingMailboxId}: {result.ErrorMessage}");
    }

    /// <summary>
    /// The draft's stream as the message it was: the unsent (and submit) flags cleared, read or unread as the file
    /// said, the received time from the file, the sent time when the draft lacks one. Fixed-size edits in place.
    /// </summary>
    private static FtsData Patch(FtsData draft, OutsideMessage message)
    {
        FtsSummary? summary;
        using (var stream = draft.OpenRead()) summary = FtsReader.TryReadSummary(stream, out _);
        var flags = (summary?.MessageFlags ?? 0) & ~(FlagUnsent | FlagSubmit | FlagRead);
        var properties = new List<FtsProperty> { FtsProperty.Int32(FtsPropertyId.MessageFlags, flags | (message.IsRead ? FlagRead : 0)) };
        if (message.ReceivedDateTime is { } received) properties.Add(FtsProperty.Time(FtsPropertyId.MessageDeliveryTime, received.UtcDateTime));
        if (summary?.ClientSubmitTime is null && message.SentDateTime is { } sent) properties.Add(FtsProperty.Time(FtsPropertyId.ClientSubmitTime, sent.UtcDateTime));

        var file = TempFile.Create();
        try
        {
            IReadOnlyList<FtsPatchKind> kinds;
            using (var output = new FileStream(file.Path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920))
                kinds = FtsPatch.Apply(draft.OpenRead, output, properties);
            if (kinds.Any(k => k != FtsPatchKind.InPlace))
                EngineLog.Verbose($"The staging draft of {message} lacked some of {string.Join(", ", properties)}: they were added to its stream, not only overwritten.");
            return FtsData.FromSpilledFile(file, new FileInfo(file.Path).Length);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>POST …/messages/{id}/permanentDelete, whatever happened before: best effort, with a warning naming the draft when it fails.</summary>
    private async Task PurgeDraftAsync(string stagingUserId, string draftId)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            await _graph.PostAsync<NoContent>($"{GraphPath.UserItem(stagingUserId, ExItemKind.Message, draftId)}/permanentDelete", null, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is GraphException or OperationCanceledException)
        {
            EngineLog.Warning($"The staging draft {draftId} in the mailbox of {stagingUserId} could not be purged ({e.Message}); delete it from Drafts.");
        }
    }

    private sealed class MessageDto
    {
        [JsonPropertyName("id")] public string? Id { get; set; }
    }
}

/// <summary>One file brought into a mailbox: where from, what it is, and the item it became.</summary>
public sealed class ExMailMessageImportResult
{
    public string Path { get; internal set; } = "";
    public string Subject { get; internal set; } = "";
    public string? From { get; internal set; }
    public DateTimeOffset? SentDateTime { get; internal set; }
    public DateTimeOffset? ReceivedDateTime { get; internal set; }
    public bool IsRead { get; internal set; }
    public int AttachmentCount { get; internal set; }
    /// <summary>Attachments too large for the create request, added to the draft afterwards (upload sessions from 3 MB).</summary>
    public int AttachmentsAddedSeparately { get; internal set; }
    public string TargetMailboxId { get; internal set; } = "";
    public string TargetFolderId { get; internal set; } = "";
    public string ItemId { get; internal set; } = "";
    public string? ChangeKey { get; internal set; }
    public long Size { get; internal set; }

    public override string ToString() => $"'{Subject}' from {Path} → item {ItemId}";
}
