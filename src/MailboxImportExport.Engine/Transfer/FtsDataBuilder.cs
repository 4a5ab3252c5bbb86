using System.Buffers;

namespace MailboxImportExport.Engine.Transfer;

/// <summary>
/// Collects an item's bytes as they are decoded: in memory up to the spill threshold, then in a temp file, so a
/// 100 MB item never sits in memory. The memory is rented from the shared pool; a pooled result keeps it (and gives it
/// back when disposed), any other gets an exact-size copy. Disposing a builder that was not completed deletes what it
/// wrote.
/// </summary>
internal sealed class FtsDataBuilder : IDisposable
{
    private readonly long _spillThreshold;
    private readonly bool _pooled;
    private byte[]? _memory;
    private TempFile? _file;
    private FileStream? _fileStream;
    private long _length;
    private bool _completed;

    /// <param name="pooled">The result's owner disposes it once done with it (<see cref="FtsData.Dispose"/>), so it may keep the pooled array.</param>
    public FtsDataBuilder(long spillThreshold, bool pooled = false)
    {
        _spillThreshold = Math.Max(0, spillThreshold);
        _pooled = pooled;
    }

    public void Write(ArraySegment<byte> bytes)
    {
        if (bytes.Count == 0) return;
        var needed = _length + bytes.Count;
        if (_fileStream is null && needed > _spillThreshold) Spill();
        if (_fileStream is not null)
        {
            _fileStream.Write(bytes.Array!, bytes.Offset, bytes.Count);
        }
        else
        {
            if (_memory is null || needed > _memory.Length) Grow((int)needed);
            Buffer.BlockCopy(bytes.Array!, bytes.Offset, _memory!, (int)_length, bytes.Count);
        }
        _length = needed;
    }

    /// <summary>A bigger pooled array (at least twice the old, at most the threshold unless more is needed) with what was written.</summary>
    private void Grow(int needed)
    {
        var size = (int)Math.Max(needed, Math.Min(2L * (_memory?.Length ?? 0), _spillThreshold));
        var bigger = ArrayPool<byte>.Shared.Rent(size);
        if (_memory is not null)
        {
            Buffer.BlockCopy(_memory, 0, bigger, 0, (int)_length);
            ArrayPool<byte>.Shared.Return(_memory);
        }
        _memory = bigger;
    }

    private void Spill()
    {
        _file = TempFile.Create();
        _fileStream = new FileStream(_file.Path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920);
        if (_memory is null) return;
        _fileStream.Write(_memory, 0, (int)_length);
        ReturnMemory();
    }

    public FtsData Complete()
    {
        _completed = true;
        if (_fileStream is not null)
        {
            _fileStream.Dispose();
            return FtsData.FromSpilledFile(_file!, _length);
        }
        if (_memory is null) return FtsData.FromBytes(Array.Empty<byte>());
        if (_pooled)
        {
            var rented = _memory;
            _memory = null;
            return FtsData.FromPooled(rented, (int)_length);
        }
        // An item whose owner may never dispose it (down a pipeline) gets an exact-size array of its own.
        var exact = new byte[_length];
        Buffer.BlockCopy(_memory, 0, exact, 0, exact.Length);
        ReturnMemory();
        return FtsData.FromBytes(exact);
    }

    private void ReturnMemory()
    {
        if (_memory is null) return;
        ArrayPool<byte>.Shared.Return(_memory);
        _memory = null;
    }

    public void Dispose()
    {
        _fileStream?.Dispose();
        if (!_completed) _file?.Dispose();
        ReturnMemory();
    }
}
