using System.Security.Cryptography;

namespace MailboxImportExport.Emulator.Storage;

/// <summary>
/// Makes ids that look like Exchange's: opaque base64 with '=' padding and '/' in it, so clients must percent-encode
/// path segments. Folder ids use '_' and item ids '-' where base64 has '+'. The first byte tells folders from items,
/// which is how a malformed id is told from an unknown one. Seeded for the demo data, random otherwise.
/// </summary>
internal sealed class IdFactory
{
    private const byte FolderMarker = 0x01;
    private const byte ItemMarker = 0x02;
    private const int IdBytes = 20;

    private readonly Random? _seeded;

    private IdFactory(Random? seeded) => _seeded = seeded;

    public static IdFactory Random { get; } = new(null);

    public static IdFactory Deterministic(int seed) => new(new Random(seed));

    public string NewFolderId() => NewId(FolderMarker, '_');
    public string NewItemId() => NewId(ItemMarker, '-');

    /// <summary>A new changeKey: opaque, shaped like Exchange's (a fixed header, then random bytes).</summary>
    public string NewChangeKey() => "CQAAABYAAAA" + Convert.ToBase64String(NextBytes(15));

    public Guid NewGuid()
    {
        var bytes = NextBytes(16);
        // Version 4 / RFC 4122 variant bits, so seeded GUIDs look like any other.
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }

    public static bool IsWellFormedFolderId(string id) => HasMarker(id, FolderMarker, '_');
    public static bool IsWellFormedItemId(string id) => HasMarker(id, ItemMarker, '-');

    private string NewId(byte marker, char plusReplacement)
    {
        var bytes = NextBytes(IdBytes);
        bytes[0] = marker;
        return Convert.ToBase64String(bytes).Replace('+', plusReplacement);
    }

    private static bool HasMarker(string id, byte marker, char plusReplacement)
    {
        if (id.Length != 28 || !id.EndsWith('=')) return false;
        var buffer = new byte[IdBytes + 1];
        return Convert.TryFromBase64String(id.Replace(plusReplacement, '+'), buffer, out var written)
            && written == IdBytes && buffer[0] == marker;
    }

    private byte[] NextBytes(int count)
    {
        var bytes = new byte[count];
        if (_seeded is null)
        {
            RandomNumberGenerator.Fill(bytes);
        }
        else
        {
            lock (_seeded) _seeded.NextBytes(bytes);
        }
        return bytes;
    }
}
