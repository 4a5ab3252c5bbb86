using System.Text;
using MailboxImportExport.Fts;
using MailboxImportExport.Fts.Conversion;
using MimeKit;

namespace MailboxImportExport.Emulator.Outlook;

/// <summary>
/// The emulator's stand-in for Exchange's MIME-to-MAPI conversion, used when a message is created from MIME: the
/// properties, recipients, bodies, attachments (inline ones hidden, with their Content-ID) and embedded
/// message/rfc822 parts of the message that Exchange would store. The header block is kept as the transport headers.
/// </summary>
internal static class MimeToMapi
{
    public const int FlagRead = 0x1;
    public const int FlagUnsent = 0x8;
    public const int FlagHasAttachments = 0x10;

    /// <summary>The message as a new draft: read and unsent (0x9), delivered (stamped) now, sent at its Date header.</summary>
    public static FtsMessage Draft(MimeMessage mime, DateTimeOffset now) => Convert(mime, now, FlagRead | FlagUnsent);

    private static FtsMessage Convert(MimeMessage mime, DateTimeOffset now, int flags)
    {
        var message = new FtsMessage();
        var p = message.Properties;
        p.Add(FtsProperty.Int32(FtsPropertyId.Importance, mime.Importance switch { MessageImportance.Low => 0, MessageImportance.High => 2, _ => 1 }));
        p.Add(FtsProperty.String(FtsPropertyId.MessageClass, "IPM.Note"));
        p.Add(FtsProperty.Int32(FtsPropertyId.Sensitivity, Sensitivity(mime.Headers[HeaderId.Sensitivity])));
        p.Add(FtsProperty.String(FtsPropertyId.Subject, mime.Subject ?? ""));
        if (mime.Headers.Contains(HeaderId.Date)) p.Add(FtsProperty.Time(FtsPropertyId.ClientSubmitTime, mime.Date.UtcDateTime));
        var from = mime.From.Mailboxes.FirstOrDefault();
        var sender = mime.Sender ?? from;
        if (from is not null) MapiAddresses.AddSentRepresenting(p, DisplayName(from), from.Address);
        if (sender is not null) MapiAddresses.AddSender(p, DisplayName(sender), sender.Address);
        p.Add(FtsProperty.Time(FtsPropertyId.MessageDeliveryTime, now.UtcDateTime));
        var flagsIndex = p.Count;
        p.Add(FtsProperty.Int32(FtsPropertyId.MessageFlags, flags));
        if (mime.MessageId is { Length: > 0 } id) p.Add(FtsProperty.String(FtsPropertyId.InternetMessageId, $"<{id}>"));
        if (mime.InReplyTo is { Length: > 0 } inReplyTo) p.Add(FtsProperty.String(FtsPropertyId.InReplyToId, $"<{inReplyTo}>"));
        if (mime.References.Count > 0) p.Add(FtsProperty.String(FtsPropertyId.InternetReferences, string.Join(" ", mime.References.Select(r => $"<{r}>"))));
        p.Add(FtsProperty.String(FtsPropertyId.TransportMessageHeaders, HeaderBlock(mime)));
        p.Add(FtsProperty.Time(FtsPropertyId.CreationTime, now.UtcDateTime));
        p.Add(FtsProperty.Time(FtsPropertyId.LastModificationTime, now.UtcDateTime));

        var (text, html) = Bodies(mime);
        if (text is not null) p.Add(FtsProperty.String(FtsPropertyId.Body, text.Text));
        if (html is not null)
        {
            p.Add(FtsProperty.Binary(FtsPropertyId.Html, Encoding.UTF8.GetBytes(html.Text)));
            p.Add(FtsProperty.Int32(FtsPropertyId.InternetCodepage, 65001));
        }
        AddRecipients(message, mime.To, 1);
        AddRecipients(message, mime.Cc, 2);
        AddRecipients(message, mime.Bcc, 3);
        foreach (var entity in mime.BodyParts)
        {
            if (entity == text || entity == html) continue;
            if (entity is MessagePart { Message: { } inner } part) message.Attachments.Add(Embedded(part, inner, now));
            else if (entity is MimePart file) message.Attachments.Add(File(file, now));
        }
        if (message.Attachments.Count > 0) p[flagsIndex] = FtsProperty.Int32(FtsPropertyId.MessageFlags, flags | FlagHasAttachments);
        p.Add(FtsProperty.Boolean(FtsPropertyId.HasAttachments, message.Attachments.Count > 0));
        return message;
    }

    /// <summary>The parts that make the bodies: the first plain and the first HTML text part that are not attachments.</summary>
    private static (TextPart? Text, TextPart? Html) Bodies(MimeMessage mime)
    {
        TextPart? text = null, html = null;
        foreach (var part in mime.BodyParts.OfType<TextPart>().Where(t => !t.IsAttachment && t.FileName is null))
        {
            if (part.IsPlain) text ??= part;
            else if (part.IsHtml) html ??= part;
        }
        return (text, html);
    }

