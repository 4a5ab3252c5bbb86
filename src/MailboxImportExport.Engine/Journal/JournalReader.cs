using MailboxImportExport.Engine.Models;
using Microsoft.Data.Sqlite;

namespace MailboxImportExport.Engine.Journal;

/// <summary>
/// Reads a journal without taking the job: per mailbox pair and folder, with the failed items. Safe while another
/// process runs the job (SQLite's WAL lets readers see the last committed state).
/// </summary>
public static class JournalReader
{
    public static IReadOnlyList<ExCopyStatistics> ReadStatistics(string path, bool includeFailedItems)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"There is no journal at '{full}'.", full);
        var running = IsRunning(full);
        using var connection = SqliteConnections.Open(full, SqliteOpenMode.ReadOnly);
        var runs = Runs(connection);
        var names = MailboxNames(connection);
        string? NameOf(string mailboxId) => names.TryGetValue(mailboxId, out var name) ? name : null;
        var lastRun = runs.Count == 0 ? null : runs[runs.Count - 1];
        var pairs = new List<ExCopyStatistics>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                SELECT source_mailbox, target_mailbox, COALESCE(source_folder_path, ''), state, COUNT(*), SUM(CASE WHEN state = 'Done' THEN size ELSE 0 END)
                FROM item GROUP BY source_mailbox, target_mailbox, COALESCE(source_folder_path, ''), state
                ORDER BY source_mailbox, target_mailbox, 3
                """;
            using var reader = command.ExecuteReader();
            var folders = new Dictionary<string, ExCopyFolderStatistics>();
            ExCopyStatistics? pair = null;
            while (reader.Read())
            {
                var (source, target, folderPath, state, count, bytes) =
                    (reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4), reader.IsDBNull(5) ? 0 : reader.GetInt64(5));
                if (pair is null || !string.Equals(pair.SourceMailboxId, source, StringComparison.OrdinalIgnoreCase)
                                 || !string.Equals(pair.TargetMailboxId, target, StringComparison.OrdinalIgnoreCase))
                {
                    Finish(pair, folders);
                    pair = new ExCopyStatistics
                    {
                        JournalPath = full, SourceMailboxId = source, TargetMailboxId = target, Runs = runs.Count,
                        SourceName = NameOf(source), TargetName = NameOf(target),
                    };
                    pairs.Add(pair);
                    folders = new Dictionary<string, ExCopyFolderStatistics>(StringComparer.OrdinalIgnoreCase);
                }
                if (!folders.TryGetValue(folderPath, out var folder)) folders[folderPath] = folder = new ExCopyFolderStatistics { FolderPath = folderPath };
                pair.TotalItems += count;
                folder.TotalItems += count;
                switch (state)
                {
                    case nameof(JournalItemState.Done):
                        pair.Copied += count; folder.Copied += count; pair.BytesCopied += bytes; folder.BytesCopied += bytes; break;
                    case nameof(JournalItemState.Failed): pair.Failed += count; folder.Failed += count; break;
                    case nameof(JournalItemState.Sending): pair.InDoubt += count; folder.Pending += count; break;
                    case nameof(JournalItemState.Deleted): pair.Deleted += count; break;
                    default: pair.Pending += count; folder.Pending += count; break;
                }
            }
            Finish(pair, folders);
        }
        foreach (var pair in pairs)
        {
            pair.Status = running ? "Running"
                : lastRun is null ? "NotStarted"
                : lastRun.Outcome is null ? "Stopped"
                : pair.Failed > 0 ? "CompletedWithErrors"
                : pair.Pending + pair.InDoubt > 0 ? "Stopped"
                : "Completed";
            (pair.LastRunStarted, pair.LastRunEnded, pair.LastRunOutcome, pair.LastRun) = (lastRun?.Started, lastRun?.Ended, lastRun?.Outcome, lastRun);
            if (includeFailedItems) pair.RunHistory = runs;
            var live = pair.TotalItems - pair.Deleted;
            pair.PercentComplete = live == 0 ? 100 : Math.Round(100.0 * pair.Copied / live, 1);
            if (includeFailedItems) pair.FailedItems = FailedItems(connection, pair.SourceMailboxId, pair.TargetMailboxId);
        }
        return pairs;
    }

    /// <summary>Every row of a journal, read without taking the job.</summary>
    public static IReadOnlyList<JournalItem> ReadItems(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"There is no journal at '{full}'.", full);
        using var connection = SqliteConnections.Open(full, SqliteOpenMode.ReadOnly);
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {SqliteConnections.ItemColumns} FROM item ORDER BY source_mailbox, target_mailbox, source_folder_path";
        return SqliteConnections.ReadItems(command);
    }

    /// <summary>True while a process holds the job's lock file.</summary>
    public static bool IsRunning(string journalPath)
    {
        var lockPath = journalPath + ".lock";
        if (!File.Exists(lockPath)) return false;
        try
        {
            using var probe = new FileStream(lockPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
    }

    private static void Finish(ExCopyStatistics? pair, Dictionary<string, ExCopyFolderStatistics> folders)
    {
        if (pair is not null) pair.Folders = folders.Values.OrderBy(f => f.FolderPath, StringComparer.OrdinalIgnoreCase).ToList();
    }

    private static IReadOnlyList<ExCopyFailedItem> FailedItems(SqliteConnection connection, string source, string target)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {SqliteConnections.ItemColumns} FROM item WHERE source_mailbox = $s AND target_mailbox = $t AND state = 'Failed' ORDER BY source_folder_path, subject";
        command.Parameters.AddWithValue("$s", source);
        command.Parameters.AddWithValue("$t", target);
        return SqliteConnections.ReadItems(command).Select(i => new ExCopyFailedItem
        {
            SourceMailboxId = i.SourceMailboxId,
            SourceItemId = i.SourceItemId,
            FolderPath = i.SourceFolderPath,
            Subject = i.Subject,
            Size = i.Size,
            Attempts = i.Attempts,
            ErrorCode = i.ErrorCode,
            ErrorMessage = i.ErrorMessage,
            LastAttempt = i.UpdatedAt,
        }).ToList();
    }

    /// <summary>
    /// The names Copy-ExMailbox was given for the job's mailboxes, by mailbox id: every pair's, from the run's start, also
    /// of pairs that have no item yet.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ReadMailboxNames(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"There is no journal at '{full}'.", full);
        using var connection = SqliteConnections.Open(full, SqliteOpenMode.ReadOnly);
        return MailboxNames(connection);
    }

    /// <summary>What the copies were told the mailboxes were, by mailbox id (<see cref="SqliteTransferJournal.NameMailbox"/>).</summary>
    private static Dictionary<string, string> MailboxNames(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT key, value FROM meta WHERE substr(key, 1, length($p)) = $p";
        command.Parameters.AddWithValue("$p", SqliteTransferJournal.MailboxNamePrefix);
        using var reader = command.ExecuteReader();
        var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        while (reader.Read()) names[reader.GetString(0).Substring(SqliteTransferJournal.MailboxNamePrefix.Length)] = reader.GetString(1);
        return names;
    }

    /// <summary>The job's runs, oldest first.</summary>
    private static List<ExCopyRun> Runs(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, command, started_at, ended_at, outcome, created, updated, skipped, failed, retried, bytes, throttled_ms FROM run ORDER BY id";
        using var reader = command.ExecuteReader();
        var runs = new List<ExCopyRun>();
        while (reader.Read())
        {
            long Number(int i) => reader.IsDBNull(i) ? 0 : reader.GetInt64(i);
            runs.Add(new ExCopyRun
            {
                RunId = reader.GetInt64(0),
                Command = reader.GetString(1),
                Started = SqliteConnections.Time(reader.GetValue(2))!.Value,
                Ended = SqliteConnections.Time(reader.GetValue(3)),
                Outcome = reader.IsDBNull(4) ? null : reader.GetString(4),
                Copied = (int)Number(5),
                Updated = (int)Number(6),
                Skipped = (int)Number(7),
                Failed = (int)Number(8),
                Retried = (int)Number(9),
                Bytes = Number(10),
                ThrottledTime = TimeSpan.FromMilliseconds(Number(11)),
            });
        }
        return runs;
    }
}
