using System.Buffers.Binary;
using System.Text;
using OpenMcdf;

namespace MailboxImportExport.Fts.Conversion;

/// <summary>
/// The Outlook item file format (.msg, MS-OXMSG): the same MAPI properties an item export carries, laid out in a
/// compound file. OpenMcdf handles the compound file; this class lays the properties, recipients, attachments,
/// embedded messages and named-property mapping out in it (writing) and reads them back (reading), so an export
/// becomes a file Outlook opens and a saved .msg becomes a message tree the module can convert.
/// </summary>
public static class MsgFile
{
    private const string PropertiesStream = "__properties_version1.0";
    private const string RecipientPrefix = "__recip_version1.0_#";
    private const string AttachmentPrefix = "__attach_version1.0_#";
    private const string ValuePrefix = "__substg1.0_";
    private const string EmbeddedMessageStorage = ValuePrefix + "3701000D";
    private const int EntrySize = 16;
    // Readable and writable (MS-OXMSG 2.4.2.1).
    private const uint EntryFlags = 0x6;
    private const int StoreUnicodeOk = 0x00040000;

    private enum Level
    {
        TopMessage,
        EmbeddedMessage,
        Recipient,
        Attachment,
    }

    static MsgFile() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>Writes <paramref name="message"/> as a .msg file; strings are written as Unicode.</summary>
    public static void Write(FtsMessage message, Stream output)
    {
        if (message is null) throw new ArgumentNullException(nameof(message));
        if (output is null) throw new ArgumentNullException(nameof(output));
        if (!output.CanSeek)
        {
            // A compound file is written with seeks: build it aside, then copy it out (into a hashing stream, say).
            var buffer = new MemoryStream();
            Write(message, buffer);
            buffer.Position = 0;
            buffer.CopyTo(output);
            return;
        }
        var names = MsgNamedProperties.Collect(message);
        using var root = RootStorage.Create(output, OpenMcdf.Version.V3, StorageModeFlags.LeaveOpen);
        var properties = new List<FtsProperty>(message.Properties);
        if (message.Find(FtsPropertyId.StoreSupportMask) is null)
            properties.Add(FtsProperty.Int32(FtsPropertyId.StoreSupportMask, StoreUnicodeOk));
        WriteMessage(root, message, properties, names, Level.TopMessage);
        names.Write(root.CreateStorage(MsgNamedProperties.StorageName));
    }

    /// <summary>Reads a .msg file into a message tree, strings as Unicode code-page strings like an export's.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a .msg file, or the file is damaged or cut short.</exception>
    public static FtsMessage Read(Stream input)
    {
        if (input is null) throw new ArgumentNullException(nameof(input));
        try
        {
            using var root = RootStorage.Open(input, StorageModeFlags.LeaveOpen);
            if (!root.TryOpenStream(PropertiesStream, out var top))
                throw new InvalidDataException($"The file is a compound file but not an Outlook item: it has no {PropertiesStream} stream.");
            top.Dispose();
            var names = root.TryOpenStorage(MsgNamedProperties.StorageName, out var nameStorage)
                ? MsgNamedProperties.Read(nameStorage)
                : new MsgNamedProperties();
            return ReadMessage(root, names, Level.TopMessage);
        }
        catch (Exception e) when (e is FileFormatException or EndOfStreamException or IOException or ArgumentException or InvalidOperationException
                                      or IndexOutOfRangeException or ArgumentOutOfRangeException && e is not InvalidDataException)
        {
            throw new InvalidDataException($"The file is not a readable .msg file ({e.GetType().Name}: {e.Message}). It may be cut short or damaged.", e);
        }
    }

    // ---- writing ----

