using System.Globalization;
using System.Text.Json;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Transfer;
using Microsoft.Data.Sqlite;

namespace MailboxImportExport.Engine.Journal;

/// <summary>
/// The journal in one SQLite file per job (WAL, synchronous FULL: every <see cref="Save"/> is on disk before the
/// import post it precedes, and a kill at any instant leaves the file consistent). One process runs a job at a
/// time (a lock file beside the journal says so); inside the process the commands of one pipeline (Export and
/// Import with the same -JournalPath) share one open journal through <see cref="Open"/>. Another process may read
/// it at any time with <see cref="JournalReader"/>.
/// </summary>
public sealed class SqliteTransferJournal : SqliteJournalReads, ITransferJournal
{
    internal const int SchemaVersion = 1;
    private static readonly Dictionary<string, SqliteTransferJournal> OpenJournals = new(StringComparer.Ordinal);

    private readonly FileStream _lock;
    private SqliteCommand? _save;
    private int _references = 1;

    private SqliteTransferJournal(string path, SqliteConnection connection, FileStream lockFile)
        : base(path, connection)
    {
        _lock = lockFile;
    }

    /// <summary>
    /// Opens (creating it if needed) the journal at <paramref name="path"/>; a journal this process has open already is
    /// shared. Dispose once per Open.
    /// </summary>
    /// <exception cref="JournalBusyException">Another process is running this job.</exception>
    public static SqliteTransferJournal Open(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException("The journal path is empty.", nameof(path));
        var full = Path.GetFullPath(path);
        lock (OpenJournals)
        {
            if (OpenJournals.TryGetValue(full, out var shared))
            {
                lock (shared.Gate) shared._references++;
                return shared;
            }
            var directory = Path.GetDirectoryName(full);
            if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
            FileStream lockFile;
            try
            {
                lockFile = new FileStream(full + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException e) when (e.GetType() == typeof(IOException))
            {
                throw new JournalBusyException(full, e);
            }
            try
            {
                var connection = SqliteConnections.Open(full, SqliteOpenMode.ReadWriteCreate);
                SqliteConnections.Execute(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
                CreateSchema(connection);
                var journal = new SqliteTransferJournal(full, connection, lockFile);
                OpenJournals.Add(full, journal);
                return journal;
            }
            catch
            {
                lockFile.Dispose();
                throw;
            }
        }
    }

    internal static void CreateSchema(SqliteConnection connection)
    {
        SqliteConnections.Execute(connection, """
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
            CREATE TABLE IF NOT EXISTS item (
                source_mailbox TEXT NOT NULL COLLATE NOCASE,
                source_item TEXT NOT NULL,
                target_mailbox TEXT NOT NULL COLLATE NOCASE,
                source_change_key TEXT,
                size INTEGER NOT NULL DEFAULT 0,
                source_folder_id TEXT,
                source_folder_path TEXT,
                subject TEXT,
                message_class TEXT,
                target_folder_id TEXT,
                target_item TEXT,
                target_change_key TEXT,
                state TEXT NOT NULL,
                mode TEXT,
                attempts INTEGER NOT NULL DEFAULT 0,
                error_code TEXT,
                error_message TEXT,
                data_sha256 TEXT,
                fingerprint TEXT,
                sent_at TEXT,
                updated_at TEXT NOT NULL,
                PRIMARY KEY (source_mailbox, source_item, target_mailbox));
            CREATE INDEX IF NOT EXISTS item_by_target ON item (target_mailbox, target_item);
            CREATE INDEX IF NOT EXISTS item_by_source ON item (source_mailbox, source_item);
            CREATE TABLE IF NOT EXISTS run (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                command TEXT NOT NULL,
                started_at TEXT NOT NULL,
                ended_at TEXT,
                outcome TEXT,
                created INTEGER, updated INTEGER, skipped INTEGER, failed INTEGER, retried INTEGER,
                bytes INTEGER, throttled_ms INTEGER);
            """);
        using var version = connection.CreateCommand();
        version.CommandText = "SELECT value FROM meta WHERE key = 'schema'";
        var stored = version.ExecuteScalar() as string;
        if (stored is null)
        {
            SqliteConnections.Execute(connection, $"INSERT INTO meta (key, value) VALUES ('schema', '{SchemaVersion}')");
        }
        else if (stored != SchemaVersion.ToString(CultureInfo.InvariantCulture))
        {
            throw new InvalidDataException($"The journal '{connection.DataSource}' was written by another version of the module (schema {stored}; this one reads {SchemaVersion}).");
        }
    }

    public void Save(JournalItem item)
    {
        if (item is null) throw new ArgumentNullException(nameof(item));
        lock (Gate)
        {
            ThrowIfClosed();
            item.UpdatedAt = DateTimeOffset.UtcNow;
            var command = Prepared(ref _save, """
                INSERT OR REPLACE INTO item (source_mailbox, source_item, target_mailbox, source_change_key, size, source_folder_id,
                    source_folder_path, subject, message_class, target_folder_id, target_item, target_change_key, state, mode, attempts,
                    error_code, error_message, data_sha256, fingerprint, sent_at, updated_at)
                VALUES ($sm, $si, $tm, $sck, $size, $sfi, $sfp, $subject, $class, $tfi, $ti, $tck, $state, $mode, $attempts,
                    $code, $message, $sha, $fp, $sent, $updated)
                """);
            Set(command, "$sm", item.SourceMailboxId);
            Set(command, "$si", item.SourceItemId);
            Set(command, "$tm", item.TargetMailboxId);
            Set(command, "$sck", item.SourceChangeKey);
            Set(command, "$size", item.Size);
            Set(command, "$sfi", item.SourceFolderId);
            Set(command, "$sfp", item.SourceFolderPath);
            Set(command, "$subject", item.Subject);
            Set(command, "$class", item.MessageClass);
            Set(command, "$tfi", item.TargetFolderId);
            Set(command, "$ti", item.TargetItemId);
            Set(command, "$tck", item.TargetChangeKey);
            Set(command, "$state", item.State.ToString());
            Set(command, "$mode", item.Mode?.ToString());
            Set(command, "$attempts", item.Attempts);
            Set(command, "$code", item.ErrorCode);
            Set(command, "$message", item.ErrorMessage);
            Set(command, "$sha", item.DataSha256);
            Set(command, "$fp", item.Fingerprint is null ? null : JsonSerializer.Serialize(item.Fingerprint, Json.Options));
            Set(command, "$sent", SqliteConnections.Time(item.SentAt));
            Set(command, "$updated", SqliteConnections.Time(item.UpdatedAt));
            command.ExecuteNonQuery();
        }
    }

    public long StartRun(string command, DateTimeOffset startedAt)
    {
        lock (Gate)
        {
            ThrowIfClosed();
            using var insert = Connection.CreateCommand();
            insert.CommandText = "INSERT INTO run (command, started_at) VALUES ($c, $s); SELECT last_insert_rowid();";
            Add(insert, "$c", command);
            Add(insert, "$s", SqliteConnections.Time(startedAt));
            return (long)insert.ExecuteScalar()!;
        }
    }

    public void EndRun(long runId, JournalRunTotals totals)
    {
        lock (Gate)
        {
            ThrowIfClosed();
            using var update = Connection.CreateCommand();
            update.CommandText = """
                UPDATE run SET ended_at = $e, outcome = $o, created = $c, updated = $u, skipped = $s, failed = $f, retried = $r,
                    bytes = $b, throttled_ms = $t WHERE id = $id
                """;
            Add(update, "$e", SqliteConnections.Time(totals.EndedAt));
            Add(update, "$o", totals.Outcome);
            Add(update, "$c", totals.Created);
            Add(update, "$u", totals.Updated);
            Add(update, "$s", totals.Skipped);
            Add(update, "$f", totals.Failed);
            Add(update, "$r", totals.Retried);
            Add(update, "$b", totals.Bytes);
            Add(update, "$t", (long)totals.ThrottledTime.TotalMilliseconds);
            Add(update, "$id", runId);
            update.ExecuteNonQuery();
        }
    }

    public void NameMailbox(string mailboxId, string name)
    {
        if (string.IsNullOrWhiteSpace(mailboxId)) throw new ArgumentException("The mailbox id is empty.", nameof(mailboxId));
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("The mailbox's name is empty.", nameof(name));
        lock (Gate)
        {
            ThrowIfClosed();
            using var upsert = Connection.CreateCommand();
            upsert.CommandText = "INSERT OR REPLACE INTO meta (key, value) VALUES ($k, $v)";
            Add(upsert, "$k", MailboxNameKey(mailboxId));
            Add(upsert, "$v", name);
            upsert.ExecuteNonQuery();
        }
    }

    /// <summary>
    /// A mailbox's name lives in the meta table under this key (mailbox ids compare without case, the key does not),
    /// so journals written before names were kept read the same and earlier versions ignore the rows.
    /// </summary>
    internal static string MailboxNameKey(string mailboxId) => MailboxNamePrefix + mailboxId.ToUpperInvariant();

    internal const string MailboxNamePrefix = "mailbox-name:";

    private static void Add(SqliteCommand command, string name, object? value) => command.Parameters.AddWithValue(name, value ?? DBNull.Value);

    protected override void ThrowIfClosed()
    {
        if (_references <= 0) throw new ObjectDisposedException(nameof(SqliteTransferJournal), $"The journal '{Location}' is closed.");
    }

    /// <summary>Closes the journal once every Open has been matched by a Dispose.</summary>
    public void Dispose()
    {
        lock (OpenJournals)
        {
            lock (Gate)
            {
                if (_references <= 0 || --_references > 0) return;
                OpenJournals.Remove(Location);
                DisposePrepared();
                Connection.Dispose();
                _lock.Dispose();
            }
        }
    }
}

/// <summary>The journal's queries, shared by the writer and the read-only view.</summary>
public abstract class SqliteJournalReads
{
    private protected SqliteJournalReads(string location, SqliteConnection connection)
    {
        Location = location;
        Connection = connection;
    }

    public string Location { get; }
    private protected SqliteConnection Connection { get; }
    private protected object Gate { get; } = new();

    protected abstract void ThrowIfClosed();

    private readonly List<SqliteCommand> _prepared = new();
    private SqliteCommand? _find;

    /// <summary>
    /// The command in <paramref name="slot"/>, made on first use with a parameter for each <c>$name</c> of
    /// <paramref name="sql"/>: statements run once an item keep their parsed form and parameters. Call under
    /// <see cref="Gate"/>; <see cref="DisposePrepared"/> disposes every command made here.
    /// </summary>
    private protected SqliteCommand Prepared(ref SqliteCommand? slot, string sql)
    {
        if (slot is not null) return slot;
        var command = Connection.CreateCommand();
        command.CommandText = sql;
        foreach (System.Text.RegularExpressions.Match name in System.Text.RegularExpressions.Regex.Matches(sql, @"\$\w+"))
        {
            // Typed by each value bound, as AddWithValue would.
            if (!command.Parameters.Contains(name.Value)) command.Parameters.AddWithValue(name.Value, DBNull.Value);
        }
        command.Prepare();
        _prepared.Add(command);
        return slot = command;
    }

    private protected static void Set(SqliteCommand command, string name, object? value) => command.Parameters[name].Value = value ?? DBNull.Value;

    /// <summary>Before the connection closes.</summary>
    private protected void DisposePrepared()
    {
        foreach (var command in _prepared) command.Dispose();
        _prepared.Clear();
    }

    /// <summary>Asked for every listed item (is it copied already?): one statement, prepared once.</summary>
    public JournalItem? Find(string sourceMailboxId, string sourceItemId, string targetMailboxId)
    {
        lock (Gate)
        {
            ThrowIfClosed();
            var command = Prepared(ref _find, $"SELECT {SqliteConnections.ItemColumns} FROM item WHERE source_mailbox = $s AND source_item = $i AND target_mailbox = $t");
            Set(command, "$s", sourceMailboxId);
            Set(command, "$i", sourceItemId);
            Set(command, "$t", targetMailboxId);
            return SqliteConnections.ReadItems(command).FirstOrDefault();
        }
    }

    public IReadOnlyList<JournalItem> FindBySource(string sourceMailboxId, string sourceItemId) =>
        Query("WHERE source_mailbox = $s AND source_item = $i", ("$s", sourceMailboxId), ("$i", sourceItemId));

    public IReadOnlyList<JournalItem> ItemsOf(string sourceMailboxId, string targetMailboxId) =>
        Query("WHERE source_mailbox = $s AND target_mailbox = $t", ("$s", sourceMailboxId), ("$t", targetMailboxId));

    public ISet<string> ClaimedAmong(string targetMailboxId, IReadOnlyCollection<string> targetItemIds)
    {
        var claimed = new HashSet<string>(StringComparer.Ordinal);
        lock (Gate)
        {
            ThrowIfClosed();
            using var command = Connection.CreateCommand();
            command.CommandText = "SELECT 1 FROM item WHERE target_mailbox = $t AND target_item = $id LIMIT 1";
            var mailbox = command.Parameters.AddWithValue("$t", targetMailboxId);
            var id = command.Parameters.Add("$id", SqliteType.Text);
            foreach (var candidate in targetItemIds)
            {
                id.Value = candidate;
                if (command.ExecuteScalar() is not null) claimed.Add(candidate);
            }
        }
        return claimed;
    }

    private protected List<JournalItem> Query(string where, params (string Name, string Value)[] parameters)
    {
        lock (Gate)
        {
            ThrowIfClosed();
            using var command = Connection.CreateCommand();
            command.CommandText = $"SELECT {SqliteConnections.ItemColumns} FROM item {where}";
            foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
            return SqliteConnections.ReadItems(command);
        }
    }

}

/// <summary>
/// A journal read without taking the job (-WhatIf, planning): the rows as the last run left them; nothing can be
/// written. A journal that does not exist yet reads as empty.
/// </summary>
public sealed class ReadOnlyTransferJournal : SqliteJournalReads, ITransferJournal
{
    private bool _disposed;

    private ReadOnlyTransferJournal(string location, SqliteConnection connection) : base(location, connection)
    {
    }

    public static ReadOnlyTransferJournal Open(string path)
    {
        var full = Path.GetFullPath(path);
        if (File.Exists(full)) return new ReadOnlyTransferJournal(full, SqliteConnections.Open(full, SqliteOpenMode.ReadOnly));
        var empty = SqliteConnections.Open(":memory:", SqliteOpenMode.Memory);
        SqliteTransferJournal.CreateSchema(empty);
        return new ReadOnlyTransferJournal(full, empty);
    }

    public void Save(JournalItem item) => throw ReadOnly();
    public long StartRun(string command, DateTimeOffset startedAt) => throw ReadOnly();
    public void EndRun(long runId, JournalRunTotals totals) => throw ReadOnly();
    public void NameMailbox(string mailboxId, string name) => throw ReadOnly();

    private InvalidOperationException ReadOnly() => new($"The journal '{Location}' is open for reading only.");

    protected override void ThrowIfClosed()
    {
        if (_disposed) throw new ObjectDisposedException(nameof(ReadOnlyTransferJournal));
    }

    public void Dispose()
    {
        lock (Gate)
        {
            if (_disposed) return;
            _disposed = true;
            DisposePrepared();
            Connection.Dispose();
        }
    }
}

/// <summary>Another process holds the job.</summary>
public sealed class JournalBusyException : IOException
{
    internal JournalBusyException(string path, Exception inner)
        : base($"The copy job '{path}' is being run by another process. Wait for it to end, or watch it with Get-ExCopyStatistics.", inner)
    {
        Path = path;
    }

    public string Path { get; }
}
