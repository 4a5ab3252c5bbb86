using MailboxImportExport.Engine.Models;

namespace MailboxImportExport.Engine.Transfer;

public enum ImportMode
{
    /// <summary>Creates a new item in the target folder.</summary>
    Create,
    /// <summary>Overwrites an existing item, named by its ItemId and current ChangeKey.</summary>
    Update,
}

/// <summary>One item to import. The mode rules are checked before anything is sent (see <see cref="Validate"/>).</summary>
public sealed class ImportRequest
{
    public ImportRequest(string targetMailboxId, string targetFolderId, FtsData data)
    {
        TargetMailboxId = targetMailboxId;
        TargetFolderId = targetFolderId;
        Data = data;
    }

    public string TargetMailboxId { get; }
    public string TargetFolderId { get; }
    public FtsData Data { get; }
    public ImportMode Mode { get; init; } = ImportMode.Create;
    /// <summary>The item to overwrite (Update only).</summary>
    public string? ItemId { get; init; }
    /// <summary>The current version of the item to overwrite (Update only).</summary>
    public string? ChangeKey { get; init; }
    /// <summary>A session to use instead of the service's cached one; it must belong to the target mailbox.</summary>
    public ExImportSession? Session { get; init; }

    // Where the item came from, carried into the result.
    public string? SourceMailboxId { get; init; }
    public string? SourceFolderId { get; init; }
    public string? SourceItemId { get; init; }
    public string? Subject { get; init; }

    /// <summary>A Create request for an exported item, carrying its origin into the result.</summary>
    public static ImportRequest For(ExExportedItem item, string targetMailboxId, string targetFolderId)
    {
        if (item is null) throw new ArgumentNullException(nameof(item));
        return new ImportRequest(targetMailboxId, targetFolderId, item.Data)
        {
            SourceMailboxId = item.SourceMailboxId,
            SourceFolderId = item.SourceFolderId,
            SourceItemId = item.ItemId,
            Subject = item.Subject,
        };
    }

    /// <summary>Checks what the import URL would reject, and says how to fix it.</summary>
    /// <exception cref="ArgumentException">The request breaks a rule.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(TargetMailboxId))
            throw new ArgumentException("The target mailbox id is empty: name the mailbox to import into.", nameof(TargetMailboxId));
        if (string.IsNullOrWhiteSpace(TargetFolderId))
            throw new ArgumentException("The target folder id is empty: every import names the folder the item goes into (a folder id or a well-known name such as 'inbox').", nameof(TargetFolderId));
        if (Data is null)
            throw new ArgumentException("The request has no item data.", nameof(Data));
        if (Data.Length == 0)
            throw new ArgumentException("The item data is empty: it is not an exported item.", nameof(Data));
        var hasItemId = !string.IsNullOrEmpty(ItemId);
        var hasChangeKey = !string.IsNullOrEmpty(ChangeKey);
        if (Mode == ImportMode.Create && (hasItemId || hasChangeKey))
            throw new ArgumentException(
                $"Mode Create makes a new item, so it must not name an existing one, but {Fields(hasItemId, hasChangeKey)} given. " +
                "Leave them out to create a copy, or use Mode Update to overwrite that item.", nameof(Mode));
        if (Mode == ImportMode.Update && !(hasItemId && hasChangeKey))
            throw new ArgumentException(
                $"Mode Update overwrites an existing item and needs both its ItemId and its current ChangeKey, but no {Fields(!hasItemId, !hasChangeKey)} given. " +
                "Take them from the item in the target mailbox (Get-ExMailboxItem), or use Mode Create to add a new item.", nameof(Mode));
        if (Session is not null && !string.Equals(Session.MailboxId, TargetMailboxId, StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"The import session belongs to mailbox {Session.MailboxId}, not to the target mailbox {TargetMailboxId}: a session imports into its own mailbox only.", nameof(Session));
    }

    private static string Fields(bool itemId, bool changeKey) =>
        itemId && changeKey ? "ItemId and ChangeKey were" : itemId ? "ItemId was" : "ChangeKey was";

    public override string ToString() => $"{Mode} into folder {TargetFolderId} of {TargetMailboxId}";
}
