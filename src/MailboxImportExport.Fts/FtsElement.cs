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

    /// <summary>
    /// True when the value was not read into <see cref="Value"/>: longer than the tokenizer's limit, or declined by its
    /// <see cref="FtsTokenizer.KeepValue"/> (and then left for <see cref="FtsTokenizer.CopyValueTo"/>).
    /// </summary>
    public bool ValueSkipped { get; internal set; }

    public bool IsMultiValued { get; internal set; }

    /// <summary>The value as text, for string and code-page string types; null otherwise or when skipped.</summary>
    public string? GetString() => IsMultiValued ? null : FtsValue.String(PropertyType, Value);

    public int? GetInt32() => FtsValue.Int32(PropertyType, Value);

    public long? GetInt64() => FtsValue.Int64(PropertyType, Value);

    public bool? GetBoolean() => FtsValue.Boolean(PropertyType, Value);

    /// <summary>A PtypTime (FILETIME) value in UTC; null when out of range or not a time.</summary>
    public DateTime? GetTime() => FtsValue.Time(PropertyType, Value);

    public override string ToString() => Named is null ? $"0x{Tag:X8} {Kind}" : $"0x{Tag:X8} {Kind} {Named}";
}
