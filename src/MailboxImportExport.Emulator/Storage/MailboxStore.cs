using System.Security.Cryptography;
using Microsoft.Data.Sqlite;

namespace MailboxImportExport.Emulator.Storage;

/// <summary>
/// The emulator's data: users, mailboxes, folders, items (blobs as BLOBs) and a change log whose global sequence
/// drives delta queries. SQLite through one connection kept open for the emulator's lifetime (which also keeps an
/// in-memory database alive); every call takes the lock, so the store is thread-safe and each emulator's database
/// is its own. A seeded item may have no blob but a recipe: its blob is generated, the same every time, when read
/// (a large tenant then seeds in seconds and takes no memory for its content).
/// </summary>
internal sealed class MailboxStore : IDisposable
{
    private const string FolderColumns =
        "f.id, f.mailbox_id, f.parent_id, f.display_name, f.type, f.well_known_name, f.position, " +
        "(SELECT COUNT(*) FROM folders c WHERE c.parent_id = f.id), (SELECT COUNT(*) FROM items i WHERE i.folder_id = f.id)";

    private const string ItemColumns = "id, mailbox_id, folder_id, change_key, type, size, created, last_modified";

    private readonly SqliteConnection _connection;
    private readonly object _gate = new();
    private readonly Func<long, byte[]> _generate;

    private MailboxStore(SqliteConnection connection, Func<long, byte[]> generate)
    {
        _connection = connection;
        _generate = generate;
    }

    /// <summary>
    /// Opens (creating if needed) the database: a file, or a private in-memory database when null.
    /// <paramref name="generate"/> makes the blob of an item stored as a recipe.
    /// </summary>
    public static MailboxStore Open(string? dataFile, Func<long, byte[]> generate)
    {
        var connectionString = dataFile is null
            ? new SqliteConnectionStringBuilder
            {
                DataSource = $"mailbox-emulator-{Guid.NewGuid():N}",
                Mode = SqliteOpenMode.Memory,
                Cache = SqliteCacheMode.Shared,
            }.ToString()
            : new SqliteConnectionStringBuilder { DataSource = dataFile, Mode = SqliteOpenMode.ReadWriteCreate }.ToString();
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        var store = new MailboxStore(connection, generate);
        store.CreateSchema(journalToWal: dataFile is not null);
        return store;
    }

    private void CreateSchema(bool journalToWal)
    {
        Execute((journalToWal ? "PRAGMA journal_mode=WAL;" : "") + """
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS users (object_id TEXT PRIMARY KEY COLLATE NOCASE, upn TEXT NOT NULL UNIQUE COLLATE NOCASE, display_name TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS mailboxes (id TEXT PRIMARY KEY COLLATE NOCASE, user_id TEXT NOT NULL, is_archive INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS folders (id TEXT PRIMARY KEY, mailbox_id TEXT NOT NULL, parent_id TEXT, display_name TEXT NOT NULL,
                type TEXT NOT NULL, well_known_name TEXT, position INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS folders_parent ON folders(parent_id);
            CREATE INDEX IF NOT EXISTS folders_mailbox ON folders(mailbox_id);
            CREATE TABLE IF NOT EXISTS items (id TEXT PRIMARY KEY, mailbox_id TEXT NOT NULL, folder_id TEXT NOT NULL, change_key TEXT NOT NULL,
                type TEXT NOT NULL, size INTEGER NOT NULL, created INTEGER NOT NULL, last_modified INTEGER NOT NULL, data BLOB, recipe INTEGER);
            CREATE INDEX IF NOT EXISTS items_folder ON items(folder_id);
            CREATE TABLE IF NOT EXISTS changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, mailbox_id TEXT NOT NULL, kind INTEGER NOT NULL,
                container_id TEXT, entity_id TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS changes_scope ON changes(mailbox_id, kind, seq);
            CREATE TABLE IF NOT EXISTS auxiliary_archives (id TEXT PRIMARY KEY COLLATE NOCASE, main_id TEXT NOT NULL COLLATE NOCASE);
            """);
        // Data files made before items could be generated have no recipe column (and always a blob).
        if (Convert.ToInt64(Scalar("SELECT COUNT(*) FROM pragma_table_info('items') WHERE name = 'recipe'")) == 0)
        {
            Execute("ALTER TABLE items ADD COLUMN recipe INTEGER");
        }
    }

