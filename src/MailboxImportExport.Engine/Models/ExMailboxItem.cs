namespace MailboxImportExport.Engine.Models;

/// <summary>An item of a mailbox folder, carrying what Export-ExMailboxItem binds to by property name.</summary>
public sealed class ExMailboxItem
{
    public string MailboxId { get; internal set; } = "";
    public string FolderId { get; internal set; } = "";
    /// <summary>The folder's path when the item was listed from a folder object; empty when unknown.</summary>
    public string? FolderPath { get; internal set; }
    public string Id { get; internal set; } = "";
    public string? ChangeKey { get; internal set; }
    /// <summary>The message class, e.g. <c>IPM.Note</c>.</summary>
    public string? Type { get; internal set; }
    public long Size { get; internal set; }
    public DateTimeOffset? CreatedDateTime { get; internal set; }
    public DateTimeOffset? LastModifiedDateTime { get; internal set; }
    public IReadOnlyList<string> Categories { get; internal set; } = Array.Empty<string>();
    /// <summary>The subject (PidTagSubject), read with the listing; empty in delta results.</summary>
    public string? Subject { get; internal set; }
    /// <summary>The sender's display name (PidTagSenderName).</summary>
    public string? SenderName { get; internal set; }
    /// <summary>The sender's SMTP address (PidTagSenderSmtpAddress).</summary>
    public string? SenderAddress { get; internal set; }
    /// <summary>When the item arrived in a mailbox (PidTagMessageDeliveryTime), UTC; empty for items that were never delivered, such as drafts.</summary>
    public DateTimeOffset? ReceivedDateTime { get; internal set; }
    /// <summary>Set on delta results for items that were deleted since the delta token was issued.</summary>
    public bool IsRemoved { get; internal set; }

    public override string ToString() => Subject is null ? $"{Type} {Id}" : $"{Type} '{Subject}' {Id}";
}