    private static void WriteMessage(Storage storage, FtsMessage message, List<FtsProperty> properties, MsgNamedProperties names, Level level)
    {
        for (var i = 0; i < message.Recipients.Count; i++)
        {
            var recipient = storage.CreateStorage($"{RecipientPrefix}{i:X8}");
            WriteProperties(recipient, message.Recipients[i].Properties, names, Level.Recipient, counts: null);
        }
        for (var i = 0; i < message.Attachments.Count; i++)
        {
            var attachment = message.Attachments[i];
            var attachStorage = storage.CreateStorage($"{AttachmentPrefix}{i:X8}");
            var attachProperties = new List<FtsProperty> { FtsProperty.Int32(FtsPropertyId.AttachNumber, i) };
            attachProperties.AddRange(attachment.Properties.Where(p => p.PropertyId != FtsPropertyId.AttachNumber));
            if (attachment.EmbeddedMessage is { } embedded)
            {
                var embeddedStorage = attachStorage.CreateStorage(EmbeddedMessageStorage);
                WriteMessage(embeddedStorage, embedded, embedded.Properties, names, Level.EmbeddedMessage);
                // The object property's entry stands for the storage (size 0xFFFFFFFF, MS-OXMSG 2.4.2.2).
                attachProperties.RemoveAll(p => p.PropertyId == FtsPropertyId.AttachDataBinary);
                attachProperties.Add(FtsProperty.FromContent(((uint)FtsPropertyId.AttachDataBinary << 16) | FtsPropertyType.Object, Array.Empty<byte>()));
            }
            WriteProperties(attachStorage, attachProperties, names, Level.Attachment, counts: null);
        }
        WriteProperties(storage, properties, names, level, (message.Recipients.Count, message.Attachments.Count));
    }

