using System.Buffers.Binary;

namespace MailboxImportExport.Fts;

/// <summary>
/// Decodes a single value from its content bytes (without a length prefix) by its property type: the one place
/// both the tokenizer's elements and the model's properties read values.
/// </summary>
internal static class FtsValue
{
    // DateTime.MaxValue as a FILETIME: larger values make FromFileTimeUtc throw.
    private const long MaxFileTime = 2650467743999999999;

    public static string? String(ushort type, byte[]? content)
    {
        if (content is null || FtsPropertyType.IsMultiValued(type)) return null;
        var codePage = FtsText.CodePageOf(type);
        return codePage is null ? null : FtsText.Decode(content, codePage.Value);
    }

    public static int? Int32(ushort type, byte[]? content) =>
        content is { Length: 4 } && type is FtsPropertyType.Int32 or FtsPropertyType.ErrorCode
            ? BinaryPrimitives.ReadInt32LittleEndian(content)
            : null;

    public static long? Int64(ushort type, byte[]? content) =>
        content is { Length: 8 } && type == FtsPropertyType.Int64 ? BinaryPrimitives.ReadInt64LittleEndian(content) : null;

    public static bool? Boolean(ushort type, byte[]? content) =>
        content is { Length: 2 } && type == FtsPropertyType.Boolean ? content[0] != 0 || content[1] != 0 : null;

    /// <summary>A PtypTime (FILETIME) value in UTC; null when out of range or not a time.</summary>
    public static DateTime? Time(ushort type, byte[]? content)
    {
        if (content is not { Length: 8 } || type != FtsPropertyType.Time) return null;
        var fileTime = BinaryPrimitives.ReadInt64LittleEndian(content);
        return fileTime is >= 0 and <= MaxFileTime ? DateTime.FromFileTimeUtc(fileTime) : null;
    }
}
