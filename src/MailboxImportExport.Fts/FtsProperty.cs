using System.Buffers.Binary;
using System.Text;

namespace MailboxImportExport.Fts;

/// <summary>
/// One property of a message, recipient or attachment: its tag, its named-property identity when the id is ≥ 0x8000,
/// and its value encoded the way it travels after the tag. The factories encode like Exchange Online exports do: every
/// string as a UTF-16LE code-page string (0x84B0) with its NUL terminator counted in the length, booleans in two bytes.
/// </summary>
public sealed class FtsProperty
{
    private FtsProperty(uint tag, byte[] wireValue, FtsNamedProperty? named)
    {
        Tag = tag;
        WireValue = wireValue;
        Named = named;
    }

    public uint Tag { get; }
    public ushort PropertyId => (ushort)(Tag >> 16);
    public ushort PropertyType => (ushort)Tag;
    public FtsNamedProperty? Named { get; }
    public bool IsMultiValued => FtsPropertyType.IsMultiValued(PropertyType);

    /// <summary>The bytes written after the tag (and named-property identity): length prefix included for variable types.</summary>
    internal byte[] WireValue { get; }

    /// <summary>
    /// The value without its length prefix: the raw bytes of a fixed-size value, the content of a string, binary or
    /// object, or the wire form (count, then the values) of a multi-valued property.
    /// </summary>
    public byte[] GetBytes() => HasLengthPrefix(PropertyType) ? WireValue.Skip(4).ToArray() : (byte[])WireValue.Clone();

    /// <summary>Size of the value: the content length of a variable-size value, else the wire size.</summary>
    public int ValueLength => HasLengthPrefix(PropertyType) ? WireValue.Length - 4 : WireValue.Length;

    public string? GetString() => FtsPropertyType.IsString(PropertyType) ? FtsValue.String(PropertyType, GetBytes()) : null;
    public int? GetInt32() => FtsValue.Int32(PropertyType, WireValue);
    public long? GetInt64() => FtsValue.Int64(PropertyType, WireValue);
    public bool? GetBoolean() => FtsValue.Boolean(PropertyType, WireValue);
    public DateTime? GetTime() => FtsValue.Time(PropertyType, WireValue);

    /// <summary>The content of a binary, object or server-id value; null for other types.</summary>
    public byte[]? GetBinary() =>
        PropertyType is FtsPropertyType.Binary or FtsPropertyType.Object or FtsPropertyType.ServerId ? GetBytes() : null;

    /// <summary>Any tag with its value exactly as it travels after the tag (for variable-size types, with the length prefix).</summary>
    public static FtsProperty Raw(uint tag, byte[] wireValue) => new(tag, (byte[])wireValue.Clone(), null);

    /// <summary>A property as the tokenizer read it (its value kept, not skipped).</summary>
    public static FtsProperty FromElement(FtsElement element)
    {
        if (element is null) throw new ArgumentNullException(nameof(element));
        if (element.Value is null) throw new ArgumentException($"The value of element 0x{element.Tag:X8} was skipped, not read.", nameof(element));
        var wire = HasLengthPrefix(element.PropertyType) ? WithLength(element.Value) : (byte[])element.Value.Clone();
        return new FtsProperty(element.Tag, wire, element.Named);
    }

    /// <summary>A value of any type, given as its content (what <see cref="GetBytes"/> returns).</summary>
    public static FtsProperty FromContent(uint tag, byte[] content, FtsNamedProperty? named = null) =>
        new(tag, HasLengthPrefix((ushort)tag) ? WithLength(content) : (byte[])content.Clone(), named);

    public static FtsProperty Int32(ushort id, int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        return new FtsProperty(TagOf(id, FtsPropertyType.Int32), bytes, null);
    }

    public static FtsProperty Int64(ushort id, long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        return new FtsProperty(TagOf(id, FtsPropertyType.Int64), bytes, null);
    }

    public static FtsProperty Boolean(ushort id, bool value) =>
        new(TagOf(id, FtsPropertyType.Boolean), new byte[] { value ? (byte)1 : (byte)0, 0 }, null);

