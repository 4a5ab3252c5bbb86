namespace MailboxImportExport.Engine.Models;

/// <summary>Which kind of Outlook item an attachment goes to: the endpoints differ (messages or events).</summary>
public enum ExItemKind
{
    Message,
    Event,
}

/// <summary>An attachment added to a message or event: what <c>Add-ExMailboxItemAttachment</c> emits.</summary>
public sealed class ExAttachment
{
    public string UserId { get; internal set; } = "";
    public ExItemKind ItemKind { get; internal set; }
    public string ItemId { get; internal set; } = "";
    /// <summary>The attachment's id, as the service gave it.</summary>
    public string Id { get; internal set; } = "";
    public string Name { get; internal set; } = "";
    public long Size { get; internal set; }
    public string? ContentType { get; internal set; }
    public bool IsInline { get; internal set; }
    public string? ContentId { get; internal set; }
    /// <summary>True when the bytes went through an upload session (3 MB and more), false for a single POST.</summary>
    public bool UploadedInChunks { get; internal set; }

    public override string ToString() => $"{Name} ({Size:N0} bytes) on {ItemKind.ToString().ToLowerInvariant()} {ItemId}";
}
