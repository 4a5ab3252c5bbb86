using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace MailboxImportExport.Engine.Transfer;

/// <summary>
/// The bytes of one exported item (its FastTransfer stream). Small items are held in memory; items above the
/// spill threshold live in a temp file that is deleted on <see cref="Dispose"/> (or, failing that, when the object
/// is collected or the process exits). Items read from an export folder are backed by their file, never copied.
/// The data is immutable, so it can be read any number of times, from any thread, until it is disposed. Data the
/// copy core decodes for itself lives in an array of the shared pool, given back on <see cref="Dispose"/>, so a long
/// copy turns over a few arrays instead of leaving every item's bytes to the garbage collector.
/// </summary>
public sealed class FtsData : IDisposable
{
    /// <summary>Items larger than this are written to a temp file instead of being held in memory.</summary>
    public const long DefaultSpillThreshold = 8L * 1024 * 1024;

    private readonly byte[]? _bytes;
    private readonly bool _pooled;
    private readonly string? _path;
    private readonly TempFile? _ownedFile;
    private string? _sha256;
    private int _disposed;

    private FtsData(byte[] bytes, int length, bool pooled)
    {
        _bytes = bytes;
        Length = length;
        _pooled = pooled;
    }

    private FtsData(string path, long length, TempFile? ownedFile, string? sha256)
    {
        _path = path;
        Length = length;
        _ownedFile = ownedFile;
        _sha256 = sha256;
    }

    public long Length { get; }

    /// <summary>False when the data lives in a file (a spilled temp file or an export folder's file).</summary>
    public bool IsInMemory => _bytes is not null;

    /// <summary>The backing file, when there is one.</summary>
    internal string? FilePath => _path;

    /// <summary>Wraps <paramref name="bytes"/> without copying them: do not change the array afterwards.</summary>
    public static FtsData FromBytes(byte[] bytes)
    {
        if (bytes is null) throw new ArgumentNullException(nameof(bytes));
        return new FtsData(bytes, bytes.Length, pooled: false);
    }

    /// <summary>The first <paramref name="length"/> bytes of an array rented from the shared pool, returned to it on Dispose.</summary>
    internal static FtsData FromPooled(byte[] rented, int length) => new(rented, length, pooled: true);

    /// <summary>Reads from <paramref name="path"/> whenever the data is read; the file is neither copied nor ever deleted.</summary>
    public static FtsData FromFile(string path)
    {
        if (string.IsNullOrEmpty(path)) throw new ArgumentException("The path is empty.", nameof(path));
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"The item file '{path}' does not exist.", path);
        return new FtsData(info.FullName, info.Length, ownedFile: null, sha256: null);
    }

    /// <summary>An export folder's file whose hash was just verified, so it is not computed again.</summary>
    internal static FtsData FromVerifiedFile(string path, long length, string sha256) => new(path, length, ownedFile: null, sha256);

    /// <summary>
    /// Decodes a base64 string (as the service sends <c>data</c>) chunk by chunk, spilling to a temp file above
    /// <paramref name="spillThreshold"/>, so no second full-size copy is built besides the string itself.
    /// </summary>
    public static FtsData FromBase64(string base64, long spillThreshold = DefaultSpillThreshold)
    {
        if (base64 is null) throw new ArgumentNullException(nameof(base64));
        using var decoder = new Base64FtsDataDecoder(spillThreshold);
        var utf8 = new byte[Base64FtsDataDecoder.ChunkSize];
        for (var offset = 0; offset < base64.Length; offset += utf8.Length)
        {
            // Non-ASCII characters become '?', which the decoder rejects as it should.
            var count = Encoding.ASCII.GetBytes(base64, offset, Math.Min(utf8.Length, base64.Length - offset), utf8, 0);
            decoder.Write(new ReadOnlySpan<byte>(utf8, 0, count));
        }
        return decoder.Complete();
    }

    internal static FtsData FromSpilledFile(TempFile file, long length) => new(file.Path, length, file, sha256: null);

    /// <summary>A fresh read-only stream over the data; the caller disposes it.</summary>
    public Stream OpenRead()
    {
        if (_pooled && IsDisposed) throw new ObjectDisposedException(nameof(FtsData), "The item's memory was given back when it was disposed.");
        if (_bytes is not null) return new MemoryStream(_bytes, 0, (int)Length, writable: false);
        if (_ownedFile is not null && IsDisposed) throw new ObjectDisposedException(nameof(FtsData), "The item's temp file was deleted when it was disposed.");
        return new FileStream(_path!, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81920, FileOptions.SequentialScan);
    }

    /// <summary>All bytes as one array. Meant for small items and tests; large items should be streamed with <see cref="OpenRead"/>.</summary>
    public byte[] ReadAllBytes()
    {
        using var stream = OpenRead();
        var result = new byte[Length];
        var read = 0;
        while (read < result.Length)
        {
            var n = stream.Read(result, read, result.Length - read);
            if (n == 0) throw new IOException($"The item data ended after {read} of {Length} bytes; its file changed after it was exported.");
            read += n;
        }
        return result;
    }

    /// <summary>The SHA-256 of the data as lowercase hex; computed once.</summary>
    public string Sha256()
    {
        if (_sha256 is not null) return _sha256;
        using var stream = OpenRead();
        using var sha = SHA256.Create();
        return _sha256 = Hex(sha.ComputeHash(stream));
    }

    internal static string Hex(byte[] hash)
    {
        const string digits = "0123456789abcdef";
        var text = new char[hash.Length * 2];
        for (var i = 0; i < hash.Length; i++)
        {
            text[2 * i] = digits[hash[i] >> 4];
            text[2 * i + 1] = digits[hash[i] & 0xF];
        }
        return new string(text);
    }

    private bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>
    /// Deletes the temp file of a spilled item, or gives pooled memory back (it cannot be read after that); other data in
    /// memory or in an export folder is left alone.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _ownedFile?.Dispose();
        if (_pooled) ArrayPool<byte>.Shared.Return(_bytes!);
    }

    public override string ToString() => $"{Length:N0} bytes ({(IsInMemory ? "in memory" : "on disk")})";
}