    public void Dispose()
    {
        lock (_gate) _connection.Dispose();
    }

    /// <summary>A random secret kept with the data, so tokens signed with it survive a restart on the same file.</summary>
    public byte[] GetOrCreateSigningKey()
    {
        lock (_gate)
        {
            if (Scalar("SELECT value FROM meta WHERE key = 'signing_key'") is string existing) return Convert.FromBase64String(existing);
            var key = RandomNumberGenerator.GetBytes(32);
            Execute("INSERT INTO meta (key, value) VALUES ('signing_key', $v)", ("$v", Convert.ToBase64String(key)));
            return key;
        }
    }

    public bool HasUsers()
    {
        lock (_gate) return Convert.ToInt64(Scalar("SELECT COUNT(*) FROM users")) > 0;
    }

    // ---- seeding ----

    /// <summary>
    /// Loads a whole data set in one transaction, without change-log rows: a first delta round lists everything
    /// anyway, so seeding stays fast.
    /// </summary>
    public void Seed(SeedData data)
    {
        lock (_gate)
        {
            using var tx = _connection.BeginTransaction();
            foreach (var user in data.Users)
            {
                Execute("INSERT INTO users (object_id, upn, display_name) VALUES ($id, $upn, $name)",
                    ("$id", user.ObjectId), ("$upn", user.UserPrincipalName), ("$name", user.DisplayName));
            }
            foreach (var mailbox in data.Mailboxes)
            {
                Execute("INSERT INTO mailboxes (id, user_id, is_archive) VALUES ($id, $user, $archive)",
                    ("$id", mailbox.Id), ("$user", mailbox.UserObjectId), ("$archive", mailbox.IsArchive ? 1 : 0));
            }
            foreach (var folder in data.Folders) InsertFolder(folder);
            foreach (var (item, blob) in data.Items) InsertItem(item, blob);
            InsertGenerated(data.GeneratedItems);
            tx.Commit();
        }
    }

    /// <summary>A user by object id or user principal name, case-insensitively.</summary>
    public UserRecord? FindUser(string idOrUpn)
    {
        lock (_gate)
        {
            return QuerySingle("SELECT object_id, upn, display_name FROM users WHERE object_id = $k OR upn = $k",
                r => new UserRecord(r.GetString(0), r.GetString(1), r.GetString(2)), ("$k", idOrUpn));
        }
    }

    /// <summary>Every user, in the order they were added.</summary>
    public IReadOnlyList<UserRecord> Users()
    {
        lock (_gate) return Query("SELECT object_id, upn, display_name FROM users ORDER BY rowid", r => new UserRecord(r.GetString(0), r.GetString(1), r.GetString(2)));
    }

    public IReadOnlyList<MailboxRecord> MailboxesOf(string userObjectId)
    {
        lock (_gate)
        {
            return Query("SELECT id, user_id, is_archive FROM mailboxes WHERE user_id = $u ORDER BY is_archive",
                ReadMailbox, ("$u", userObjectId));
        }
    }

    public MailboxRecord? FindMailbox(string mailboxId)
    {
        lock (_gate) return QuerySingle("SELECT id, user_id, is_archive FROM mailboxes WHERE id = $id", ReadMailbox, ("$id", mailboxId));
    }

    private static MailboxRecord ReadMailbox(SqliteDataReader r) => new(r.GetString(0), r.GetString(1), r.GetInt64(2) != 0);

    // ---- auxiliary archives ----

