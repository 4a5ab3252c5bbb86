using System.Buffers.Binary;
using System.Text;

namespace MailboxImportExport.Fts.Conversion;

/// <summary>
/// PidTagRtfCompressed (MS-OXRTFCP): the LZ77 variant ("LZFu") Outlook stores RTF bodies in, and the uncompressed form
/// ("MELA"). Some items and .msg files have their body only this way; the text goes to HTML through RtfPipe, which
/// also takes the original HTML back out of RTF that encapsulates it.
/// </summary>
public static class CompressedRtf
{
    private const uint Compressed = 0x75465A4C;   // "LZFu"
    private const uint Uncompressed = 0x414C454D; // "MELA"
    private const int HeaderSize = 16;
    private const int DictionarySize = 4096;

    /// <summary>The dictionary's initial contents (MS-OXRTFCP 2.1.2.1).</summary>
    private static readonly byte[] Preload = Encoding.ASCII.GetBytes(
        "{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss \\fmodern \\fscript \\fdecor MS Sans SerifSymbolArialTimes New RomanCourier" +
        "{\\colortbl\\red0\\green0\\blue0\r\n\\par \\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx");

    /// <summary>The RTF text of a PidTagRtfCompressed value.</summary>
    /// <exception cref="InvalidDataException">The value is not compressed RTF.</exception>
    public static byte[] Decompress(byte[] value)
    {
        if (value is null) throw new ArgumentNullException(nameof(value));
        if (value.Length < HeaderSize) throw new InvalidDataException("Compressed RTF is shorter than its 16-byte header.");
        var compressedSize = BinaryPrimitives.ReadUInt32LittleEndian(value);
        var rawSize = BinaryPrimitives.ReadUInt32LittleEndian(value.AsSpan(4));
        var type = BinaryPrimitives.ReadUInt32LittleEndian(value.AsSpan(8));
        var end = (int)Math.Min(value.Length, (long)compressedSize + 4);
        if (type == Uncompressed) return value.Skip(HeaderSize).Take((int)Math.Min(rawSize, (uint)(value.Length - HeaderSize))).ToArray();
        if (type != Compressed) throw new InvalidDataException($"Compressed RTF has an unknown type 0x{type:X8}.");

        var dictionary = new byte[DictionarySize];
        Preload.CopyTo(dictionary, 0);
        var write = Preload.Length;
        var output = new MemoryStream((int)Math.Min(rawSize, 64 * 1024 * 1024));
        var position = HeaderSize;
        while (position < end)
        {
            var control = value[position++];
            for (var bit = 0; bit < 8 && position < end; bit++)
            {
                if ((control & (1 << bit)) == 0)
                {
                    var literal = value[position++];
                    output.WriteByte(literal);
                    dictionary[write] = literal;
                    write = (write + 1) % DictionarySize;
                    continue;
                }
                if (position + 1 >= end) throw new InvalidDataException("Compressed RTF ends inside a dictionary reference.");
                var reference = (value[position] << 8) | value[position + 1];
                position += 2;
                var offset = reference >> 4;
                var length = (reference & 0xF) + 2;
                if (offset == write) return output.ToArray(); // the end marker
                for (var i = 0; i < length; i++)
                {
                    var b = dictionary[(offset + i) % DictionarySize];
                    output.WriteByte(b);
                    dictionary[write] = b;
                    write = (write + 1) % DictionarySize;
                }
            }
        }
        return output.ToArray();
    }

    /// <summary>The body as HTML: the HTML an RTF body encapsulates, or the RTF rendered as HTML; null when it cannot be read.</summary>
    public static string? ToHtml(byte[] compressedRtf)
    {
        try
        {
            var rtf = Decompress(compressedRtf);
            // RTF is 7-bit text with escapes; its declared code page is applied by the converter.
            return RtfPipe.Rtf.ToHtml(Encoding.GetEncoding(28591).GetString(rtf));
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or ArgumentException or InvalidOperationException or NotSupportedException)
        {
            return null;
        }
    }
}
