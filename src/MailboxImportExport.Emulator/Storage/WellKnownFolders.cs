namespace MailboxImportExport.Emulator.Storage;

/// <summary>
/// The distinguished folders every emulated mailbox has, and the names that stand for them wherever a folder id goes.
/// The hidden root (no well-known name) holds msgfolderroot and recoverableitemsdeletions, as in Exchange, where the
/// recoverable items live outside the IPM subtree that the folder listing shows.
/// </summary>
internal static class WellKnownFolders
{
    public const string MsgFolderRoot = "msgfolderroot";
    public const string RecoverableItemsDeletions = "recoverableitemsdeletions";

    public sealed record Definition(string Name, string DisplayName, string Type, bool UnderMessageRoot);

    public static IReadOnlyList<Definition> All { get; } = new Definition[]
    {
        new(MsgFolderRoot, "Top of Information Store", "IPF.Note", false),
        new("inbox", "Inbox", "IPF.Note", true),
        new("sentitems", "Sent Items", "IPF.Note", true),
        new("drafts", "Drafts", "IPF.Note", true),
        new("deleteditems", "Deleted Items", "IPF.Note", true),
        new("junkemail", "Junk Email", "IPF.Note", true),
        new("outbox", "Outbox", "IPF.Note", true),
        new("archive", "Archive", "IPF.Note", true),
        new("calendar", "Calendar", "IPF.Appointment", true),
        new("contacts", "Contacts", "IPF.Contact", true),
        new("tasks", "Tasks", "IPF.Task", true),
        new(RecoverableItemsDeletions, "Deletions", "IPF.Note", false),
    };

    public static bool IsWellKnownName(string candidate) =>
        All.Any(d => string.Equals(d.Name, candidate, StringComparison.OrdinalIgnoreCase));

    /// <summary>The folders to create for a new mailbox: the hidden root first, then the distinguished folders.</summary>
    public static IEnumerable<NewFolder> CreateFor(string mailboxId, IdFactory ids)
    {
        var rootId = ids.NewFolderId();
        yield return new NewFolder(rootId, mailboxId, null, "Root", "IPF.Note", null);
        string? messageRootId = null;
        foreach (var definition in All)
        {
            var id = ids.NewFolderId();
            messageRootId ??= id; // msgfolderroot comes first in All
            yield return new NewFolder(id, mailboxId, definition.UnderMessageRoot ? messageRootId : rootId,
                definition.DisplayName, definition.Type, definition.Name);
        }
    }
}
