using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace MailboxImportExport.Fts;

/// <summary>
/// Pull tokenizer of a FastTransfer stream (MS-OXCFXICS §2.2.4.1). Reads one element at a time from a stream, so a
/// 100 MB item never has to sit in memory: values longer than <see cref="MaxValueBytes"/> are skipped (through
/// <see cref="FtsPayloadStream.Skip"/> when the input is an envelope) and reported with <see cref="FtsElement.ValueSkipped"/>.
/// Throws <see cref="FtsFormatException"/> with the offset on anything it cannot size, such as an unknown type.
/// </summary>
public sealed class FtsTokenizer
{
    /// <summary>Default limit of a value kept in memory; attachment data above it is skipped.</summary>
    public const int DefaultMaxValueBytes = 64 * 1024;

    // Garbage input must fail fast, not loop over a huge element count or an endless name.
    private const int MaxMultiValueCount = 1 << 20;
    private const int MaxNameChars = 4096;
    private const int CopyChunkBytes = 16 * 1024;

    private readonly Stream _input;
    private readonly byte[] _scratch = new byte[16];

    // The value of the element last read that was left in the stream (KeepValue said no): skipped by the next Read
    // unless CopyValueTo streams it first.
    private long _pendingValueBytes;
    private long _pendingValueStart;

    /// <param name="fts">The bare FastTransfer stream; use <see cref="FtsPayloadStream.Open"/> for an export envelope.</param>
    /// <param name="maxValueBytes">Values longer than this are skipped, not read.</param>
    public FtsTokenizer(Stream fts, int maxValueBytes = DefaultMaxValueBytes)
    {
        _input = fts ?? throw new ArgumentNullException(nameof(fts));
        MaxValueBytes = maxValueBytes;
    }

    public int MaxValueBytes { get; }

    /// <summary>
    /// Asked before a single variable-size value is read (the element's tag and name are known; multi-valued and
    /// fixed-size values are not asked): false leaves the value in the stream (<see cref="FtsElement.ValueSkipped"/>, no
    /// array allocated) for <see cref="CopyValueTo"/> to stream before the next <see cref="Read"/>, which otherwise skips
    /// it; until then <see cref="Position"/> is where that value starts. A reader that needs a few properties of every
    /// item reads only those; null keeps every value up to <see cref="MaxValueBytes"/>.
    /// </summary>
    public Func<FtsElement, bool>? KeepValue { get; set; }

    /// <summary>Offset in the FastTransfer stream of the next byte to read.</summary>
    public long Position { get; private set; }

    /// <summary>The next element, or null at the end of the stream (which must fall between elements).</summary>
    public FtsElement? Read()
    {
        SkipPendingValue();
        var start = Position;
        var read = ReadUpTo(_scratch, 4);
        if (read == 0) return null;
        if (read < 4) throw new FtsFormatException("Stream truncated inside a property tag", start);
        var tag = BinaryPrimitives.ReadUInt32LittleEndian(_scratch);

        if (FtsMarker.IsMarker(tag)) return new FtsElement(FtsElementKind.Marker, tag, start);

        var id = (ushort)(tag >> 16);
        var kind = id is >= 0x4000 and <= 0x40FF ? FtsElementKind.MetaProperty : FtsElementKind.Property;
        var element = new FtsElement(kind, tag, start);
        if (kind == FtsElementKind.Property && id >= FtsPropertyId.FirstNamed)
        {
            element.Named = ReadNamedProperty(start);
        }
        ReadValue(element);
        return element;
    }

    private FtsNamedProperty ReadNamedProperty(long elementStart)
    {
        var guidBytes = new byte[16];
        ReadExactly(guidBytes, 16, "named property GUID", elementStart);
        var propertySet = new Guid(guidBytes);
        ReadExactly(_scratch, 1, "named property kind", elementStart);
        switch (_scratch[0])
        {
            case 0:
                return new FtsNamedProperty(propertySet, ReadUInt32("named property LID", elementStart));
            case 1:
                return new FtsNamedProperty(propertySet, ReadNulTerminatedName(elementStart));
            default:
                throw new FtsFormatException($"Unknown named property kind {_scratch[0]}", Position - 1);
        }
    }

    private string ReadNulTerminatedName(long elementStart)
    {
        var name = new StringBuilder();
        while (true)
        {
            ReadExactly(_scratch, 2, "named property name", elementStart);
            var c = (char)BinaryPrimitives.ReadUInt16LittleEndian(_scratch);
            if (c == '\0') break;
            if (name.Length == MaxNameChars) throw new FtsFormatException("Named property name is not terminated", elementStart);
            name.Append(c);
        }
        if (name.Length == 0) throw new FtsFormatException("Named property has an empty name", elementStart);
        return name.ToString();
    }