    /// <summary>An archive and its auxiliary archives: the mailboxes a request to any of them may be redirected between.</summary>
    public IReadOnlyList<string> ArchiveFamilyOf(string mailboxId)
    {
        lock (_gate)
        {
            var main = Scalar("SELECT main_id FROM auxiliary_archives WHERE id = $m", ("$m", mailboxId)) as string ?? mailboxId;
            return Query("SELECT id FROM auxiliary_archives WHERE main_id = $m", r => r.GetString(0), ("$m", main)).Prepend(main).ToList();
        }
    }

    /// <summary>The auxiliary archive of an archive mailbox, created (for the same user) the first time it is asked for.</summary>
    public string AuxiliaryArchiveOf(MailboxRecord archive, Func<string> newId)
    {
        lock (_gate)
        {
            if (Scalar("SELECT id FROM auxiliary_archives WHERE main_id = $m", ("$m", archive.Id)) is string existing) return existing;
            var id = newId();
            using var tx = _connection.BeginTransaction();
            Execute("INSERT INTO mailboxes (id, user_id, is_archive) VALUES ($id, $user, 1)", ("$id", id), ("$user", archive.UserObjectId));
            Execute("INSERT INTO auxiliary_archives (id, main_id) VALUES ($id, $main)", ("$id", id), ("$main", archive.Id));
            tx.Commit();
            return id;
        }
    }

    /// <summary>Moves a folder, its subfolders and their items to another mailbox, keeping every id and the parent link.</summary>
    public void MoveFolderTree(FolderRecord folder, string mailboxId)
    {
        lock (_gate)
        {
            using var tx = _connection.BeginTransaction();
            var tree = Query("""
                WITH RECURSIVE tree(id) AS (SELECT $id UNION ALL SELECT f.id FROM folders f JOIN tree ON f.parent_id = tree.id)
                SELECT id FROM tree
                """, r => r.GetString(0), ("$id", folder.Id));
            foreach (var id in tree)
            {
                Execute("UPDATE folders SET mailbox_id = $m WHERE id = $id", ("$m", mailboxId), ("$id", id));
                Execute("UPDATE items SET mailbox_id = $m WHERE folder_id = $id", ("$m", mailboxId), ("$id", id));
            }
            tx.Commit();
        }
    }

    // ---- folders ----

    public FolderRecord? GetFolder(string mailboxId, string folderId)
    {
        lock (_gate)
        {
            return QuerySingle($"SELECT {FolderColumns} FROM folders f WHERE f.mailbox_id = $m AND f.id = $id",
                ReadFolder, ("$m", mailboxId), ("$id", folderId));
        }
    }

    /// <summary>A folder by id or by well-known name (inbox, msgfolderroot…), the two ways a request may name one.</summary>
    public FolderRecord? FindFolder(string mailboxId, string idOrWellKnownName) =>
        WellKnownFolders.IsWellKnownName(idOrWellKnownName)
            ? GetWellKnownFolder(mailboxId, idOrWellKnownName)
            : GetFolder(mailboxId, idOrWellKnownName);

    public FolderRecord? GetWellKnownFolder(string mailboxId, string wellKnownName)
    {
        lock (_gate)
        {
            return QuerySingle($"SELECT {FolderColumns} FROM folders f WHERE f.mailbox_id = $m AND f.well_known_name = $w COLLATE NOCASE",
                ReadFolder, ("$m", mailboxId), ("$w", wellKnownName));
        }
    }

    public IReadOnlyList<FolderRecord> ChildFolders(string parentId)
    {
        lock (_gate)
        {
            return Query($"SELECT {FolderColumns} FROM folders f WHERE f.parent_id = $p ORDER BY f.position", ReadFolder, ("$p", parentId));
        }
    }

