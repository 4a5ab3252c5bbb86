using System.Buffers.Binary;
using System.Text;

namespace MailboxImportExport.Fts;

/// <summary>
/// One property to write: its tag, its named-property identity when the id is ≥ 0x8000, and its value already
/// encoded the way it travels after the tag. The factories encode like Exchange Online exports do: every string as
/// a UTF-16LE code-page string (0x84B0) with its NUL terminator counted in the length, booleans in two bytes.
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
    public FtsNamedProperty? Named { get; }

    /// <summary>The bytes written after the tag (and named-property identity): length prefix included for variable types.</summary>
    internal byte[] WireValue { get; }

    /// <summary>Any tag with its value exactly as it travels after the tag (for variable-size types, with the length prefix).</summary>
    public static FtsProperty Raw(uint tag, byte[] wireValue) => new(tag, (byte[])wireValue.Clone(), null);

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

    private static uint TagOf(ushort id, ushort type) => ((uint)id << 16) | type;

    private static byte[] WithLength(byte[] content)
    {
        var wire = new byte[4 + content.Length];
        BinaryPrimitives.WriteInt32LittleEndian(wire, content.Length);
        content.CopyTo(wire, 4);
        return wire;
    }
}

/// <summary>A message to write as a messageContent: its properties, recipients and attachments.</summary>
public sealed class FtsMessage
{
    public List<FtsProperty> Properties { get; } = new();
    public List<FtsRecipient> Recipients { get; } = new();
    public List<FtsAttachment> Attachments { get; } = new();
}

/// <summary>A recipient row (written between StartRecip and EndToRecip).</summary>
public sealed class FtsRecipient
{
    public List<FtsProperty> Properties { get; } = new();
}

/// <summary>
/// An attachment (written between NewAttach and EndAttach). The writer emits PidTagAttachNumber first by itself,
/// so <see cref="Properties"/> should not contain it. An <see cref="EmbeddedMessage"/> goes inside StartEmbed…EndEmbed.
/// </summary>
public sealed class FtsAttachment
{
    public List<FtsProperty> Properties { get; } = new();
    public FtsMessage? EmbeddedMessage { get; set; }
}