    private void ReadValue(FtsElement element)
    {
        var type = element.PropertyType;
        if (element.Tag == FtsMarker.MetaTagIdsetGiven)
        {
            // Typed int32, but the value is a counted binary (MS-OXCFXICS §2.2.4.1.5.1).
            ReadVariableValue(element);
            return;
        }
        if ((type & FtsPropertyType.CodePageFlag) != 0)
        {
            if (FtsPropertyType.IsMultiValued(type)) ReadMultiValue(element, baseFixedSize: null);
            else ReadVariableValue(element);
            return;
        }
        if ((type & FtsPropertyType.MultiValueFlag) != 0)
        {
            var baseType = (ushort)(type & ~FtsPropertyType.MultiValueFlag);
            var baseSize = FtsPropertyType.FixedSizeOf(baseType);
            if (baseSize is null && !FtsPropertyType.IsVariableSize(baseType)) throw UnknownType(element);
            ReadMultiValue(element, baseSize);
            return;
        }
        var size = FtsPropertyType.FixedSizeOf(type);
        if (size is not null)
        {
            var value = new byte[size.Value];
            ReadExactly(value, value.Length, "property value", element.Offset);
            element.Value = value;
            element.ValueLength = value.Length;
            return;
        }
        if (!FtsPropertyType.IsVariableSize(type)) throw UnknownType(element);
        ReadVariableValue(element);
    }

    private static FtsFormatException UnknownType(FtsElement element) =>
        new($"Unknown property type 0x{element.PropertyType:X4} in tag 0x{element.Tag:X8}", element.Offset);

    private void ReadVariableValue(FtsElement element)
    {
        var length = ReadUInt32("value length", element.Offset);
        element.ValueLength = length;
        if (KeepValue is { } keep && !keep(element))
        {
            _pendingValueBytes = length;
            _pendingValueStart = element.Offset;
            element.ValueSkipped = true;
            return;
        }
        if (length > MaxValueBytes)
        {
            Skip(length, element.Offset);
            element.ValueSkipped = true;
            return;
        }
        var value = new byte[length];
        ReadExactly(value, value.Length, "property value", element.Offset);
        element.Value = value;
    }

    /// <summary>Reads a multi-valued property, keeping its wire form (count, then values) when it fits the limit.</summary>
    private void ReadMultiValue(FtsElement element, int? baseFixedSize)
    {
        element.IsMultiValued = true;
        var count = ReadUInt32("multi-value count", element.Offset);
        if (count > MaxMultiValueCount) throw new FtsFormatException($"Multi-value count {count} is implausible", element.Offset);
        var wire = new MemoryStream();
        WriteUInt32(wire, count);
        var keep = true;
        for (var i = 0; i < count; i++)
        {
            long itemLength = baseFixedSize is { } fixedSize ? fixedSize : ReadUInt32("multi-value item length", element.Offset);
            if (baseFixedSize is null) WriteUInt32(wire, (uint)itemLength);
            keep &= wire.Length + itemLength <= MaxValueBytes;
            if (keep)
            {
                var item = new byte[itemLength];
                ReadExactly(item, item.Length, "multi-value item", element.Offset);
                wire.Write(item, 0, item.Length);
            }
            else
            {
                Skip(itemLength, element.Offset);
            }
        }
        element.ValueLength = Position - element.Offset;
        element.ValueSkipped = !keep;
        element.Value = keep ? wire.ToArray() : null;
    }

    /// <summary>
    /// Streams the value of the element just read, which <see cref="KeepValue"/> left in the stream, to
    /// <paramref name="write"/> (buffer, offset, count) in chunks; nothing when there is no such value.
    /// </summary>
    public void CopyValueTo(Action<byte[], int, int> write)
    {
        if (write is null) throw new ArgumentNullException(nameof(write));
        if (_pendingValueBytes == 0) return;
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(_pendingValueBytes, CopyChunkBytes));
        try
        {
            while (_pendingValueBytes > 0)
            {
                var count = (int)Math.Min(_pendingValueBytes, buffer.Length);
                ReadExactly(buffer, count, "property value", _pendingValueStart);
                _pendingValueBytes -= count;
                write(buffer, 0, count);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void SkipPendingValue()
    {
        if (_pendingValueBytes == 0) return;
        var count = _pendingValueBytes;
        _pendingValueBytes = 0;
        Skip(count, _pendingValueStart);
    }

    private uint ReadUInt32(string what, long elementStart)
    {
        ReadExactly(_scratch, 4, what, elementStart);
        return BinaryPrimitives.ReadUInt32LittleEndian(_scratch);
    }

    private static void WriteUInt32(Stream output, uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        output.Write(bytes, 0, 4);
    }

    private void ReadExactly(byte[] buffer, int count, string what, long elementStart)
    {
        if (ReadUpTo(buffer, count) < count)
        {
            throw new FtsFormatException($"Stream truncated inside the {what} of the element at {elementStart}", Position);
        }
    }

    private int ReadUpTo(byte[] buffer, int count)
    {
        var read = _input.ReadUpTo(buffer, 0, count);
        Position += read;
        return read;
    }

    private void Skip(long count, long elementStart)
    {
        if (_input is FtsPayloadStream payload)
        {
            // Across TransferBuffer records, seeking the envelope underneath when it can.
            payload.Skip(count);
            Position += count;
            return;
        }
        var skipped = _input.SkipBytes(count);
        Position += skipped;
        if (skipped < count) throw new FtsFormatException($"Stream truncated inside the value of the element at {elementStart}", Position);
    }
}
