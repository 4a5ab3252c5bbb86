namespace MailboxImportExport.Emulator.Storage;

internal sealed record UserRecord(string ObjectId, string UserPrincipalName, string DisplayName);

internal sealed record MailboxRecord(string Id, string UserObjectId, bool IsArchive);

/// <summary>A folder with its counts as the store computes them on every read, so they cannot drift.</summary>
internal sealed record FolderRecord(
    string Id,
    string MailboxId,
    string? ParentId,
    string DisplayName,
    string Type,
    string? WellKnownName,
    long Position,
    int ChildFolderCount,
    int TotalItemCount);

/// <summary>An item's metadata; the blob is read separately so listings never load it.</summary>
internal sealed record ItemRecord(
    string Id,
    string MailboxId,
    string FolderId,
    string ChangeKey,
    string Type,
    long Size,
    DateTimeOffset Created,
    DateTimeOffset LastModified);

/// <summary>What a delta round reports for one entity that changed inside its window.</summary>
internal sealed record ChangedEntity(string EntityId, IReadOnlyList<string?> Containers);

internal enum ChangeKind
{
    Folder,
    Item,
}

/// <summary>A folder to create (its counts start at zero, so they are not part of it).</summary>
internal sealed record NewFolder(string Id, string MailboxId, string? ParentId, string DisplayName, string Type, string? WellKnownName);

/// <summary>
/// A complete data set for <see cref="MailboxStore.Seed"/>: items with their blob, and items whose blob is generated
/// from a recipe when read.
/// </summary>
internal sealed record SeedData(
    IReadOnlyList<UserRecord> Users,
    IReadOnlyList<MailboxRecord> Mailboxes,
    IReadOnlyList<NewFolder> Folders,
    IReadOnlyList<(ItemRecord Item, byte[] Data)> Items)
{
    public IReadOnlyList<(ItemRecord Item, long Recipe)> GeneratedItems { get; init; } = Array.Empty<(ItemRecord, long)>();
}
