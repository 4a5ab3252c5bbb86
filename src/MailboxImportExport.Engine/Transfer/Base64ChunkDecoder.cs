using System.Buffers;
using System.Buffers.Text;

namespace MailboxImportExport.Engine.Transfer;

/// <summary>
/// Decodes base64 that arrives in pieces (a JSON string read from the network, a string cut into chunks) with
/// fixed buffers: callers append characters until <see cref="IsFull"/>, then take the decoded bytes.
/// Whitespace is skipped, as Convert.FromBase64String does.
/// </summary>
internal sealed class Base64ChunkDecoder
{
    /// <summary>Base64 characters staged before a decode: 64 KiB of text, 48 KiB of bytes.</summary>
    public const int ChunkSize = 64 * 1024;

    private readonly byte[] _staged = new byte[ChunkSize];
    private readonly byte[] _decoded = new byte[ChunkSize / 4 * 3];
    private int _count;

    public bool IsFull => _count == _staged.Length;

    /// <summary>Stages as many characters as fit and returns how many of <paramref name="chars"/> were taken.</summary>
    public int Append(ReadOnlySpan<byte> chars)
    {
        var taken = 0;
        while (taken < chars.Length && _count < _staged.Length)
        {
            var c = chars[taken++];
            if (c is (byte)' ' or (byte)'\r' or (byte)'\n' or (byte)'\t') continue;
            _staged[_count++] = c;
        }
        return taken;
    }

    /// <summary>
    /// Decodes what is staged and returns the bytes (valid until the next call). Until <paramref name="isFinal"/>
    /// the last quad is held back: padding is only valid at the very end.
    /// </summary>
    /// <exception cref="FormatException">The text is not base64.</exception>
    public ArraySegment<byte> Decode(bool isFinal)
    {
        var length = isFinal ? _count : (_count - 1) / 4 * 4;
        if (length <= 0) return new ArraySegment<byte>(_decoded, 0, 0);
        var status = Base64.DecodeFromUtf8(new ReadOnlySpan<byte>(_staged, 0, length), _decoded, out var consumed, out var written, isFinal);
        if (status != OperationStatus.Done)
            throw new FormatException(isFinal && length % 4 != 0
                ? "The item data is not valid base64: its length is not a multiple of 4."
                : "The item data is not valid base64: it holds a character outside the base64 alphabet or misplaced padding.");
        Buffer.BlockCopy(_staged, consumed, _staged, 0, _count - consumed);
        _count -= consumed;
        return new ArraySegment<byte>(_decoded, 0, written);
    }
}
