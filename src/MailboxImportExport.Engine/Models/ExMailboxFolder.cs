namespace MailboxImportExport.Engine.Models;

/// <summary>A folder of a mailbox, with its path from the top of the information store (e.g. <c>/Inbox/Projects</c>).</summary>
public sealed class ExMailboxFolder
{
    public string MailboxId { get; internal set; } = "";
    public string Id { get; internal set; } = "";
    public string? ParentFolderId { get; internal set; }
    public string DisplayName { get; internal set; } = "";
    /// <summary>Slash-separated display names from the root; a '/' inside a name is written as '\/'. Empty when unknown.</summary>
    public string Path { get; internal set; } = "";
    /// <summary>1 for folders directly under the root.</summary>
    public int Depth { get; internal set; }
    /// <summary>The folder class, e.g. <c>IPF.Note</c> or <c>IPF.Appointment</c>.</summary>
    public string? Type { get; internal set; }
    /// <summary>Locale-independent name of an Outlook folder (<c>inbox</c>, <c>sentitems</c> …); empty for user folders.</summary>
    public string? WellKnownName { get; internal set; }
    public int ChildFolderCount { get; internal set; }
    public int TotalItemCount { get; internal set; }
    /// <summary>Set on delta results for folders that were deleted since the delta token was issued.</summary>
    public bool IsRemoved { get; internal set; }

    public override string ToString() => string.IsNullOrEmpty(Path) ? DisplayName : Path;
}
