using System.Text;

namespace MailboxImportExport.Fts;

/// <summary>
/// Decodes the string property types of a FastTransfer stream. Code page 1252 is decoded here, not through
/// <c>Encoding.GetEncoding(1252)</c>: on .NET Core that needs the CodePagesEncodingProvider package, which
/// netstandard2.0 does not have built in and the engine does not ship.
/// </summary>
internal static class FtsText
{
    public const int CodePageUtf16 = 1200;
    public const int CodePageUtf16BigEndian = 1201;
    public const int CodePageWindows1252 = 1252;

    // Windows-1252 differs from ISO-8859-1 only in 0x80-0x9F; unmapped bytes there stay as their C1 control.
    private static readonly char[] Windows1252High =
    {
        '\u20AC', '\u0081', '\u201A', '\u0192', '\u201E', '\u2026', '\u2020', '\u2021',
        '\u02C6', '\u2030', '\u0160', '\u2039', '\u0152', '\u008D', '\u017D', '\u008F',
        '\u0090', '\u2018', '\u2019', '\u201C', '\u201D', '\u2022', '\u2013', '\u2014',
        '\u02DC', '\u2122', '\u0161', '\u203A', '\u0153', '\u009D', '\u017E', '\u0178',
    };

    /// <summary>The code page a string property type is written in, or null when the type is not a string.</summary>
    public static int? CodePageOf(ushort propertyType) => propertyType switch
    {
        FtsPropertyType.Unicode => CodePageUtf16,
        FtsPropertyType.String8 => CodePageWindows1252,
        _ when (propertyType & FtsPropertyType.CodePageFlag) != 0 => propertyType & 0x7FFF,
        _ => null,
    };

    /// <summary>Decodes bytes of the given code page, dropping the NUL terminator the stream counts in the length.</summary>
    public static string Decode(byte[] bytes, int codePage)
    {
        var unitSize = codePage is CodePageUtf16 or CodePageUtf16BigEndian ? 2 : 1;
        var length = bytes.Length;
        if (length >= unitSize && IsZero(bytes, length - unitSize, unitSize))
        {
            length -= unitSize;
        }
        switch (codePage)
        {
            case CodePageUtf16: return Encoding.Unicode.GetString(bytes, 0, length);
            case CodePageUtf16BigEndian: return Encoding.BigEndianUnicode.GetString(bytes, 0, length);
            case CodePageWindows1252: return DecodeWindows1252(bytes, length);
        }
        try
        {
            return Encoding.GetEncoding(codePage).GetString(bytes, 0, length);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            // An exotic code page this runtime cannot decode: 1252 keeps ASCII text readable.
            return DecodeWindows1252(bytes, length);
        }
    }

    private static bool IsZero(byte[] bytes, int offset, int count)
    {
        for (var i = offset; i < offset + count; i++)
        {
            if (bytes[i] != 0) return false;
        }
        return true;
    }

    private static string DecodeWindows1252(byte[] bytes, int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            var b = bytes[i];
            chars[i] = b is >= 0x80 and <= 0x9F ? Windows1252High[b - 0x80] : (char)b;
        }
        return new string(chars);
    }
}
