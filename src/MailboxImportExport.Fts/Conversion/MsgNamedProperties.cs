using System.Buffers.Binary;
using System.Text;
using OpenMcdf;

namespace MailboxImportExport.Fts.Conversion;

/// <summary>
/// The named-property mapping storage of a .msg file (MS-OXMSG 2.2.3): which property set and LID or name each
/// id from 0x8000 up stands for. An export repeats the name on every occurrence; a .msg file numbers the names once
/// and keeps the table here, with the hash buckets Outlook looks names up by.
/// </summary>
internal sealed class MsgNamedProperties
{
    public const string StorageName = "__nameid_version1.0";
    private const string GuidStream = "__substg1.0_00020102";
    private const string EntryStream = "__substg1.0_00030102";
    private const string StringStream = "__substg1.0_00040102";
    private const int BucketCount = 0x1F;
    private const ushort PsMapiIndex = 1;
    private const ushort PublicStringsIndex = 2;
    private const ushort FirstGuidStreamIndex = 3;

    private static readonly Guid PsMapi = new("00020328-0000-0000-C000-000000000046");
    private static readonly uint[] Crc32Table = BuildCrc32Table();

    private readonly List<FtsNamedProperty> _names = new();
    private readonly Dictionary<FtsNamedProperty, ushort> _ids = new();

    /// <summary>Numbers every named property of the message tree, in the order they first occur.</summary>
    public static MsgNamedProperties Collect(FtsMessage message)
    {
        var map = new MsgNamedProperties();
        map.AddFrom(message);
        return map;
    }

    private void AddFrom(FtsMessage message)
    {
        foreach (var bag in new FtsPropertyBag[] { message }.Concat(message.Recipients).Concat(message.Attachments))
            foreach (var property in bag.Properties)
                if (property.Named is { } named) Add(named);
        foreach (var attachment in message.Attachments)
            if (attachment.EmbeddedMessage is { } embedded) AddFrom(embedded);
    }

    private ushort Add(FtsNamedProperty named)
    {
        if (_ids.TryGetValue(named, out var id)) return id;
        if (_names.Count >= 0x7FFF) throw new InvalidOperationException("The message has more named properties than a .msg file can number.");
        id = (ushort)(FtsPropertyId.FirstNamed + _names.Count);
        _names.Add(named);
        _ids.Add(named, id);
        return id;
    }

    public ushort IdOf(FtsNamedProperty named) => _ids.TryGetValue(named, out var id) ? id : Add(named);

    public FtsNamedProperty? NameOf(ushort id)
    {
        var index = id - FtsPropertyId.FirstNamed;
        return index >= 0 && index < _names.Count ? _names[index] : null;
    }

    public void Write(Storage storage)
    {
        var guids = new List<Guid>();
        var entries = new MemoryStream();
        var strings = new MemoryStream();
        var buckets = new SortedDictionary<int, MemoryStream>();
        for (var index = 0; index < _names.Count; index++)
        {
            var named = _names[index];
            var guidIndex = GuidIndexOf(named.PropertySet, guids);
            var kind = named.Name is null ? 0 : 1;
            var indexAndKind = ((uint)index << 16) | ((uint)guidIndex << 1) | (uint)kind;
            // The entry names the LID or where the name is in the string stream; the bucket the LID or the name's CRC-32.
            uint nameId, hashId;
            if (named.Name is null)
            {
                nameId = hashId = named.Lid!.Value;
            }
            else
            {
                nameId = (uint)strings.Length;
                var text = Encoding.Unicode.GetBytes(named.Name);
                WriteUInt32(strings, (uint)text.Length);
                strings.Write(text, 0, text.Length);
                while (strings.Length % 4 != 0) strings.WriteByte(0);
                hashId = Crc32(text);
            }
            WriteUInt32(entries, nameId);
            WriteUInt32(entries, indexAndKind);
            var bucket = Bucket(buckets, (int)((hashId ^ (((uint)guidIndex << 1) | (uint)kind)) % BucketCount));
            WriteUInt32(bucket, hashId);
            WriteUInt32(bucket, indexAndKind);
        }
        MsgFile.WriteStream(storage, GuidStream, guids.SelectMany(g => g.ToByteArray()).ToArray());
        MsgFile.WriteStream(storage, EntryStream, entries.ToArray());
        MsgFile.WriteStream(storage, StringStream, strings.ToArray());
        foreach (var bucket in buckets)
            MsgFile.WriteStream(storage, $"__substg1.0_{0x1000 + bucket.Key:X4}0102", bucket.Value.ToArray());
    }

