using System.Text;
using MailboxImportExport.Fts;

namespace MailboxImportExport.Fts.Tests;

/// <summary>A received mail with everything the conversions must carry: the shape of an Exchange Online export.</summary>
internal static class MailSamples
{
    public const string Subject = "Résumé — Q3 numbers 📈 für Zoë";
    public const string Html = "<html><body><p>Hello <b>team</b>, see the chart:</p><img src=\"cid:chart@contoso.test\"></body></html>";
    public const string Text = "Hello team, see the chart.";
    public static readonly DateTime Sent = new(2026, 3, 14, 9, 26, 53, DateTimeKind.Utc);
    public static readonly DateTime Received = Sent.AddMinutes(2);
    public static readonly byte[] Chart = FtsTestMessages.Pattern(20_000);
    public static readonly byte[] Report = FtsTestMessages.Pattern(70_001).Reverse().ToArray();
    public static readonly byte[] InnerAttachment = Encoding.UTF8.GetBytes("inner attachment ✓");

    public static FtsMessage Received_mail()
    {
        var message = new FtsMessage();
        var p = message.Properties;
        p.Add(FtsProperty.Int32(FtsPropertyId.Importance, 2));
        p.Add(FtsProperty.String(FtsPropertyId.MessageClass, "IPM.Note"));
        p.Add(FtsProperty.String(FtsPropertyId.Subject, Subject));
        p.Add(FtsProperty.Time(FtsPropertyId.ClientSubmitTime, Sent));
        p.Add(FtsProperty.Time(FtsPropertyId.MessageDeliveryTime, Received));
        p.Add(FtsProperty.String(FtsPropertyId.SentRepresentingName, "Zoë Ångström"));
        p.Add(FtsProperty.String(FtsPropertyId.SentRepresentingSmtpAddress, "zoe@fabrikam.test"));
        p.Add(FtsProperty.String(FtsPropertyId.SenderName, "Zoë Ångström"));
        p.Add(FtsProperty.String(FtsPropertyId.SenderAddressType, "SMTP"));
        p.Add(FtsProperty.String(FtsPropertyId.SenderEmailAddress, "zoe@fabrikam.test"));
        p.Add(FtsProperty.String(FtsPropertyId.SenderSmtpAddress, "zoe@fabrikam.test"));
        p.Add(FtsProperty.Int32(FtsPropertyId.MessageFlags, 0x1 | 0x10));
        p.Add(FtsProperty.String(FtsPropertyId.Body, Text));
        p.Add(FtsProperty.Binary(FtsPropertyId.Html, Encoding.UTF8.GetBytes(Html)));
        p.Add(FtsProperty.Int32(FtsPropertyId.InternetCodepage, 65001));
        p.Add(FtsProperty.String(FtsPropertyId.InternetMessageId, "<q3.numbers@fabrikam.test>"));
        p.Add(FtsProperty.String(FtsPropertyId.TransportMessageHeaders,
            "Received: from mx.fabrikam.test by mx.contoso.test; Sat, 14 Mar 2026 09:28:53 +0000\r\nX-Fabrikam-Tracking: 42\r\nSubject: ignored, the property wins\r\n"));
        p.Add(FtsProperty.Boolean(FtsPropertyId.HasAttachments, true));
        p.Add(FtsProperty.String(0x8001, "Finance").WithName(new FtsNamedProperty(FtsNamedProperty.PsPublicStrings, "Keywords")));
        p.Add(FtsProperty.Int32(0x8002, 7).WithName(new FtsNamedProperty(FtsNamedProperty.PsetidCommon, 0x8501)));
        message.Recipients.Add(Recipient(1, "Bob Berg", "bob@contoso.test"));
        message.Recipients.Add(Recipient(1, "Ølaf Ünder", "olaf@contoso.test"));
        message.Recipients.Add(Recipient(2, "Carol Chen", "carol@contoso.test"));
        message.Attachments.Add(File("chart.png", "image/png", Chart, contentId: "chart@contoso.test"));
        message.Attachments.Add(File("Q3 Übersicht.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Report, contentId: null));
        var embedded = new FtsAttachment { EmbeddedMessage = Inner() };
        embedded.Properties.Add(FtsProperty.Int32(FtsPropertyId.AttachMethod, 5));
        embedded.Properties.Add(FtsProperty.String(FtsPropertyId.DisplayName, "The original"));
        message.Attachments.Add(embedded);
        return message;
    }

    private static FtsMessage Inner()
    {
        var inner = new FtsMessage();
        inner.Properties.Add(FtsProperty.String(FtsPropertyId.MessageClass, "IPM.Note"));
        inner.Properties.Add(FtsProperty.String(FtsPropertyId.Subject, "The original"));
        inner.Properties.Add(FtsProperty.String(FtsPropertyId.SenderName, "Bob Berg"));
        inner.Properties.Add(FtsProperty.String(FtsPropertyId.SenderSmtpAddress, "bob@contoso.test"));
        inner.Properties.Add(FtsProperty.Time(FtsPropertyId.ClientSubmitTime, Sent.AddDays(-1)));
        inner.Properties.Add(FtsProperty.String(FtsPropertyId.Body, "The first message."));
        inner.Recipients.Add(Recipient(1, "Zoë Ångström", "zoe@fabrikam.test"));
        inner.Attachments.Add(File("inner.txt", "text/plain", InnerAttachment, contentId: null));
        return inner;
    }

    private static FtsRecipient Recipient(int type, string name, string address)
    {
        var recipient = new FtsRecipient();
        recipient.Properties.Add(FtsProperty.Int32(FtsPropertyId.RecipientType, type));
        recipient.Properties.Add(FtsProperty.String(FtsPropertyId.DisplayName, name));
        recipient.Properties.Add(FtsProperty.String(FtsPropertyId.AddressType, "SMTP"));
        recipient.Properties.Add(FtsProperty.String(FtsPropertyId.EmailAddress, address));
        recipient.Properties.Add(FtsProperty.String(FtsPropertyId.SmtpAddress, address));
        return recipient;
    }

    private static FtsAttachment File(string name, string mimeType, byte[] data, string? contentId)
    {
        var attachment = new FtsAttachment();
        attachment.Properties.Add(FtsProperty.Int32(FtsPropertyId.AttachMethod, 1));
        attachment.Properties.Add(FtsProperty.String(FtsPropertyId.AttachLongFilename, name));
        attachment.Properties.Add(FtsProperty.String(FtsPropertyId.DisplayName, name));
        attachment.Properties.Add(FtsProperty.String(FtsPropertyId.AttachMimeTag, mimeType));
        attachment.Properties.Add(FtsProperty.Int32(FtsPropertyId.AttachSize, data.Length));
        if (contentId is not null)
        {
            attachment.Properties.Add(FtsProperty.String(FtsPropertyId.AttachContentId, contentId));
            attachment.Properties.Add(FtsProperty.Boolean(FtsPropertyId.AttachmentHidden, true));
        }
        attachment.Properties.Add(FtsProperty.Binary(FtsPropertyId.AttachDataBinary, data));
        return attachment;
    }
}
