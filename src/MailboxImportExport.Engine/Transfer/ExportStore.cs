using System.Security.Cryptography;
using System.Text;
using MailboxImportExport.Engine.Diagnostics;
using MailboxImportExport.Engine.Models;

namespace MailboxImportExport.Engine.Transfer;

public enum ExportStoreWriteResult
{
    /// <summary>The item was not in the folder; its file and manifest line were written.</summary>
    Written,
    /// <summary>The folder already holds the item with the same ChangeKey; nothing was written.</summary>
    Skipped,
    /// <summary>The folder held the item with another ChangeKey (written with force) or a damaged file; both were replaced.</summary>
    Replaced,
}

/// <summary>An item is already in the export folder in another version.</summary>
public sealed class ExportStoreConflictException : InvalidOperationException
{
    internal ExportStoreConflictException(string directory, string mailboxId, string itemId, string? storedChangeKey, string? newChangeKey)
        : base($"Item {itemId} of mailbox {mailboxId} is already in '{directory}' with ChangeKey {storedChangeKey ?? "(none)"}, " +
               $"but the exported item has ChangeKey {newChangeKey ?? "(none)"}: it changed since it was exported. " +
               "Use -Force to replace the stored copy, or export into another folder.")
    {
        MailboxId = mailboxId;
        ItemId = itemId;
        StoredChangeKey = storedChangeKey;
        NewChangeKey = newChangeKey;
    }

    public string MailboxId { get; }
    public string ItemId { get; }
    public string? StoredChangeKey { get; }
    public string? NewChangeKey { get; }
}

/// <summary>An export folder already holds items in another format: one folder, one format.</summary>
public sealed class ExportFormatMismatchException : IOException
{
    internal ExportFormatMismatchException(string directory, ExportFormat held, ExportFormat asked)
        : base($"'{directory}' holds items exported as {held}; export as {asked} into another folder (one folder holds one format).")
    {
        Held = held;
        Asked = asked;
    }

    public ExportFormat Held { get; }
    public ExportFormat Asked { get; }
}

/// <summary>One item read back from an export folder, or why it could not be.</summary>
public sealed class ExportStoreRecord
{
    private ExportStoreRecord(int lineNumber, string? fileName, string? itemId, ExExportedItem? item, string? error)
    {
        LineNumber = lineNumber;
        FileName = fileName;
        ItemId = itemId;
        Item = item;
        Error = error;
    }

    /// <summary>The manifest line the record comes from (1-based); 0 for a file that no line names.</summary>
    public int LineNumber { get; }
    public string? FileName { get; }
    public string? ItemId { get; }
    /// <summary>The item, its data backed by its file; null when the file is missing or damaged.</summary>
    public ExExportedItem? Item { get; }
    public string? Error { get; }
    public bool Succeeded => Item is not null;

    internal static ExportStoreRecord Success(int line, string file, ExExportedItem item) => new(line, file, item.ItemId, item, null);
    internal static ExportStoreRecord Failed(int line, string? file, string? itemId, string error) => new(line, file, itemId, null, error);

    public override string ToString() => Succeeded ? $"Line {LineNumber}: {Item}" : $"Line {LineNumber}: {Error}";
}

/// <summary>
/// An export folder: one file per item and <c>manifest.jsonl</c>, one line per item. The files are <c>.fts</c> streams
/// named by a hash of their mailbox and item id (short and safe for any id), or, with another <see cref="ExportFormat"/>,
/// .msg/.eml files in a folder tree named by date and subject (<see cref="ExportItemWriter"/>); one folder, one format.
/// Writing is crash-safe: a file is written under a temporary name and renamed when complete, and its manifest
/// line is appended only after that, so a line always describes a whole file; a line cut short by a crash is
/// dropped on the next open. One writer at a time: the folder is locked while open.
/// </summary>
public sealed class ExportStore : IDisposable
{
    public const string ManifestFileName = ExportManifest.FileName;
    private const string LockFileName = ".export.lock";
    private const string PartialSuffix = ".partial";

    private readonly object _gate = new();
    private readonly FileStream _lock;
    private readonly FileStream _manifest;
    private readonly Dictionary<string, StoredItem> _index;
    private readonly ExportItemWriter _writer;
    private int _lineCount;
    private bool _hasSupersededLines, _disposed;