    private static FtsAttachment File(MimePart part, DateTimeOffset now)
    {
        var data = new MemoryStream();
        part.Content?.DecodeTo(data);
        var name = part.FileName ?? part.ContentType.Name ?? "attachment";
        var attachment = new FtsAttachment();
        var p = attachment.Properties;
        p.Add(FtsProperty.Int32(FtsPropertyId.AttachMethod, 1));
        p.Add(FtsProperty.String(FtsPropertyId.AttachLongFilename, name));
        p.Add(FtsProperty.String(FtsPropertyId.DisplayName, name));
        p.Add(FtsProperty.String(FtsPropertyId.AttachMimeTag, part.ContentType.MimeType));
        p.Add(FtsProperty.Int32(FtsPropertyId.AttachSize, (int)data.Length));
        var inline = part.ContentId is { Length: > 0 } && !part.IsAttachment;
        if (part.ContentId is { Length: > 0 } contentId) p.Add(FtsProperty.String(FtsPropertyId.AttachContentId, contentId));
        p.Add(FtsProperty.Boolean(FtsPropertyId.AttachmentHidden, inline));
        p.Add(FtsProperty.Int32(FtsPropertyId.RenderingPosition, -1));
        p.Add(FtsProperty.Time(FtsPropertyId.CreationTime, now.UtcDateTime));
        p.Add(FtsProperty.Time(FtsPropertyId.LastModificationTime, now.UtcDateTime));
        p.Add(FtsProperty.Binary(FtsPropertyId.AttachDataBinary, data.ToArray()));
        return attachment;
    }

    private static FtsAttachment Embedded(MessagePart part, MimeMessage inner, DateTimeOffset now)
    {
        var attachment = new FtsAttachment { EmbeddedMessage = Convert(inner, now, FlagRead) };
        attachment.Properties.Add(FtsProperty.Int32(FtsPropertyId.AttachMethod, 5));
        attachment.Properties.Add(FtsProperty.String(FtsPropertyId.AttachMimeTag, "message/rfc822"));
        var name = inner.Subject is { Length: > 0 } subject ? subject : part.ContentDisposition?.FileName ?? "message";
        attachment.Properties.Add(FtsProperty.String(FtsPropertyId.DisplayName, name));
        attachment.Properties.Add(FtsProperty.Int32(FtsPropertyId.RenderingPosition, -1));
        return attachment;
    }

    private static void AddRecipients(FtsMessage message, InternetAddressList list, int type)
    {
        foreach (var mailbox in list.Mailboxes) message.Recipients.Add(MapiAddresses.Recipient(type, DisplayName(mailbox), mailbox.Address));
    }

    private static string DisplayName(MailboxAddress address) => string.IsNullOrEmpty(address.Name) ? address.Address : address.Name;

    private static int Sensitivity(string? header) => header?.Trim().ToLowerInvariant() switch
    {
        "personal" => 1,
        "private" => 2,
        "company-confidential" => 3,
        _ => 0,
    };

    /// <summary>The message's header block as it travelled (without the MIME structure's own headers).</summary>
    private static string HeaderBlock(MimeMessage mime)
    {
        var text = new StringBuilder();
        foreach (var header in mime.Headers) text.Append(header.Field).Append(':').Append(header.RawValue.Length > 0 ? Encoding.UTF8.GetString(header.RawValue) : "");
        return text.ToString();
    }
}

/// <summary>The address properties the emulator writes for senders and recipients, whatever the message was made from.</summary>
internal static class MapiAddresses
{
    public static FtsRecipient Recipient(int type, string name, string address)
    {
        var recipient = new FtsRecipient();
        recipient.Properties.Add(FtsProperty.Int32(FtsPropertyId.RecipientType, type));
        recipient.Properties.Add(FtsProperty.String(FtsPropertyId.DisplayName, name));
        recipient.Properties.Add(FtsProperty.String(FtsPropertyId.AddressType, "SMTP"));
        recipient.Properties.Add(FtsProperty.String(FtsPropertyId.EmailAddress, address));
        recipient.Properties.Add(FtsProperty.String(FtsPropertyId.SmtpAddress, address));
        recipient.Properties.Add(FtsProperty.Int32(FtsPropertyId.DisplayType, 0));
        recipient.Properties.Add(FtsProperty.Int32(FtsPropertyId.ObjectType, 6));
        return recipient;
    }

    public static void AddSender(List<FtsProperty> p, string name, string address) =>
        Add(p, name, address, FtsPropertyId.SenderName, FtsPropertyId.SenderAddressType, FtsPropertyId.SenderEmailAddress, FtsPropertyId.SenderSmtpAddress);

    public static void AddSentRepresenting(List<FtsProperty> p, string name, string address) =>
        Add(p, name, address, FtsPropertyId.SentRepresentingName, FtsPropertyId.SentRepresentingAddressType,
            FtsPropertyId.SentRepresentingEmailAddress, FtsPropertyId.SentRepresentingSmtpAddress);

    private static void Add(List<FtsProperty> p, string name, string address, ushort nameId, ushort typeId, ushort emailId, ushort smtpId)
    {
        p.Add(FtsProperty.String(nameId, name));
        p.Add(FtsProperty.String(typeId, "SMTP"));
        p.Add(FtsProperty.String(emailId, address));
        p.Add(FtsProperty.String(smtpId, address));
    }
}
