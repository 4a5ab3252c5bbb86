using System.Text;
using System.Text.Json;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Models;

namespace MailboxImportExport.Engine.Transfer;

/// <summary>One line of <c>manifest.jsonl</c>: an exported item, its file and how to check that file.</summary>
internal sealed class ManifestEntry
{
    public string? SourceMailboxId { get; set; }
    public string? SourceFolderId { get; set; }
    public string? SourceFolderPath { get; set; }
    public string? ItemId { get; set; }
    public string? ChangeKey { get; set; }
    public string? Type { get; set; }
    public long Size { get; set; }
    public string? Subject { get; set; }
    public string? MessageClass { get; set; }
    public string? SenderName { get; set; }
    public string? SenderAddress { get; set; }
    public DateTimeOffset? SentDateTime { get; set; }
    public DateTimeOffset? ReceivedDateTime { get; set; }
    public int? AttachmentCount { get; set; }
    /// <summary>The item's file: a path inside the export folder, '/'-separated (a bare name for .fts files).</summary>
    public string? File { get; set; }
    /// <summary>How the file holds the item; absent for FastTransfer streams.</summary>
    [System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter))]
    public ExportFormat? Format { get; set; }
    [System.Text.Json.Serialization.JsonIgnore] public ExportFormat FormatOrDefault => Format ?? ExportFormat.Fts;
    public long Length { get; set; }
    public string? Sha256 { get; set; }
    public DateTimeOffset ExportedAt { get; set; }

    public string Key => ExportManifest.KeyOf(SourceMailboxId!, ItemId!);

    public static ManifestEntry From(ExExportedItem item, string file, long length, string sha256) => new()
    {
        SourceMailboxId = item.SourceMailboxId,
        SourceFolderId = item.SourceFolderId,
        SourceFolderPath = item.SourceFolderPath,
        ItemId = item.ItemId,
        ChangeKey = item.ChangeKey,
        Type = item.Type,
        Size = item.Size,
        Subject = item.Subject,
        MessageClass = item.MessageClass,
        SenderName = item.SenderName,
        SenderAddress = item.SenderAddress,
        SentDateTime = item.SentDateTime,
        ReceivedDateTime = item.ReceivedDateTime,
        AttachmentCount = item.AttachmentCount,
        File = file,
        Length = length,
        Sha256 = sha256,
        ExportedAt = DateTimeOffset.UtcNow,
    };

    public ExExportedItem ToItem(FtsData data) => new()
    {
        SourceMailboxId = SourceMailboxId!,
        SourceFolderId = SourceFolderId,
        SourceFolderPath = SourceFolderPath,
        ItemId = ItemId!,
        ChangeKey = ChangeKey,
        Type = Type,
        Size = Size,
        Subject = Subject,
        MessageClass = MessageClass,
        SenderName = SenderName,
        SenderAddress = SenderAddress,
        SentDateTime = SentDateTime,
        ReceivedDateTime = ReceivedDateTime,
        AttachmentCount = AttachmentCount,
        Data = data,
    };

    /// <summary>What makes a line unusable, or null. A file must be inside the folder: a manifest cannot point outside it.</summary>
    public string? Problem()
    {
        if (string.IsNullOrEmpty(SourceMailboxId) || string.IsNullOrEmpty(ItemId)) return "it names no source mailbox or item id";
        if (!IsPathInsideFolder(File)) return $"its file name '{File}' is not a path inside the folder";
        if (string.IsNullOrEmpty(Sha256)) return "it has no SHA-256";
        return null;
    }

    /// <summary>Relative, '/'-separated, every segment a plain name: no root, drive, backslash, '.' or '..'.</summary>
    private static bool IsPathInsideFolder(string? file) =>
        !string.IsNullOrEmpty(file) && file!.IndexOf('\\') < 0 && file.IndexOf(':') < 0
        && file.Split('/').All(segment => segment.Length > 0 && segment is not "." and not ".." && segment.Trim().Length > 0);
}

/// <summary>A manifest line as read: its entry, or why it could not be used.</summary>
/// <param name="Number">1-based.</param>
/// <param name="IsTruncatedTail">An unreadable last line without a line break: a writer stopped while appending it.</param>
internal readonly record struct ManifestLine(int Number, ManifestEntry? Entry, string? Problem, bool IsTruncatedTail);

/// <summary>Reading and appending <c>manifest.jsonl</c>, one JSON object per line; a later line for the same item replaces an earlier one.</summary>
internal static class ExportManifest
{
    public const string FileName = "manifest.jsonl";

    /// <summary>Mailbox ids compare without case, item ids with it.</summary>
    public static string KeyOf(string mailboxId, string itemId) => mailboxId.ToUpperInvariant() + "\n" + itemId;

    public static byte[] Serialize(ManifestEntry entry) => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(entry, Json.Options) + "\n");

    public static IEnumerable<ManifestLine> ReadLines(string path)
    {
        var endsWithNewline = EndsWithNewline(path);
        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete), Encoding.UTF8);
        var number = 0;
        var line = reader.ReadLine();
        while (line is not null)
        {
            var next = reader.ReadLine();
            number++;
            if (line.Trim().Length > 0) yield return Parse(number, line, isLast: next is null && !endsWithNewline);
            line = next;
        }
    }

    /// <summary>The line number of the last line of every item: earlier lines of the same item are superseded.</summary>
    public static Dictionary<string, int> LastLineOfEachItem(string path)
    {
        var last = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in ReadLines(path))
            if (line.Entry is { } entry) last[entry.Key] = line.Number;
        return last;
    }

    private static ManifestLine Parse(int number, string text, bool isLast)
    {
        string? problem;
        try
        {
            var entry = JsonSerializer.Deserialize<ManifestEntry>(text, Json.Options);
            problem = entry is null ? "it is empty" : entry.Problem();
            if (problem is null) return new ManifestLine(number, entry, null, false);
        }
        catch (JsonException e)
        {
            problem = $"it is not valid JSON ({e.Message})";
        }
        return new ManifestLine(number, null, $"Line {number} of {FileName} cannot be used: {problem}.", isLast);
    }

    private static bool EndsWithNewline(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (stream.Length == 0) return true;
        stream.Seek(-1, SeekOrigin.End);
        return stream.ReadByte() == '\n';
    }

    /// <summary>
    /// Makes the manifest safe to append to: a last line cut short by a crash is dropped, a complete one that only
    /// lacks its line break gets it. Returns whether a line was dropped.
    /// </summary>
    public static bool RepairTail(string path)
    {
        if (!File.Exists(path) || EndsWithNewline(path)) return false;
        var lastLine = ReadLines(path).LastOrDefault();
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        if (!lastLine.IsTruncatedTail)
        {
            stream.Seek(0, SeekOrigin.End);
            stream.WriteByte((byte)'\n');
            return false;
        }
        stream.SetLength(StartOfLastLine(stream));
        return true;
    }

    private static long StartOfLastLine(FileStream stream)
    {
        var buffer = new byte[4096];
        var end = stream.Length;
        while (end > 0)
        {
            var start = Math.Max(0, end - buffer.Length);
            stream.Seek(start, SeekOrigin.Begin);
            var count = (int)(end - start);
            var read = 0;
            while (read < count) read += stream.Read(buffer, read, count - read);
            var newline = Array.LastIndexOf(buffer, (byte)'\n', count - 1, count);
            if (newline >= 0) return start + newline + 1;
            end = start;
        }
        return 0;
    }
}
