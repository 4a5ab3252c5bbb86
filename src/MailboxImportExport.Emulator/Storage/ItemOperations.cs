using System.Security.Cryptography;
using MailboxImportExport.Fts;

namespace MailboxImportExport.Emulator.Storage;

/// <summary>
/// The item changes both the API (import, delete) and the test hooks make, so each gets the same bookkeeping:
/// a new changeKey on every change, lastModifiedDateTime, and an item type and size taken from the blob.
/// </summary>
internal sealed class ItemOperations
{
    private const string DefaultMessageClass = "IPM.Note";

    private readonly MailboxStore _store;
    private readonly IdFactory _ids;
    private readonly TimeProvider _clock;

    public ItemOperations(MailboxStore store, IdFactory ids, TimeProvider clock)
    {
        _store = store;
        _ids = ids;
        _clock = clock;
    }

    /// <summary>Stores exactly <paramref name="data"/> as a new item; its type is the blob's message class unless given.</summary>
    public ItemRecord Create(FolderRecord folder, byte[] data, string? messageClass = null, DateTimeOffset? created = null)
    {
        var now = _clock.GetUtcNow();
        var item = new ItemRecord(_ids.NewItemId(), folder.MailboxId, folder.Id, _ids.NewChangeKey(),
            messageClass ?? MessageClassOf(data), data.Length, Truncate(created ?? now), Truncate(now));
        _store.AddItem(item, data);
        return item;
    }

    /// <summary>
    /// A create-mode import: a new item from the posted blob, its createdDateTime and search key as the store
    /// semantics say (the blob is stored as posted unless the search key is regenerated).
    /// </summary>
    public ItemRecord Import(FolderRecord folder, byte[] data, ImportedCreatedDateTime createdDateTime, ImportedSearchKey searchKey)
    {
        var created = createdDateTime == ImportedCreatedDateTime.Source ? ItemBlobProperties.CreationTime(data) : null;
        if (searchKey == ImportedSearchKey.Regenerated && ItemBlobProperties.SearchKey(data) is { } streamed)
        {
            data = ItemBlobProperties.WithSearchKey(data, RandomNumberGenerator.GetBytes(streamed.Length));
        }
        return Create(folder, data, created: created);
    }

    /// <summary>An update-mode import: the item's content replaced; with regenerated search keys it keeps its own.</summary>
    public ItemRecord ImportOver(ItemRecord item, byte[] data, ImportedSearchKey searchKey)
    {
        if (searchKey == ImportedSearchKey.Regenerated
            && _store.GetItemWithData(item.MailboxId, item.Id) is { } current && ItemBlobProperties.SearchKey(current.Data) is { } own)
        {
            data = ItemBlobProperties.WithSearchKey(data, own);
        }
        return Replace(item, data);
    }

    /// <summary>Replaces the item's content: same id and createdDateTime, new changeKey.</summary>
    private ItemRecord Replace(ItemRecord item, byte[] data)
    {
        var updated = item with
        {
            ChangeKey = _ids.NewChangeKey(),
            Type = MessageClassOf(data),
            Size = data.Length,
            LastModified = Truncate(_clock.GetUtcNow()),
        };
        _store.UpdateItem(updated, data);
        return updated;
    }

    /// <summary>Marks the item modified without changing its content, as a property change in Outlook would.</summary>
    public ItemRecord Touch(ItemRecord item)
    {
        var updated = item with { ChangeKey = _ids.NewChangeKey(), LastModified = Truncate(_clock.GetUtcNow()) };
        _store.UpdateItem(updated, null);
        return updated;
    }

    /// <summary>softDelete moves the item to Recoverable Items\Deletions (and purges it from there); hardDelete purges it.</summary>
    public void Delete(ItemRecord item, bool soft)
    {
        var deletions = soft ? _store.GetWellKnownFolder(item.MailboxId, WellKnownFolders.RecoverableItemsDeletions) : null;
        if (deletions is null || deletions.Id == item.FolderId)
        {
            _store.DeleteItem(item);
            return;
        }
        _store.MoveItem(item, deletions.Id, _ids.NewChangeKey(), Truncate(_clock.GetUtcNow()));
    }

    private static string MessageClassOf(byte[] data) =>
        FtsReader.TryReadSummary(data, out _)?.MessageClass ?? DefaultMessageClass;

    // Graph reports item times to the second.
    private static DateTimeOffset Truncate(DateTimeOffset time) =>
        new(time.UtcTicks - time.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
}