    /// <summary>Every folder below <paramref name="ancestorId"/>, at any depth, parents before children.</summary>
    public IReadOnlyList<FolderRecord> DescendantFolders(string ancestorId)
    {
        lock (_gate)
        {
            return Query($"""
                WITH RECURSIVE tree(id, depth) AS (
                    SELECT id, 1 FROM folders WHERE parent_id = $a
                    UNION ALL SELECT f.id, tree.depth + 1 FROM folders f JOIN tree ON f.parent_id = tree.id)
                SELECT {FolderColumns} FROM folders f JOIN tree ON tree.id = f.id ORDER BY tree.depth, f.position
                """, ReadFolder, ("$a", ancestorId));
        }
    }

    public FolderRecord? FindChildFolderByName(string parentId, string displayName)
    {
        lock (_gate)
        {
            return QuerySingle($"SELECT {FolderColumns} FROM folders f WHERE f.parent_id = $p AND f.display_name = $n COLLATE NOCASE",
                ReadFolder, ("$p", parentId), ("$n", displayName));
        }
    }

    public void AddFolder(NewFolder folder)
    {
        lock (_gate)
        {
            using var tx = _connection.BeginTransaction();
            InsertFolder(folder);
            LogChange(folder.MailboxId, ChangeKind.Folder, folder.ParentId, folder.Id);
            tx.Commit();
        }
    }

    private void InsertFolder(NewFolder folder)
    {
        // Position keeps listings in creation order, the way Exchange lists a folder's children.
        Execute("""
            INSERT INTO folders (id, mailbox_id, parent_id, display_name, type, well_known_name, position)
            VALUES ($id, $m, $p, $n, $t, $w, (SELECT COALESCE(MAX(position), 0) + 1 FROM folders))
            """, ("$id", folder.Id), ("$m", folder.MailboxId), ("$p", folder.ParentId), ("$n", folder.DisplayName),
            ("$t", folder.Type), ("$w", folder.WellKnownName));
    }

    public void RenameFolder(FolderRecord folder, string displayName)
    {
        lock (_gate)
        {
            using var tx = _connection.BeginTransaction();
            Execute("UPDATE folders SET display_name = $n WHERE id = $id", ("$n", displayName), ("$id", folder.Id));
            LogChange(folder.MailboxId, ChangeKind.Folder, folder.ParentId, folder.Id);
            tx.Commit();
        }
    }

    /// <summary>Deletes a folder with everything below it: subfolders and items, each logged for delta.</summary>
    public void DeleteFolderTree(FolderRecord folder)
    {
        lock (_gate)
        {
            using var tx = _connection.BeginTransaction();
            var doomed = Query("""
                WITH RECURSIVE tree(id, parent_id) AS (
                    SELECT id, parent_id FROM folders WHERE id = $id
                    UNION ALL SELECT f.id, f.parent_id FROM folders f JOIN tree ON f.parent_id = tree.id)
                SELECT id, parent_id FROM tree
                """, r => (Id: r.GetString(0), ParentId: r.IsDBNull(1) ? null : r.GetString(1)), ("$id", folder.Id));
            foreach (var (id, parentId) in doomed)
            {
                var items = Query("SELECT id FROM items WHERE folder_id = $f", r => r.GetString(0), ("$f", id));
                foreach (var itemId in items) LogChange(folder.MailboxId, ChangeKind.Item, id, itemId);
                Execute("DELETE FROM items WHERE folder_id = $f", ("$f", id));
                Execute("DELETE FROM folders WHERE id = $f", ("$f", id));
                LogChange(folder.MailboxId, ChangeKind.Folder, parentId, id);
            }
            tx.Commit();
        }
    }

    private static FolderRecord ReadFolder(SqliteDataReader r) => new(
        r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetString(3), r.GetString(4),
        r.IsDBNull(5) ? null : r.GetString(5), r.GetInt64(6), r.GetInt32(7), r.GetInt32(8));

    // ---- items ----

    public IReadOnlyList<ItemRecord> ItemsIn(string folderId)
    {
        lock (_gate) return Query($"SELECT {ItemColumns} FROM items WHERE folder_id = $f", ReadItem, ("$f", folderId));
    }

