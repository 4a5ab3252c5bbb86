using System.Buffers;
using System.Buffers.Text;

namespace MailboxImportExport.Engine.Transfer;

/// <summary>
/// Turns base64 text that arrives in pieces (a JSON string read from the network, a string cut into chunks) into
/// an <see cref="FtsData"/>, with fixed buffers (rented from the shared pool, given back by Complete or Dispose): the
/// text is staged 64 KiB at a time and decoded into an <see cref="FtsDataBuilder"/> (memory, then a temp file above the
/// spill threshold). Whitespace is skipped, as Convert.FromBase64String does. Disposing it before
/// <see cref="Complete"/> deletes what was written.
/// </summary>
internal sealed class Base64FtsDataDecoder : IDisposable
{
    /// <summary>Base64 characters staged before a decode: 64 KiB of text, 48 KiB of bytes.</summary>
    public const int ChunkSize = 64 * 1024;

    private byte[]? _staged = ArrayPool<byte>.Shared.Rent(ChunkSize);
    private byte[]? _decoded = ArrayPool<byte>.Shared.Rent(ChunkSize / 4 * 3);
    private readonly FtsDataBuilder _builder;
    private int _count;

    /// <param name="pooled">The result's owner disposes it (see <see cref="FtsDataBuilder"/>).</param>
    public Base64FtsDataDecoder(long spillThreshold, bool pooled = false) => _builder = new FtsDataBuilder(spillThreshold, pooled);

    /// <exception cref="FormatException">The text is not base64.</exception>
    public void Write(ReadOnlySpan<byte> text)
    {
        foreach (var c in text)
        {
            if (c is (byte)' ' or (byte)'\r' or (byte)'\n' or (byte)'\t') continue;
            _staged![_count++] = c;
            if (_count == ChunkSize) Decode(isFinal: false);
        }
    }

    /// <exception cref="FormatException">The text is not base64.</exception>
    public FtsData Complete()
    {
        Decode(isFinal: true);
        var data = _builder.Complete();
        ReturnBuffers();
        return data;
    }

    /// <summary>
    /// Decodes what is staged into the builder. Until <paramref name="isFinal"/> the last quad is held back:
    /// padding is only valid at the very end.
    /// </summary>
    private void Decode(bool isFinal)
    {
        var length = isFinal ? _count : (_count - 1) / 4 * 4;
        if (length <= 0) return;
        var status = Base64.DecodeFromUtf8(new ReadOnlySpan<byte>(_staged, 0, length), _decoded.AsSpan(0, ChunkSize / 4 * 3), out var consumed, out var written, isFinal);
        if (status != OperationStatus.Done)
            throw new FormatException(isFinal && length % 4 != 0
                ? "The item data is not valid base64: its length is not a multiple of 4."
                : "The item data is not valid base64: it holds a character outside the base64 alphabet or misplaced padding.");
        Buffer.BlockCopy(_staged!, consumed, _staged!, 0, _count - consumed);
        _count -= consumed;
        _builder.Write(new ArraySegment<byte>(_decoded!, 0, written));
    }

    private void ReturnBuffers()
    {
        if (_staged is not null) ArrayPool<byte>.Shared.Return(_staged);
        if (_decoded is not null) ArrayPool<byte>.Shared.Return(_decoded);
        _staged = _decoded = null;
    }

    public void Dispose()
    {
        _builder.Dispose();
        ReturnBuffers();
    }
}