    private ExportStore(string directory, FileStream lockFile, Dictionary<string, StoredItem> index, int lineCount, ExportItemWriter writer)
    {
        Directory = directory;
        _writer = writer;
        _lock = lockFile;
        _index = index;
        _lineCount = lineCount;
        _manifest = new FileStream(ManifestPath, FileMode.Append, FileAccess.Write, FileShare.Read);
    }

    public string Directory { get; }
    public ExportFormat Format => _writer.Format;
    private string ManifestPath => Path.Combine(Directory, ManifestFileName);

    /// <summary>Opens (creating it if needed) an export folder for writing and reads what it already holds.</summary>
    /// <exception cref="IOException">Another export is writing to the folder.</exception>
    /// <exception cref="ExportFormatMismatchException">The folder holds items in another format.</exception>
    public static ExportStore Open(string directory, ExportFormat format = ExportFormat.Fts)
    {
        if (string.IsNullOrWhiteSpace(directory)) throw new ArgumentException("The export folder path is empty.", nameof(directory));
        var full = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(full);
        FileStream lockFile;
        try
        {
            lockFile = new FileStream(Path.Combine(full, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (IOException e)
        {
            throw new IOException($"Another export is writing to '{full}'. Wait for it to finish, or export into another folder.", e);
        }

        try
        {
            // Holding the lock, any partial file is a leftover of a run that stopped mid-write.
            foreach (var partial in System.IO.Directory.EnumerateFiles(full, "*" + PartialSuffix, SearchOption.AllDirectories)) File.Delete(partial);
            var manifest = Path.Combine(full, ManifestFileName);
            if (ExportManifest.RepairTail(manifest))
                EngineLog.Verbose($"The last line of {manifest} was incomplete (an earlier export stopped while writing it); it was dropped and its item will be exported again.");
            var index = new Dictionary<string, StoredItem>(StringComparer.Ordinal);
            var lineCount = 0;
            if (File.Exists(manifest))
            {
                foreach (var line in ExportManifest.ReadLines(manifest))
                {
                    lineCount = line.Number;
                    if (line.Entry is { } entry)
                    {
                        if (entry.FormatOrDefault != format) throw new ExportFormatMismatchException(full, entry.FormatOrDefault, format);
                        index[entry.Key] = new StoredItem(entry.ChangeKey, entry.File!, entry.Length, entry.Sha256!, line.Number);
                    }
                    else EngineLog.Warning(line.Problem!);
                }
            }
            return new ExportStore(full, lockFile, index, lineCount, ExportItemWriter.For(format)) { _hasSupersededLines = index.Count < lineCount };
        }
        catch
        {
            lockFile.Dispose();
            throw;
        }
    }

    /// <summary>The file name an item gets: a hash of its mailbox and item id, so any id is safe on every filesystem.</summary>
    public static string FileNameFor(string mailboxId, string itemId)
    {
        using var sha = SHA256.Create();
        var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(ExportManifest.KeyOf(mailboxId, itemId)));
        return FtsData.Hex(hash).Substring(0, 40) + ".fts";
    }

    /// <summary>
    /// True when the folder holds this version of the item (same ChangeKey) in a file whose SHA-256 matches its
    /// manifest line: exporting it again would change nothing, so it need not be downloaded.
    /// </summary>
    public bool HasCurrent(string mailboxId, string itemId, string? changeKey)
    {
        if (changeKey is null) return false;
        lock (_gate)
        {
            if (_disposed) throw new ObjectDisposedException(nameof(ExportStore));
            return _index.TryGetValue(ExportManifest.KeyOf(mailboxId, itemId), out var stored)
                   && string.Equals(stored.ChangeKey, changeKey, StringComparison.Ordinal) && IsIntact(stored);
        }
    }

    /// <summary>
    /// Writes an item unless the folder already holds it with the same ChangeKey in an intact file. An item stored
    /// with another ChangeKey is a conflict (<see cref="ExportStoreConflictException"/>) unless <paramref name="force"/>
    /// is set; <paramref name="force"/> also replaces an unchanged one.
    /// </summary>
    public ExportStoreWriteResult Write(ExExportedItem item, bool force = false)
    {
        if (item is null) throw new ArgumentNullException(nameof(item));
        if (item.Data is null) throw new ArgumentException("The item has no data to write.", nameof(item));
        var key = ExportManifest.KeyOf(item.SourceMailboxId, item.ItemId);
        lock (_gate)
        {
            if (_disposed) throw new ObjectDisposedException(nameof(ExportStore));
            var exists = _index.TryGetValue(key, out var stored);
            if (exists && !force && string.Equals(stored.ChangeKey, item.ChangeKey, StringComparison.Ordinal))
            {
                if (IsIntact(stored))
                {
                    EngineLog.Verbose($"Item {item.ItemId} of {item.SourceMailboxId} is already in '{Directory}' with ChangeKey {item.ChangeKey}; skipped.");
                    return ExportStoreWriteResult.Skipped;
                }
                EngineLog.Verbose($"The file of item {item.ItemId} in '{Directory}' is missing or damaged; writing it again.");
            }
            else if (exists && !force)
            {
                throw new ExportStoreConflictException(Directory, item.SourceMailboxId, item.ItemId, stored.ChangeKey, item.ChangeKey);
            }

            // A replaced item keeps its file's name; a new one gets a name no other item has.
            var fileName = exists ? stored.File : _writer.PathFor(item, IsTaken);
            var (length, sha256) = WriteItemFile(item, fileName);
            var entry = ManifestEntry.From(item, fileName, length, sha256);
            entry.Format = _writer.Format == ExportFormat.Fts ? null : _writer.Format;
            var line = ExportManifest.Serialize(entry);
            _manifest.Write(line, 0, line.Length);
            _manifest.Flush();
            _index[key] = new StoredItem(item.ChangeKey, fileName, length, sha256, ++_lineCount);
            _hasSupersededLines |= exists;
            return exists ? ExportStoreWriteResult.Replaced : ExportStoreWriteResult.Written;
        }
    }

    /// <summary>The full path of the file an item was written to, or null when the folder does not hold it.</summary>
    public string? PathOf(ExExportedItem item)
    {
        lock (_gate)
            return _index.TryGetValue(ExportManifest.KeyOf(item.SourceMailboxId, item.ItemId), out var stored)
                ? Path.GetFullPath(Path.Combine(Directory, stored.File))
                : null;
    }

    private bool IsTaken(string relativePath) =>
        _index.Values.Any(stored => string.Equals(stored.File, relativePath, StringComparison.OrdinalIgnoreCase))
        || File.Exists(Path.Combine(Directory, relativePath));

    /// <summary>
    /// Reads an export folder back, item by item, in manifest order. Each file is checked against the length and
    /// SHA-256 in its manifest line; a missing or damaged file yields a failed record naming it, and the other
    /// items still come. A last line cut short by a crash is skipped.
    /// </summary>
    public static IEnumerable<ExportStoreRecord> Read(string directory)
    {
        if (string.IsNullOrWhiteSpace(directory)) throw new ArgumentException("The export folder path is empty.", nameof(directory));
        var full = Path.GetFullPath(directory);
        var manifest = Path.Combine(full, ManifestFileName);
        if (!File.Exists(manifest))
            throw new FileNotFoundException($"'{full}' holds no {ManifestFileName}: it is not a folder written by Export-ExMailboxItem -Path.", manifest);
        return ReadRecords(full, manifest);
    }

    private static IEnumerable<ExportStoreRecord> ReadRecords(string directory, string manifest)
    {
        var lastLines = ExportManifest.LastLineOfEachItem(manifest);
        foreach (var line in ExportManifest.ReadLines(manifest))
        {
            if (line.Entry is not { } entry)
            {
                if (line.IsTruncatedTail) EngineLog.Verbose($"{line.Problem} It is the incomplete last line of an export that stopped while writing it; skipped.");
                else yield return ExportStoreRecord.Failed(line.Number, null, null, line.Problem!);
                continue;
            }
            if (lastLines[entry.Key] == line.Number) yield return Load(directory, line.Number, entry);
        }
        // A file no line names: its line was lost, or it was copied in. Reported, never imported blindly.
        var named = new HashSet<string>(ExportManifest.ReadLines(manifest).Where(l => l.Entry is not null).Select(l => l.Entry!.File!), StringComparer.OrdinalIgnoreCase);
        foreach (var file in System.IO.Directory.EnumerateFiles(directory, "*.fts").Select(Path.GetFileName).OrderBy(f => f, StringComparer.Ordinal))
            if (!named.Contains(file!))
                yield return ExportStoreRecord.Failed(0, file, null, $"The file {file} in '{directory}' has no line in {ManifestFileName}, so nothing says which item it is.");
    }

    private static ExportStoreRecord Load(string directory, int lineNumber, ManifestEntry entry)
    {
        var path = Path.Combine(directory, entry.File!);
        var what = $"The file {entry.File} of item {entry.ItemId} (line {lineNumber} of {ManifestFileName} in '{directory}')";
        if (entry.FormatOrDefault != ExportFormat.Fts)
            return ExportStoreRecord.Failed(lineNumber, entry.File, entry.ItemId,
                $"{what} is a .{entry.FormatOrDefault.ToString().ToLowerInvariant()} file, written for people to open (-Format {entry.FormatOrDefault}); only FastTransfer exports (-Format Fts) can be imported.");
        if (!File.Exists(path)) return ExportStoreRecord.Failed(lineNumber, entry.File, entry.ItemId, $"{what} is missing.");
        try
        {
            var data = FtsData.FromFile(path);
            var sha256 = data.Sha256();
            if (data.Length != entry.Length || !string.Equals(sha256, entry.Sha256, StringComparison.OrdinalIgnoreCase))
                return ExportStoreRecord.Failed(lineNumber, entry.File, entry.ItemId,
                    $"{what} is damaged: the manifest expects {entry.Length:N0} bytes with SHA-256 {entry.Sha256}, the file has {data.Length:N0} bytes with SHA-256 {sha256}.");
            return ExportStoreRecord.Success(lineNumber, entry.File!, entry.ToItem(FtsData.FromVerifiedFile(path, data.Length, sha256)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ExportStoreRecord.Failed(lineNumber, entry.File, entry.ItemId, $"{what} cannot be read: {e.Message}");
        }
    }

    /// <summary>The file is there with the length and SHA-256 its manifest line recorded (checked once per open).</summary>
    private bool IsIntact(StoredItem stored)
    {
        var file = new FileInfo(Path.Combine(Directory, stored.File));
        if (!file.Exists || file.Length != stored.Length) return false;
        try
        {
            return string.Equals(FtsData.FromFile(file.FullName).Sha256(), stored.Sha256, StringComparison.OrdinalIgnoreCase);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Writes the item's file under a temporary name, hashing it on the way, then renames it into place.</summary>
    private (long Length, string Sha256) WriteItemFile(ExExportedItem item, string relativePath)
    {
        var final = Path.Combine(Directory, relativePath);
        var folder = Path.GetDirectoryName(final);
        if (!string.IsNullOrEmpty(folder)) System.IO.Directory.CreateDirectory(folder);
        var partial = final + PartialSuffix;
        using var sha = SHA256.Create();
        long length;
        try
        {
            using (var target = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 81920))
            using (var hashing = new CryptoStream(target, sha, CryptoStreamMode.Write))
            {
                try
                {
                    _writer.Write(item, hashing);
                }
                catch (Fts.FtsFormatException e)
                {
                    throw new InvalidDataException($"Item {item.ItemId} could not be converted to a {_writer.Format} file: its stream is damaged ({e.Message}).", e);
                }
                hashing.FlushFinalBlock();
                length = target.Length;
            }
            if (File.Exists(final)) File.Replace(partial, final, destinationBackupFileName: null);
            else File.Move(partial, final);
        }
        catch
        {
            File.Delete(partial);
            throw;
        }
        return (length, FtsData.Hex(sha.Hash!));
    }

    /// <summary>
    /// Rewrites the manifest without the lines a later line replaced or that cannot be used (warned about at open),
    /// through a temporary file, so a crash loses nothing.
    /// </summary>
    private void Compact()
    {
        var partial = ManifestPath + PartialSuffix;
        using (var output = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            foreach (var line in ExportManifest.ReadLines(ManifestPath))
            {
                if (line.Entry is not { } entry || _index[entry.Key].LineNumber != line.Number) continue;
                var bytes = ExportManifest.Serialize(entry);
                output.Write(bytes, 0, bytes.Length);
            }
        }
        File.Replace(partial, ManifestPath, destinationBackupFileName: null);
    }

    /// <summary>Closes the manifest, drops the lines replaced during this run, and releases the folder.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _manifest.Dispose();
            try
            {
                if (_hasSupersededLines) Compact();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The manifest is still correct (a later line wins); only its tidying failed.
                EngineLog.Verbose($"Could not compact {ManifestPath}: {e.Message}");
            }
            finally
            {
                _lock.Dispose();
            }
        }
    }

    private readonly record struct StoredItem(string? ChangeKey, string File, long Length, string Sha256, int LineNumber);
}
