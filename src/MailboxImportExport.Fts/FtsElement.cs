using System.Buffers.Binary;

namespace MailboxImportExport.Fts;

public enum FtsElementKind
{
    /// <summary>A structural marker (StartRecip, NewAttach, StartEmbed…): a tag with no value.</summary>
    Marker,
    /// <summary>A meta-property (id 0x4000–0x40FF with a value: FXDelProp, EcWarning, DnPrefix…).</summary>
    MetaProperty,
    /// <summary>An ordinary or named property of the current object.</summary>
    Property,
}

/// <summary>One lexical element of a FastTransfer stream, as <see cref="FtsTokenizer"/> yields it.</summary>
public sealed class FtsElement
{
    internal FtsElement(FtsElementKind kind, uint tag, long offset)
    {
        Kind = kind;
        Tag = tag;
        Offset = offset;
    }

    public FtsElementKind Kind { get; }
    public uint Tag { get; }
    public ushort PropertyId => (ushort)(Tag >> 16);
    public ushort PropertyType => (ushort)Tag;

    /// <summary>Offset of the tag inside the FastTransfer stream.</summary>
    public long Offset { get; }

    /// <summary>The named-property identity, for ids ≥ 0x8000.</summary>
    public FtsNamedProperty? Named { get; internal set; }

    /// <summary>
    /// The value bytes: raw for fixed-size types, the content without its length prefix for variable-size types,
    /// and the wire form (count, then the values) for multi-valued types. Null for markers and skipped values.
    /// </summary>
    public byte[]? Value { get; internal set; }

    /// <summary>Size of the value in the stream: content bytes for variable-size types (what the length prefix said).</summary>
    public long ValueLength { get; internal set; }

    /// <summary>True when the value was longer than the tokenizer's limit and was skipped, not read.</summary>
    public bool ValueSkipped { get; internal set; }

    public bool IsMultiValued { get; internal set; }

    /// <summary>The value as text, for string and code-page string types; null otherwise or when skipped.</summary>
    public string? GetString()
    {
        if (Value is null || IsMultiValued) return null;
        var codePage = FtsText.CodePageOf(PropertyType);
        return codePage is null ? null : FtsText.Decode(Value, codePage.Value);
    }

    public int? GetInt32() =>
        Value is { Length: 4 } && PropertyType is FtsPropertyType.Int32 or FtsPropertyType.ErrorCode
            ? BinaryPrimitives.ReadInt32LittleEndian(Value)
            : null;

    public long? GetInt64() =>
        Value is { Length: 8 } && PropertyType == FtsPropertyType.Int64 ? BinaryPrimitives.ReadInt64LittleEndian(Value) : null;

    public bool? GetBoolean() =>
        Value is { Length: 2 } && PropertyType == FtsPropertyType.Boolean ? Value[0] != 0 || Value[1] != 0 : null;

    /// <summary>A PtypTime (FILETIME) value in UTC; null when out of range or not a time.</summary>
    public DateTime? GetTime()
    {
        if (Value is not { Length: 8 } || PropertyType != FtsPropertyType.Time) return null;
        var fileTime = BinaryPrimitives.ReadInt64LittleEndian(Value);
        return fileTime is >= 0 and <= MaxFileTime ? DateTime.FromFileTimeUtc(fileTime) : null;
    }

    // DateTime.MaxValue as a FILETIME: larger values make FromFileTimeUtc throw.
    private const long MaxFileTime = 2650467743999999999;

    public override string ToString() => Named is null ? $"0x{Tag:X8} {Kind}" : $"0x{Tag:X8} {Kind} {Named}";
}