    private static void WriteProperties(Storage storage, IEnumerable<FtsProperty> properties, MsgNamedProperties names, Level level,
        (int Recipients, int Attachments)? counts)
    {
        var stream = new MemoryStream();
        var header = new byte[level switch { Level.TopMessage => 32, Level.EmbeddedMessage => 24, _ => 8 }];
        if (counts is { } c)
        {
            BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), c.Recipients);
            BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(12), c.Attachments);
            BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(16), c.Recipients);
            BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(20), c.Attachments);
        }
        stream.Write(header, 0, header.Length);
        var written = new HashSet<uint>();
        foreach (var property in properties)
        {
            if (property.PropertyId is >= 0x4000 and <= 0x40FF) continue; // FastTransfer markers and meta-properties
            var id = property.Named is { } named ? names.IdOf(named) : property.PropertyId;
            if (id >= FtsPropertyId.FirstNamed && property.Named is null) continue; // a named id without its name means nothing
            var entry = Encode(property, id);
            if (entry is null || !written.Add(entry.Tag)) continue;
            var bytes = new byte[EntrySize];
            BinaryPrimitives.WriteUInt32LittleEndian(bytes, entry.Tag);
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), EntryFlags);
            entry.Value.CopyTo(bytes, 8);
            stream.Write(bytes, 0, bytes.Length);
            foreach (var (name, data) in entry.Streams) WriteStream(storage, name, data);
        }
        WriteStream(storage, PropertiesStream, stream.ToArray());
    }

    internal static void WriteStream(Storage storage, string name, byte[] data)
    {
        using var stream = storage.CreateStream(name);
        stream.Write(data, 0, data.Length);
    }

    private sealed record Entry(uint Tag, byte[] Value, List<(string Name, byte[] Data)> Streams);

    /// <summary>The property entry (tag, 8-byte value) and the streams that hold its value, or null for a type .msg cannot hold.</summary>
    private static Entry? Encode(FtsProperty property, ushort id)
    {
        var type = property.PropertyType;
        var value = new byte[8];
        var streams = new List<(string, byte[])>();
        if (FtsPropertyType.IsString(type))
        {
            var text = Encoding.Unicode.GetBytes(property.GetString() ?? "");
            var tag = TagOf(id, FtsPropertyType.Unicode);
            BinaryPrimitives.WriteInt32LittleEndian(value, text.Length + 2);
            streams.Add((StreamName(tag), text));
            return new Entry(tag, value, streams);
        }
        if (property.IsMultiValued) return EncodeMultiValued(property, id);
        if (type == FtsPropertyType.Object)
        {
            // Only an embedded message's entry stands for a storage; any other object travels as binary.
            var tag = TagOf(id, FtsPropertyType.Object);
            if (property.ValueLength == 0 && id == FtsPropertyId.AttachDataBinary)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(value, 0xFFFFFFFF);
                return new Entry(tag, value, streams);
            }
            type = FtsPropertyType.Binary;
        }
        if (type is FtsPropertyType.Binary or FtsPropertyType.ServerId or FtsPropertyType.Guid)
        {
            var tag = TagOf(id, type == FtsPropertyType.Guid ? FtsPropertyType.Guid : FtsPropertyType.Binary);
            var data = property.GetBytes();
            BinaryPrimitives.WriteInt32LittleEndian(value, data.Length);
            streams.Add((StreamName(tag), data));
            return new Entry(tag, value, streams);
        }
        if (FtsPropertyType.FixedSizeOf(type) is null) return null;
        var raw = property.GetBytes();
        if (type == FtsPropertyType.Boolean) value[0] = (byte)(raw[0] != 0 || raw[1] != 0 ? 1 : 0); // one byte outside FastTransfer
        else raw.CopyTo(value, 0);
        return new Entry(TagOf(id, type), value, streams);
    }

    /// <summary>Fixed-size values go in one stream; strings and binaries get a length stream and one stream each.</summary>
    private static Entry? EncodeMultiValued(FtsProperty property, ushort id)
    {
        var wire = property.GetBytes();
        var count = BinaryPrimitives.ReadInt32LittleEndian(wire);
        var type = property.PropertyType;
        var baseType = (ushort)(type & ~FtsPropertyType.MultiValueFlag);
        var value = new byte[8];
        var streams = new List<(string, byte[])>();
        if (FtsPropertyType.FixedSizeOf(baseType) is { } size && baseType != FtsPropertyType.Boolean)
        {
            var tag = TagOf(id, (ushort)(baseType | FtsPropertyType.MultiValueFlag));
            BinaryPrimitives.WriteInt32LittleEndian(value, count * size);
            streams.Add((StreamName(tag), wire.Skip(4).Take(count * size).ToArray()));
            return new Entry(tag, value, streams);
        }
        var isString = FtsPropertyType.IsString(baseType);
        if (!isString && baseType != FtsPropertyType.Binary) return null;
        var multiTag = TagOf(id, (ushort)((isString ? FtsPropertyType.Unicode : FtsPropertyType.Binary) | FtsPropertyType.MultiValueFlag));
        var lengths = new MemoryStream();
        var offset = 4;
        for (var i = 0; i < count; i++)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(wire.AsSpan(offset));
            var item = wire.Skip(offset + 4).Take(length).ToArray();
            offset += 4 + length;
            if (isString) item = Encoding.Unicode.GetBytes(FtsValue.String(baseType, item) + "\0");
            var lengthBytes = new byte[isString ? 4 : 8];
            BinaryPrimitives.WriteInt32LittleEndian(lengthBytes, item.Length);
            lengths.Write(lengthBytes, 0, lengthBytes.Length);
            streams.Add(($"{StreamName(multiTag)}-{i:X8}", item));
        }
        BinaryPrimitives.WriteInt32LittleEndian(value, (int)lengths.Length);
        streams.Insert(0, (StreamName(multiTag), lengths.ToArray()));
        return new Entry(multiTag, value, streams);
    }

    private static uint TagOf(ushort id, ushort type) => ((uint)id << 16) | type;

    private static string StreamName(uint tag) => $"{ValuePrefix}{tag:X8}";

    // ---- reading ----

    private static FtsMessage ReadMessage(Storage storage, MsgNamedProperties names, Level level)
    {
        var message = new FtsMessage();
        ReadProperties(storage, message, names, level);
        foreach (var entry in ChildStorages(storage, RecipientPrefix))
        {
            var recipient = new FtsRecipient();
            ReadProperties(storage.OpenStorage(entry), recipient, names, Level.Recipient);
            message.Recipients.Add(recipient);
        }
        foreach (var entry in ChildStorages(storage, AttachmentPrefix))
        {
            var attachStorage = storage.OpenStorage(entry);
            var attachment = new FtsAttachment();
            ReadProperties(attachStorage, attachment, names, Level.Attachment);
            attachment.Remove(FtsPropertyId.AttachNumber);
            if (attachStorage.TryOpenStorage(EmbeddedMessageStorage, out var embedded))
                attachment.EmbeddedMessage = ReadMessage(embedded, names, Level.EmbeddedMessage);
            message.Attachments.Add(attachment);
        }
        return message;
    }

    private static IEnumerable<string> ChildStorages(Storage storage, string prefix) =>
        storage.EnumerateEntries()
            .Where(e => e.Type == EntryType.Storage && e.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(e => e.Name)
            .OrderBy(name => name, StringComparer.OrdinalIgnoreCase)
            .ToList();

    private static void ReadProperties(Storage storage, FtsPropertyBag bag, MsgNamedProperties names, Level level)
    {
        var data = ReadStream(storage, PropertiesStream)
            ?? throw new InvalidDataException($"An object of the .msg file has no {PropertiesStream} stream.");
        var headerSize = level switch { Level.TopMessage => 32, Level.EmbeddedMessage => 24, _ => 8 };
        // 8-bit strings are in the message's code page; Unicode files (the usual kind) have none.
        var codePage = 1252;
        for (var offset = headerSize; offset + EntrySize <= data.Length; offset += EntrySize)
        {
            var tag = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(offset));
            var value = data.AsSpan(offset + 8, 8).ToArray();
            var id = (ushort)(tag >> 16);
            var type = (ushort)tag;
            FtsNamedProperty? named = null;
            if (id >= FtsPropertyId.FirstNamed && (named = names.NameOf(id)) is null) continue;
            var property = Decode(storage, tag, type, value, codePage);
            if (property is null) continue;
            if (id is FtsPropertyId.MessageCodepage or FtsPropertyId.InternetCodepage && property.GetInt32() is int cp and > 0) codePage = cp;
            bag.Properties.Add(named is null ? property : property.WithName(named));
        }
    }

    private static FtsProperty? Decode(Storage storage, uint tag, ushort type, byte[] value, int codePage)
    {
        var id = (ushort)(tag >> 16);
        switch (type)
        {
            case FtsPropertyType.Unicode:
                return ReadStream(storage, StreamName(tag)) is { } unicode ? FtsProperty.String(id, Encoding.Unicode.GetString(unicode).TrimEnd('\0')) : null;
            case FtsPropertyType.String8:
                return ReadStream(storage, StreamName(tag)) is { } ansi ? FtsProperty.String(id, Decode8Bit(ansi, codePage).TrimEnd('\0')) : null;
            case FtsPropertyType.Binary or FtsPropertyType.Guid:
                return ReadStream(storage, StreamName(tag)) is { } bytes ? FtsProperty.FromContent(tag, bytes) : null;
            case FtsPropertyType.Object:
                return null; // an embedded message (read as a storage) or an OLE object
            case FtsPropertyType.Boolean:
                return FtsProperty.FromContent(tag, new byte[] { (byte)(value[0] != 0 ? 1 : 0), 0 });
        }
        if ((type & FtsPropertyType.MultiValueFlag) != 0) return DecodeMultiValued(storage, tag, type, codePage);
        return FtsPropertyType.FixedSizeOf(type) is { } size ? FtsProperty.FromContent(tag, value.Take(size).ToArray()) : null;
    }

    private static FtsProperty? DecodeMultiValued(Storage storage, uint tag, ushort type, int codePage)
    {
        var baseType = (ushort)(type & ~FtsPropertyType.MultiValueFlag);
        if (ReadStream(storage, StreamName(tag)) is not { } data) return null;
        var wire = new MemoryStream();
        if (FtsPropertyType.FixedSizeOf(baseType) is { } size && baseType != FtsPropertyType.Boolean)
        {
            WriteInt32(wire, data.Length / size);
            wire.Write(data, 0, data.Length / size * size);
            return FtsProperty.FromContent(tag, wire.ToArray());
        }
        if (baseType is not (FtsPropertyType.Unicode or FtsPropertyType.String8 or FtsPropertyType.Binary)) return null;
        var lengthSize = baseType == FtsPropertyType.Binary ? 8 : 4;
        var count = data.Length / lengthSize;
        WriteInt32(wire, count);
        for (var i = 0; i < count; i++)
        {
            var item = ReadStream(storage, $"{StreamName(tag)}-{i:X8}") ?? Array.Empty<byte>();
            if (baseType == FtsPropertyType.String8) item = Encoding.Unicode.GetBytes(Decode8Bit(item, codePage).TrimEnd('\0') + "\0");
            WriteInt32(wire, item.Length);
            wire.Write(item, 0, item.Length);
        }
        // 8-bit strings were turned into Unicode above.
        var outType = baseType == FtsPropertyType.String8 ? (ushort)(FtsPropertyType.Unicode | FtsPropertyType.MultiValueFlag) : type;
        return FtsProperty.FromContent((tag & 0xFFFF0000) | outType, wire.ToArray());
    }

    private static string Decode8Bit(byte[] bytes, int codePage)
    {
        try
        {
            return Encoding.GetEncoding(codePage).GetString(bytes);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            return Encoding.GetEncoding(1252).GetString(bytes);
        }
    }

    internal static byte[]? ReadStream(Storage storage, string name)
    {
        if (!storage.TryOpenStream(name, out var stream)) return null;
        using (stream)
        {
            var bytes = new byte[stream.Length];
            if (stream.ReadUpTo(bytes, 0, bytes.Length) != bytes.Length) throw new InvalidDataException($"The stream {name} of the .msg file is cut short.");
            return bytes;
        }
    }

    private static void WriteInt32(Stream stream, int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        stream.Write(bytes, 0, 4);
    }
}