    public ItemRecord? GetItem(string mailboxId, string itemId)
    {
        lock (_gate)
        {
            return QuerySingle($"SELECT {ItemColumns} FROM items WHERE mailbox_id = $m AND id = $id", ReadItem, ("$m", mailboxId), ("$id", itemId));
        }
    }

    /// <summary>An item by id in whichever mailbox holds it (for the test hooks, which are not mailbox-scoped).</summary>
    public ItemRecord? FindItem(string itemId)
    {
        lock (_gate) return QuerySingle($"SELECT {ItemColumns} FROM items WHERE id = $id", ReadItem, ("$id", itemId));
    }

    /// <summary>
    /// The item's metadata and its blob, read under one lock so they belong together (a generated blob is made after
    /// the lock is released: it depends on nothing that can change).
    /// </summary>
    public (ItemRecord Item, byte[] Data)? GetItemWithData(string mailboxId, string itemId)
    {
        (ItemRecord Item, byte[]? Data, long Recipe)? found;
        lock (_gate)
        {
            found = QuerySingle<(ItemRecord, byte[]?, long)?>(
                $"SELECT {ItemColumns}, data, recipe FROM items WHERE mailbox_id = $m AND id = $id",
                r => (ReadItem(r), r.IsDBNull(8) ? null : (byte[])r.GetValue(8), r.IsDBNull(9) ? 0 : r.GetInt64(9)),
                ("$m", mailboxId), ("$id", itemId));
        }
        return found is { } row ? (row.Item, row.Data ?? _generate(row.Recipe)) : null;
    }

    public void AddItem(ItemRecord item, byte[] data)
    {
        lock (_gate)
        {
            using var tx = _connection.BeginTransaction();
            InsertItem(item, data);
            LogChange(item.MailboxId, ChangeKind.Item, item.FolderId, item.Id);
            tx.Commit();
        }
    }

    private void InsertItem(ItemRecord item, byte[] data)
    {
        Execute($"INSERT INTO items ({ItemColumns}, data) VALUES ($id, $m, $f, $ck, $t, $s, $c, $lm, $d)",
            ("$id", item.Id), ("$m", item.MailboxId), ("$f", item.FolderId), ("$ck", item.ChangeKey), ("$t", item.Type),
            ("$s", item.Size), ("$c", item.Created.UtcTicks), ("$lm", item.LastModified.UtcTicks), ("$d", data));
    }

    /// <summary>Items whose blob is generated from a recipe when read; one prepared statement for them all.</summary>
    private void InsertGenerated(IReadOnlyList<(ItemRecord Item, long Recipe)> items)
    {
        if (items.Count == 0) return;
        using var command = Command($"INSERT INTO items ({ItemColumns}, recipe) VALUES ($id, $m, $f, $ck, $t, $s, $c, $lm, $r)",
            new (string, object?)[] { ("$id", ""), ("$m", ""), ("$f", ""), ("$ck", ""), ("$t", ""), ("$s", 0L), ("$c", 0L), ("$lm", 0L), ("$r", 0L) });
        command.Prepare();
        var p = command.Parameters;
        foreach (var (item, recipe) in items)
        {
            p["$id"].Value = item.Id;
            p["$m"].Value = item.MailboxId;
            p["$f"].Value = item.FolderId;
            p["$ck"].Value = item.ChangeKey;
            p["$t"].Value = item.Type;
            p["$s"].Value = item.Size;
            p["$c"].Value = item.Created.UtcTicks;
            p["$lm"].Value = item.LastModified.UtcTicks;
            p["$r"].Value = recipe;
            command.ExecuteNonQuery();
        }
    }

