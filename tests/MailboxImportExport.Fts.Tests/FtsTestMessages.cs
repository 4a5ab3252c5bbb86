using MailboxImportExport.Fts;

namespace MailboxImportExport.Fts.Tests;

/// <summary>Messages built the way the emulator's demo data is: enough structure to exercise every part of the grammar.</summary>
internal static class FtsTestMessages
{
    public static readonly DateTime Submitted = new(2026, 3, 14, 9, 26, 53, DateTimeKind.Utc);
    public static readonly DateTime Delivered = Submitted.AddSeconds(4);

    /// <summary>A note with 3 recipients, a file attachment of <paramref name="attachmentBytes"/> bytes and an embedded message.</summary>
    public static FtsMessage Note(string subject = "Q3 budget — naïve café review", int attachmentBytes = 100_000)
    {
        var message = new FtsMessage();
        message.Properties.Add(FtsProperty.Int32(FtsPropertyId.Importance, 1));
        message.Properties.Add(FtsProperty.String(FtsPropertyId.MessageClass, "IPM.Note"));
        message.Properties.Add(FtsProperty.String(FtsPropertyId.Subject, subject));
        message.Properties.Add(FtsProperty.Time(FtsPropertyId.ClientSubmitTime, Submitted));
        message.Properties.Add(FtsProperty.Time(FtsPropertyId.MessageDeliveryTime, Delivered));
        message.Properties.Add(FtsProperty.String(FtsPropertyId.SenderName, "Alice Anders"));
        message.Properties.Add(FtsProperty.String(FtsPropertyId.SenderAddressType, "EX"));
        message.Properties.Add(FtsProperty.String(FtsPropertyId.SenderEmailAddress, "/O=CONTOSO/OU=EXCHANGE/CN=RECIPIENTS/CN=ALICE"));
        message.Properties.Add(FtsProperty.String(FtsPropertyId.SenderSmtpAddress, "alice@contoso.test"));
        message.Properties.Add(FtsProperty.Boolean(FtsPropertyId.HasAttachments, true));
        message.Properties.Add(FtsProperty.String(0x8001, "Finance").WithName(new FtsNamedProperty(FtsNamedProperty.PsPublicStrings, "Keywords")));
        message.Properties.Add(FtsProperty.Int32(0x8002, 7).WithName(new FtsNamedProperty(FtsNamedProperty.PsetidCommon, 0x8501)));
        message.Properties.Add(FtsProperty.String(FtsPropertyId.Body, "Please review the attached numbers."));
        for (var i = 0; i < 3; i++)
        {
            var recipient = new FtsRecipient();
            recipient.Properties.Add(FtsProperty.Int32(FtsPropertyId.RecipientType, i == 2 ? 2 : 1));
            recipient.Properties.Add(FtsProperty.String(FtsPropertyId.DisplayName, $"Person {i}"));
            recipient.Properties.Add(FtsProperty.String(FtsPropertyId.SmtpAddress, $"person{i}@contoso.test"));
            message.Recipients.Add(recipient);
        }
        var file = new FtsAttachment();
        file.Properties.Add(FtsProperty.Int32(FtsPropertyId.AttachMethod, 1));
        file.Properties.Add(FtsProperty.String(FtsPropertyId.AttachLongFilename, "numbers.xlsx"));
        file.Properties.Add(FtsProperty.Int32(FtsPropertyId.AttachSize, attachmentBytes));
        file.Properties.Add(FtsProperty.Binary(FtsPropertyId.AttachDataBinary, Pattern(attachmentBytes)));
        message.Attachments.Add(file);
        message.Attachments.Add(new FtsAttachment { EmbeddedMessage = Embedded() });
        message.Attachments[1].Properties.Add(FtsProperty.Int32(FtsPropertyId.AttachMethod, 5));
        return message;
    }

    /// <summary>An embedded message with its own class, subject, recipient and attachment: none of it may leak into the outer summary.</summary>
    private static FtsMessage Embedded()
    {
        var inner = new FtsMessage();
        inner.Properties.Add(FtsProperty.String(FtsPropertyId.MessageClass, "IPM.Note.Inner"));
        inner.Properties.Add(FtsProperty.String(FtsPropertyId.Subject, "Forwarded original"));
        var recipient = new FtsRecipient();
        recipient.Properties.Add(FtsProperty.String(FtsPropertyId.DisplayName, "Inner Recipient"));
        inner.Recipients.Add(recipient);
        var attachment = new FtsAttachment();
        attachment.Properties.Add(FtsProperty.Binary(FtsPropertyId.AttachDataBinary, Pattern(10)));
        inner.Attachments.Add(attachment);
        return inner;
    }

    public static byte[] Pattern(int length)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i++) bytes[i] = (byte)(i * 31 + 7);
        return bytes;
    }
}
