using System.Globalization;
using MailboxImportExport.Fts;
using MailboxImportExport.Fts.Conversion;
using MimeKit;
using MimeKit.Utils;

namespace MailboxImportExport.Engine.Outside;

/// <summary>
/// A message from outside the mailbox, read from an .eml (MIME) or .msg (Outlook) file: the MIME the service is given
/// and what the file says about the message that MIME alone does not carry the same way (received time, read state).
/// </summary>
public sealed class OutsideMessage
{
    private const long OriginalBytesLimit = MimeBudget.DefaultBudget;
    private static readonly byte[] CompoundFileSignature = { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 };

    private OutsideMessage(string path, MimeMessage mime, byte[]? originalMime, DateTimeOffset? received, bool isRead)
    {
        Path = path;
        Mime = mime;
        OriginalMime = originalMime;
        ReceivedDateTime = received;
        IsRead = isRead;
    }

    public string Path { get; }
    internal MimeMessage Mime { get; }
    /// <summary>The file's bytes when it was MIME already: sent as they are when no attachment has to be taken out.</summary>
    internal byte[]? OriginalMime { get; }

    public string Subject => Mime.Subject ?? "";
    public string? From => Mime.From.Mailboxes.FirstOrDefault()?.Address;
    public DateTimeOffset? SentDateTime => Mime.Headers.Contains(HeaderId.Date) ? Mime.Date : null;
    /// <summary>When the message arrived: the .msg's delivery time, the top Received: header's date, else the Date header.</summary>
    public DateTimeOffset? ReceivedDateTime { get; }
    /// <summary>The .msg's read flag; for .eml a Status / X-Mozilla-Status header when there is one, else read.</summary>
    public bool IsRead { get; }

    /// <summary>Reads an .eml or .msg file, telling them apart by content (a .msg is a compound file).</summary>
    /// <exception cref="InvalidDataException">The file is empty, not a message, or damaged; the message says which.</exception>
    public static OutsideMessage Load(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920);
        if (file.Length == 0) throw new InvalidDataException($"'{path}' is empty (0 bytes): there is no message in it.");
        var start = new byte[CompoundFileSignature.Length];
        var isCompound = file.Read(start, 0, start.Length) == start.Length && start.SequenceEqual(CompoundFileSignature);
        file.Position = 0;
        if (isCompound) return FromMsg(path, file);
        if (System.IO.Path.GetExtension(path).Equals(".msg", StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"'{path}' is not an Outlook .msg file: it does not start like one (a compound file).");
        return FromMime(path, file);
    }

    private static OutsideMessage FromMsg(string path, Stream file)
    {
        FtsMessage message;
        try
        {
            message = MsgFile.Read(file);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{path}' is not a readable .msg file: {e.Message}", e);
        }
        if (!MimeConversion.IsMailMessage(message.GetString(FtsPropertyId.MessageClass)))
            throw new InvalidDataException($"'{path}' is an Outlook item of class {message.GetString(FtsPropertyId.MessageClass)}, not a mail message; only messages can be imported as mail.");
        var delivered = message.GetTime(FtsPropertyId.MessageDeliveryTime);
        var read = ((message.GetInt32(FtsPropertyId.MessageFlags) ?? 1) & 0x1) != 0;
        return new OutsideMessage(path, MimeConversion.ToMime(message), null, delivered is { } d ? new DateTimeOffset(d, TimeSpan.Zero) : null, read);
    }

    private static OutsideMessage FromMime(string path, Stream file)
    {
        MimeMessage mime;
        try
        {
            mime = MimeMessage.Load(file);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"'{path}' is not a MIME message (.eml): {e.Message}", e);
        }
        // The parser takes almost anything for a message; a message has at least one of these headers.
        if (!mime.Headers.Any(h => h.Id is HeaderId.From or HeaderId.Date or HeaderId.Subject or HeaderId.MessageId or HeaderId.MimeVersion or HeaderId.To or HeaderId.Received))
            throw new InvalidDataException($"'{path}' is not a MIME message (.eml): it has none of the headers a message has (From, Date, Subject, Message-ID, MIME-Version).");
        var received = TopReceivedDate(mime) ?? (mime.Headers.Contains(HeaderId.Date) ? mime.Date : null);
        // A file small enough to go in one request as it is keeps its exact bytes; a larger one is rebuilt anyway.
        byte[]? original = null;
        if (file.Length <= OriginalBytesLimit)
        {
            original = new byte[file.Length];
            file.Position = 0;
            file.ReadUpTo(original);
        }
        return new OutsideMessage(path, mime, original, received, IsReadFromHeaders(mime));
    }

    /// <summary>The date of the top Received: header (the last hop, the arrival), after its ';'.</summary>
    private static DateTimeOffset? TopReceivedDate(MimeMessage mime)
    {
        var top = mime.Headers.FirstOrDefault(h => h.Id == HeaderId.Received)?.Value;
        var semicolon = top?.LastIndexOf(';') ?? -1;
        return semicolon >= 0 && DateUtils.TryParse(top!.Substring(semicolon + 1).Trim(), out var date) ? date : null;
    }

    /// <summary>Mail stores that write .eml say "Status: RO" (mbox) or X-Mozilla-Status with 0x0001 for read; without them, read.</summary>
    private static bool IsReadFromHeaders(MimeMessage mime)
    {
        if (mime.Headers["X-Mozilla-Status"] is { } mozilla && int.TryParse(mozilla.Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var flags))
            return (flags & 0x0001) != 0;
        if (mime.Headers["Status"] is { } status) return status.IndexOf('R') >= 0;
        return true;
    }

    public override string ToString() => $"'{Subject}' ({Path})";
}

internal static class StreamExtensions
{
    public static void ReadUpTo(this Stream stream, byte[] buffer)
    {
        var read = 0;
        int n;
        while (read < buffer.Length && (n = stream.Read(buffer, read, buffer.Length - read)) > 0) read += n;
    }
}
