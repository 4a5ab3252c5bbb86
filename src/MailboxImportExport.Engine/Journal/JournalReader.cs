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
        var lastRun = LastRun(connection);
        var runs = Scalar(connection, "SELECT COUNT(*) FROM run");
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
                    pair = new ExCopyStatistics { JournalPath = full, SourceMailboxId = source, TargetMailboxId = target, Runs = (int)runs };
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
                : lastRun.Outcome is null ? (lastRun.Started is null ? "NotStarted" : "Stopped")
                : pair.Failed > 0 ? "CompletedWithErrors"
                : pair.Pending + pair.InDoubt > 0 ? "Stopped"
                : "Completed";
            (pair.LastRunStarted, pair.LastRunEnded, pair.LastRunOutcome) = lastRun;
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

    private static (DateTimeOffset? Started, DateTimeOffset? Ended, string? Outcome) LastRun(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT started_at, ended_at, outcome FROM run ORDER BY id DESC LIMIT 1";
        using var reader = command.ExecuteReader();
        if (!reader.Read()) return (null, null, null);
        return (SqliteConnections.Time(reader.GetValue(0)), SqliteConnections.Time(reader.GetValue(1)), reader.IsDBNull(2) ? null : reader.GetString(2));
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }
}
