namespace MailboxImportExport.Engine.Transfer;

/// <summary>
/// Collects an item's bytes as they are decoded: in memory up to the spill threshold, then in a temp file, so a
/// 100 MB item never sits in memory. Disposing a builder that was not completed deletes what it wrote.
/// </summary>
internal sealed class FtsDataBuilder : IDisposable
{
    private readonly long _spillThreshold;
    private MemoryStream? _memory = new();
    private TempFile? _file;
    private FileStream? _fileStream;
    private long _length;
    private bool _completed;

    public FtsDataBuilder(long spillThreshold) => _spillThreshold = Math.Max(0, spillThreshold);

    public void Write(ArraySegment<byte> bytes)
    {
        if (bytes.Count == 0) return;
        var needed = _length + bytes.Count;
        if (_memory is not null && needed > _spillThreshold) Spill();
        if (_memory is not null && needed > _memory.Capacity)
        {
            // MemoryStream would double past the threshold (up to twice the data, both arrays alive while it
            // copies); growing no further than the threshold keeps the transient peak at 1.5 times it.
            _memory.Capacity = (int)Math.Max(needed, Math.Min(2L * _memory.Capacity, _spillThreshold));
        }
        (_fileStream ?? (Stream)_memory!).Write(bytes.Array!, bytes.Offset, bytes.Count);
        _length += bytes.Count;
    }

    private void Spill()
    {
        _file = TempFile.Create();
        _fileStream = new FileStream(_file.Path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920);
        _memory!.WriteTo(_fileStream);
        _memory = null;
    }

    public FtsData Complete()
    {
        _completed = true;
        // An item kept in memory may live long (down a pipeline), so it gets an exact-size array: it is below the
        // threshold, so the copy is cheap, and the growth slack (up to half the buffer) is given back.
        if (_memory is not null) return FtsData.FromBytes(_memory.Capacity == _length ? _memory.GetBuffer() : _memory.ToArray());
        _fileStream!.Dispose();
        return FtsData.FromSpilledFile(_file!, _length);
    }

    public void Dispose()
    {
        _fileStream?.Dispose();
        if (!_completed) _file?.Dispose();
    }
}