    public static MsgNamedProperties Read(Storage storage)
    {
        var map = new MsgNamedProperties();
        var guids = MsgFile.ReadStream(storage, GuidStream) ?? Array.Empty<byte>();
        var entries = MsgFile.ReadStream(storage, EntryStream) ?? Array.Empty<byte>();
        var strings = MsgFile.ReadStream(storage, StringStream) ?? Array.Empty<byte>();
        for (var offset = 0; offset + 8 <= entries.Length; offset += 8)
        {
            var nameId = BinaryPrimitives.ReadUInt32LittleEndian(entries.AsSpan(offset));
            var indexAndKind = BinaryPrimitives.ReadUInt32LittleEndian(entries.AsSpan(offset + 4));
            var propertyIndex = (int)(indexAndKind >> 16);
            var guidIndex = (int)((indexAndKind & 0xFFFF) >> 1);
            var isString = (indexAndKind & 1) != 0;
            var propertySet = guidIndex switch
            {
                PsMapiIndex => PsMapi,
                PublicStringsIndex => FtsNamedProperty.PsPublicStrings,
                _ when (guidIndex - FirstGuidStreamIndex + 1) * 16 <= guids.Length => new Guid(guids.AsSpan((guidIndex - FirstGuidStreamIndex) * 16, 16).ToArray()),
                _ => (Guid?)null,
            };
            // Entries name their own index; a table that skips or repeats one keeps the numbering Outlook would use.
            while (map._names.Count < propertyIndex) map._names.Add(new FtsNamedProperty(PsMapi, 0xFFFFFFFF));
            if (propertySet is null || map._names.Count != propertyIndex) continue;
            FtsNamedProperty? named = null;
            if (!isString) named = new FtsNamedProperty(propertySet.Value, nameId);
            else if (nameId + 4 <= strings.Length)
            {
                var length = BinaryPrimitives.ReadInt32LittleEndian(strings.AsSpan((int)nameId));
                if (length > 0 && nameId + 4 + length <= strings.Length)
                    named = new FtsNamedProperty(propertySet.Value, Encoding.Unicode.GetString(strings, (int)nameId + 4, length).TrimEnd('\0'));
            }
            map._names.Add(named ?? new FtsNamedProperty(PsMapi, 0xFFFFFFFF));
        }
        return map;
    }

    private static ushort GuidIndexOf(Guid propertySet, List<Guid> guids)
    {
        if (propertySet == PsMapi) return PsMapiIndex;
        if (propertySet == FtsNamedProperty.PsPublicStrings) return PublicStringsIndex;
        var index = guids.IndexOf(propertySet);
        if (index < 0)
        {
            guids.Add(propertySet);
            index = guids.Count - 1;
        }
        return (ushort)(FirstGuidStreamIndex + index);
    }

    private static MemoryStream Bucket(SortedDictionary<int, MemoryStream> buckets, int bucket)
    {
        if (!buckets.TryGetValue(bucket, out var stream)) buckets[bucket] = stream = new MemoryStream();
        return stream;
    }

    /// <summary>CRC-32 as the .msg format hashes string names: reflected polynomial, initial value 0, no final XOR.</summary>
    private static uint Crc32(byte[] bytes)
    {
        uint crc = 0;
        foreach (var b in bytes) crc = Crc32Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    private static uint[] BuildCrc32Table()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        return table;
    }

    private static void WriteUInt32(Stream stream, uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        stream.Write(bytes, 0, 4);
    }
}
