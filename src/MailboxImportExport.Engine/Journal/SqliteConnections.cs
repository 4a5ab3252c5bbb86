using System.Globalization;
using System.Text.Json;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Transfer;
using Microsoft.Data.Sqlite;

namespace MailboxImportExport.Engine.Journal;

/// <summary>What the journal's writer and its readers share: opening, the row layout, time stamps.</summary>
internal static class SqliteConnections
{
    public const string ItemColumns = "source_mailbox, source_item, target_mailbox, source_change_key, size, source_folder_id, source_folder_path, " +
                                      "subject, message_class, target_folder_id, target_item, target_change_key, state, mode, attempts, error_code, " +
                                      "error_message, data_sha256, fingerprint, sent_at, updated_at";

    public static SqliteConnection Open(string path, SqliteOpenMode mode)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = mode,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString());
        connection.Open();
        // A reader in another process and the writer meet at checkpoints: wait for each other rather than fail.
        Execute(connection, "PRAGMA busy_timeout=10000;");
        return connection;
    }

    public static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public static string? Time(DateTimeOffset? value) => value?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    public static DateTimeOffset? Time(object value) =>
        value is string text ? DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal) : null;

    public static List<JournalItem> ReadItems(SqliteCommand command)
    {
        var items = new List<JournalItem>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
            var item = new JournalItem(reader.GetString(0), reader.GetString(1), reader.GetString(2))
            {
                SourceChangeKey = Text(3),
                Size = reader.GetInt64(4),
                SourceFolderId = Text(5),
                SourceFolderPath = Text(6),
                Subject = Text(7),
                MessageClass = Text(8),
                TargetFolderId = Text(9),
                TargetItemId = Text(10),
                TargetChangeKey = Text(11),
                State = (JournalItemState)Enum.Parse(typeof(JournalItemState), reader.GetString(12)),
                Mode = Text(13) is { } mode ? (ImportMode)Enum.Parse(typeof(ImportMode), mode) : null,
                Attempts = reader.GetInt32(14),
                ErrorCode = Text(15),
                ErrorMessage = Text(16),
                DataSha256 = Text(17),
                Fingerprint = Text(18) is { } json ? JsonSerializer.Deserialize<ItemFingerprint>(json, Json.Options) : null,
                SentAt = Time(reader.GetValue(19)),
            };
            item.UpdatedAt = Time(reader.GetValue(20));
            items.Add(item);
        }
        return items;
    }
}