    /// <summary>A PtypTime (FILETIME) value; the time is converted to UTC.</summary>
    public static FtsProperty Time(ushort id, DateTime value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value.ToUniversalTime().ToFileTimeUtc());
        return new FtsProperty(TagOf(id, FtsPropertyType.Time), bytes, null);
    }

    public static FtsProperty Guid(ushort id, Guid value) =>
        new(TagOf(id, FtsPropertyType.Guid), value.ToByteArray(), null);

    /// <summary>A string as Exchange Online exports it: code-page type 0x84B0, UTF-16LE, NUL terminator counted.</summary>
    public static FtsProperty String(ushort id, string value)
    {
        var text = Encoding.Unicode.GetBytes(value + "\0");
        return new FtsProperty(TagOf(id, FtsPropertyType.CodePageUnicode), WithLength(text), null);
    }

    public static FtsProperty Binary(ushort id, byte[] value) =>
        new(TagOf(id, FtsPropertyType.Binary), WithLength(value), null);

    /// <summary>The same value under a named-property identity; the id must be in the named range (≥ 0x8000).</summary>
    public FtsProperty WithName(FtsNamedProperty named)
    {
        if (PropertyId < FtsPropertyId.FirstNamed)
        {
            throw new InvalidOperationException($"Property id 0x{PropertyId:X4} is not in the named range (0x8000 and above).");
        }
        return new FtsProperty(Tag, WireValue, named ?? throw new ArgumentNullException(nameof(named)));
    }

    public override string ToString() => Named is null ? $"0x{Tag:X8}" : $"0x{Tag:X8} {Named}";

    private static uint TagOf(ushort id, ushort type) => ((uint)id << 16) | type;

    private static bool HasLengthPrefix(ushort type) => FtsPropertyType.IsVariableSize(type) && !FtsPropertyType.IsMultiValued(type);

    private static byte[] WithLength(byte[] content)
    {
        var wire = new byte[4 + content.Length];
        BinaryPrimitives.WriteInt32LittleEndian(wire, content.Length);
        content.CopyTo(wire, 4);
        return wire;
    }
}

/// <summary>The properties of one object (message, recipient or attachment), in stream order.</summary>
public abstract class FtsPropertyBag
{
    public List<FtsProperty> Properties { get; } = new();

    /// <summary>The first property with this id that is not a named property, or null.</summary>
    public FtsProperty? Find(ushort id)
    {
        foreach (var property in Properties)
            if (property.PropertyId == id && property.Named is null) return property;
        return null;
    }

    /// <summary>The first property with this named-property identity, or null.</summary>
    public FtsProperty? Find(FtsNamedProperty named)
    {
        foreach (var property in Properties)
            if (named.Equals(property.Named)) return property;
        return null;
    }

    public string? GetString(ushort id) => Find(id)?.GetString();
    public int? GetInt32(ushort id) => Find(id)?.GetInt32();
    public bool? GetBoolean(ushort id) => Find(id)?.GetBoolean();
    public DateTime? GetTime(ushort id) => Find(id)?.GetTime();
    public byte[]? GetBinary(ushort id) => Find(id)?.GetBinary();

    /// <summary>Replaces the value of the (unnamed) property with the same id in place, or adds it at the end.</summary>
    public void Set(FtsProperty property)
    {
        if (property is null) throw new ArgumentNullException(nameof(property));
        var index = Properties.FindIndex(p => p.PropertyId == property.PropertyId && p.Named is null);
        if (index >= 0) Properties[index] = property;
        else Properties.Add(property);
    }

    /// <summary>Removes every (unnamed) property with this id.</summary>
    public void Remove(ushort id) => Properties.RemoveAll(p => p.PropertyId == id && p.Named is null);
}

/// <summary>A message to write as a messageContent: its properties, recipients and attachments.</summary>
public sealed class FtsMessage : FtsPropertyBag
{
    public List<FtsRecipient> Recipients { get; } = new();
    public List<FtsAttachment> Attachments { get; } = new();
}

/// <summary>A recipient row (written between StartRecip and EndToRecip).</summary>
public sealed class FtsRecipient : FtsPropertyBag
{
}

/// <summary>
/// An attachment (written between NewAttach and EndAttach). The writer emits PidTagAttachNumber first by itself,
/// so <see cref="FtsPropertyBag.Properties"/> should not contain it. An <see cref="EmbeddedMessage"/> goes inside StartEmbed…EndEmbed.
/// </summary>
public sealed class FtsAttachment : FtsPropertyBag
{
    public FtsMessage? EmbeddedMessage { get; set; }
}
