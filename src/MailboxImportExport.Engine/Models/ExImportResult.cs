using MailboxImportExport.Engine.Transfer;

namespace MailboxImportExport.Engine.Models;

/// <summary>An imported item: where it came from and what it is now called in the target mailbox.</summary>
public sealed class ExImportResult
{
    public string? SourceMailboxId { get; internal set; }
    public string? SourceFolderId { get; internal set; }
    public string? SourceItemId { get; internal set; }
    public string TargetMailboxId { get; internal set; } = "";
    public string TargetFolderId { get; internal set; } = "";
    /// <summary>The item's id in the target mailbox (unchanged by an update).</summary>
    public string ItemId { get; internal set; } = "";
    /// <summary>The item's new version.</summary>
    public string? ChangeKey { get; internal set; }
    public ImportMode Mode { get; internal set; }
    /// <summary>Bytes of the imported stream.</summary>
    public long Size { get; internal set; }
    public string? Subject { get; internal set; }

    public override string ToString() => $"{Mode} '{Subject}' {ItemId}";
}
