using System.Text;
using MimeKit;

namespace MailboxImportExport.Fts.Conversion;

/// <summary>
/// Turns a message's MAPI properties into an Internet message (MIME, an .eml file): sender, recipients, subject,
/// date, ids, importance, the text and HTML bodies, attachments (inline ones where the HTML shows them) and embedded
/// messages as message/rfc822 parts. The original transport headers, when the item kept them, come first, so
/// Received: and the like survive; the properties win where both say something.
/// </summary>
public static class MimeConversion
{
    private static readonly HashSet<string> PropertyHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "MIME-Version", "Content-Type", "Content-Transfer-Encoding", "Content-Disposition", "Content-ID", "Content-Description",
    };

    static MimeConversion() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>True for the message classes that are mail (an .eml can stand for them); appointments, contacts and tasks are not.</summary>
    public static bool IsMailMessage(string? messageClass) =>
        messageClass is null
        || StartsWith(messageClass, "IPM.Note") || StartsWith(messageClass, "IPM.Schedule.Meeting")
        || StartsWith(messageClass, "IPM.Post") || StartsWith(messageClass, "REPORT.");

    private static bool StartsWith(string text, string prefix) =>
        text.Equals(prefix, StringComparison.OrdinalIgnoreCase) || text.StartsWith(prefix + ".", StringComparison.OrdinalIgnoreCase)
        || (prefix.EndsWith(".", StringComparison.Ordinal) && text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));

    /// <summary>Writes the message as an .eml file.</summary>
    public static void WriteEml(FtsMessage message, Stream output) => ToMime(message).WriteTo(output);

    public static MimeMessage ToMime(FtsMessage message)
    {
        if (message is null) throw new ArgumentNullException(nameof(message));
        var mime = new MimeMessage();
        CopyTransportHeaders(message, mime);

        var from = Address(message.GetString(FtsPropertyId.SentRepresentingName), message.GetString(FtsPropertyId.SentRepresentingSmtpAddress),
            message.GetString(FtsPropertyId.SentRepresentingEmailAddress), message.GetString(FtsPropertyId.SentRepresentingAddressType));
        var sender = Address(message.GetString(FtsPropertyId.SenderName), message.GetString(FtsPropertyId.SenderSmtpAddress),
            message.GetString(FtsPropertyId.SenderEmailAddress), message.GetString(FtsPropertyId.SenderAddressType));
        if ((from ?? sender) is { } author)
        {
            mime.From.Clear();
            mime.From.Add(author);
        }
        if (from is not null && sender is not null && !string.Equals(from.Address, sender.Address, StringComparison.OrdinalIgnoreCase))
            mime.Sender = sender;

        var recipientLists = new[] { mime.To, mime.Cc, mime.Bcc };
        if (message.Recipients.Count > 0) foreach (var list in recipientLists) list.Clear();
        foreach (var recipient in message.Recipients)
        {
            var address = Address(recipient.GetString(FtsPropertyId.DisplayName), recipient.GetString(FtsPropertyId.SmtpAddress),
                recipient.GetString(FtsPropertyId.EmailAddress), recipient.GetString(FtsPropertyId.AddressType));
            if (address is null) continue;
            var type = (recipient.GetInt32(FtsPropertyId.RecipientType) ?? 1) & 0x0F;
            recipientLists[type is 2 ? 1 : type is 3 ? 2 : 0].Add(address);
        }

        // A property replaces what the transport headers said; without the property their value stays.
        if (message.GetString(FtsPropertyId.Subject) is { } subject) Replace(mime, HeaderId.Subject, () => mime.Subject = subject);
        if ((message.GetTime(FtsPropertyId.ClientSubmitTime) ?? message.GetTime(FtsPropertyId.MessageDeliveryTime)
             ?? message.GetTime(FtsPropertyId.CreationTime)) is { } date)
            Replace(mime, HeaderId.Date, () => mime.Date = new DateTimeOffset(DateTime.SpecifyKind(date, DateTimeKind.Utc)));
        if (MessageId(message.GetString(FtsPropertyId.InternetMessageId)) is { } messageId) Replace(mime, HeaderId.MessageId, () => mime.MessageId = messageId);
        if (MessageId(message.GetString(FtsPropertyId.InReplyToId)) is { } inReplyTo) Replace(mime, HeaderId.InReplyTo, () => mime.InReplyTo = inReplyTo);
        if (message.GetString(FtsPropertyId.InternetReferences) is { } references)
        {
            mime.Headers.RemoveAll(HeaderId.References);
            foreach (var id in references.Split(new[] { ' ', '\t', '\r', '\n' }, StringSplitOptions.RemoveEmptyEntries))
                if (MessageId(id) is { } reference) mime.References.Add(reference);
        }
        if (message.GetInt32(FtsPropertyId.Importance) is { } importance)
        {
            mime.Headers.RemoveAll(HeaderId.Importance);
            mime.Headers.RemoveAll(HeaderId.XPriority);
            if (importance is 0 or 2) mime.Importance = importance == 0 ? MessageImportance.Low : MessageImportance.High;
        }
        if (message.GetInt32(FtsPropertyId.Sensitivity) is { } sensitivity)
        {
            mime.Headers.RemoveAll(HeaderId.Sensitivity);
            if (sensitivity is >= 1 and <= 3) mime.Headers[HeaderId.Sensitivity] = new[] { "Personal", "Private", "Company-Confidential" }[sensitivity - 1];
        }
        mime.Body = Body(message);
        return mime;
    }

    private static void Replace(MimeMessage mime, HeaderId header, Action set)
    {
        mime.Headers.RemoveAll(header);
        set();
    }

    private static void CopyTransportHeaders(FtsMessage message, MimeMessage mime)
    {
        if (message.GetString(FtsPropertyId.TransportMessageHeaders) is not { Length: > 0 } text) return;
        HeaderList headers;
        try
        {
            headers = HeaderList.Load(new MemoryStream(Encoding.UTF8.GetBytes(text.TrimEnd() + "\r\n\r\n")));
        }
        catch (FormatException)
        {
            return; // headers the item kept but that do not parse: the properties still make a whole message
        }
        foreach (var header in headers)
            if (!PropertyHeaders.Contains(header.Field)) mime.Headers.Add(header);
    }

    private static MimeEntity Body(FtsMessage message)
    {
        var builder = new BodyBuilder { TextBody = message.GetString(FtsPropertyId.Body) };
        var html = Html(message);
        if (html is not null) builder.HtmlBody = html;
        foreach (var attachment in message.Attachments)
        {
            if (attachment.EmbeddedMessage is { } embedded)
            {
                var part = new MessagePart { Message = ToMime(embedded) };
                part.ContentDisposition = new ContentDisposition(ContentDisposition.Attachment);
                if (AttachmentName(attachment) is { } embeddedName) part.ContentDisposition.FileName = embeddedName + ".eml";
                builder.Attachments.Add(part);
                continue;
            }
            if (attachment.GetBinary(FtsPropertyId.AttachDataBinary) is not { } data) continue; // reference (cloud) or OLE attachment
            var name = AttachmentName(attachment) ?? "attachment";
            var contentType = ContentTypeOf(attachment.GetString(FtsPropertyId.AttachMimeTag), name);
            var contentId = attachment.GetString(FtsPropertyId.AttachContentId)?.Trim('<', '>');
            var inline = contentId is { Length: > 0 } && html is not null
                && (html.IndexOf("cid:" + contentId, StringComparison.OrdinalIgnoreCase) >= 0 || attachment.GetBoolean(FtsPropertyId.AttachmentHidden) == true);
            var entity = inline ? builder.LinkedResources.Add(name, data, contentType) : builder.Attachments.Add(name, data, contentType);
            if (contentId is { Length: > 0 }) entity.ContentId = contentId;
        }
        return builder.ToMessageBody();
    }

    /// <summary>
    /// PidTagHtml as text (a string, or bytes in the message's Internet code page); without it, the compressed RTF body
    /// as HTML (the HTML it encapsulates, or the RTF rendered).
    /// </summary>
    private static string? Html(FtsMessage message)
    {
        if (message.Find(FtsPropertyId.Html) is not { } html)
            return message.GetBinary(FtsPropertyId.RtfCompressed) is { } rtf ? CompressedRtf.ToHtml(rtf) : null;
        if (html.GetString() is { } text) return text;
        if (html.GetBinary() is not { } bytes) return null;
        var codePage = message.GetInt32(FtsPropertyId.InternetCodepage) ?? 65001;
        try
        {
            return Encoding.GetEncoding(codePage).GetString(bytes);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            return Encoding.UTF8.GetString(bytes);
        }
    }

    /// <summary>The name a person saw: the long file name, else the 8.3 one, else the display name.</summary>
    public static string? AttachmentName(FtsAttachment attachment) =>
        NonEmpty(attachment.GetString(FtsPropertyId.AttachLongFilename))
        ?? NonEmpty(attachment.GetString(FtsPropertyId.AttachFilename))
        ?? NonEmpty(attachment.GetString(FtsPropertyId.DisplayName))
        ?? NonEmpty(attachment.EmbeddedMessage?.GetString(FtsPropertyId.Subject));

    private static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

    private static ContentType ContentTypeOf(string? mimeTag, string fileName) =>
        mimeTag is { Length: > 0 } && ContentType.TryParse(mimeTag, out var parsed) ? parsed : ContentType.Parse(MimeTypes.GetMimeType(fileName));

    private static string? MessageId(string? text)
    {
        var id = text?.Trim().Trim('<', '>').Trim();
        return string.IsNullOrEmpty(id) ? null : id;
    }

    /// <summary>An address from MAPI's name/SMTP/email/type quadruple; an Exchange (EX) address without SMTP keeps just the name.</summary>
    private static MailboxAddress? Address(string? name, string? smtp, string? email, string? addressType)
    {
        var address = NonEmpty(smtp)
            ?? (string.Equals(addressType, "SMTP", StringComparison.OrdinalIgnoreCase) ? NonEmpty(email) : null)
            ?? (email is { } e && e.IndexOf('@') > 0 && !e.StartsWith("/", StringComparison.Ordinal) ? e : null);
        if (address is null && NonEmpty(name) is null) return null;
        return new MailboxAddress(name ?? "", address ?? "");
    }
}