    /// <summary>Replaces an item's content and version; null data keeps the blob (a touch).</summary>
    public void UpdateItem(ItemRecord item, byte[]? data)
    {
        lock (_gate)
        {
            using var tx = _connection.BeginTransaction();
            Execute("""
                UPDATE items SET change_key = $ck, type = $t, size = $s, last_modified = $lm, data = COALESCE($d, data),
                    recipe = CASE WHEN $d IS NULL THEN recipe END WHERE id = $id
                """, ("$ck", item.ChangeKey), ("$t", item.Type), ("$s", item.Size), ("$lm", item.LastModified.UtcTicks),
                ("$d", (object?)data ?? DBNull.Value), ("$id", item.Id));
            LogChange(item.MailboxId, ChangeKind.Item, item.FolderId, item.Id);
            tx.Commit();
        }
    }

    public void MoveItem(ItemRecord item, string targetFolderId, string changeKey, DateTimeOffset when)
    {
        lock (_gate)
        {
            using var tx = _connection.BeginTransaction();
            Execute("UPDATE items SET folder_id = $f, change_key = $ck, last_modified = $lm WHERE id = $id",
                ("$f", targetFolderId), ("$ck", changeKey), ("$lm", when.UtcTicks), ("$id", item.Id));
            LogChange(item.MailboxId, ChangeKind.Item, item.FolderId, item.Id);
            LogChange(item.MailboxId, ChangeKind.Item, targetFolderId, item.Id);
            tx.Commit();
        }
    }

    public void DeleteItem(ItemRecord item)
    {
        lock (_gate)
        {
            using var tx = _connection.BeginTransaction();
            Execute("DELETE FROM items WHERE id = $id", ("$id", item.Id));
            LogChange(item.MailboxId, ChangeKind.Item, item.FolderId, item.Id);
            tx.Commit();
        }
    }

    private static ItemRecord ReadItem(SqliteDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetInt64(5),
        new DateTimeOffset(r.GetInt64(6), TimeSpan.Zero), new DateTimeOffset(r.GetInt64(7), TimeSpan.Zero));

    // ---- change log ----

    /// <summary>The sequence number of the latest change; a delta round covers the changes after its token's number.</summary>
    public long CurrentSequence()
    {
        lock (_gate) return Convert.ToInt64(Scalar("SELECT COALESCE(MAX(seq), 0) FROM changes"));
    }

    /// <summary>Entities of a mailbox changed in (after, upTo], with every container (parent folder) they were logged under.</summary>
    public IReadOnlyList<ChangedEntity> ChangesBetween(string mailboxId, ChangeKind kind, long after, long upTo)
    {
        lock (_gate)
        {
            var rows = Query(
                "SELECT entity_id, container_id FROM changes WHERE mailbox_id = $m AND kind = $k AND seq > $a AND seq <= $u ORDER BY seq",
                r => (Entity: r.GetString(0), Container: r.IsDBNull(1) ? null : r.GetString(1)),
                ("$m", mailboxId), ("$k", (int)kind), ("$a", after), ("$u", upTo));
            return rows.GroupBy(row => row.Entity, StringComparer.Ordinal)
                .Select(g => new ChangedEntity(g.Key, g.Select(row => row.Container).Distinct().ToList()))
                .ToList();
        }
    }

    private void LogChange(string mailboxId, ChangeKind kind, string? containerId, string entityId)
    {
        Execute("INSERT INTO changes (mailbox_id, kind, container_id, entity_id) VALUES ($m, $k, $c, $e)",
            ("$m", mailboxId), ("$k", (int)kind), ("$c", containerId), ("$e", entityId));
    }

    // ---- plumbing (callers hold the lock) ----

    private SqliteCommand Command(string sql, (string Name, object? Value)[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    private void Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(sql, parameters);
        command.ExecuteNonQuery();
    }

    private object? Scalar(string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(sql, parameters);
        return command.ExecuteScalar();
    }

    private List<T> Query<T>(string sql, Func<SqliteDataReader, T> read, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(sql, parameters);
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read()) rows.Add(read(reader));
        return rows;
    }

    private T? QuerySingle<T>(string sql, Func<SqliteDataReader, T> read, params (string Name, object? Value)[] parameters) =>
        Query(sql, read, parameters) is { Count: > 0 } rows ? rows[0] : default;
}
