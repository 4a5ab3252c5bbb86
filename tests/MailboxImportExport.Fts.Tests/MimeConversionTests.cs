using MailboxImportExport.Fts;
using MailboxImportExport.Fts.Conversion;
using MimeKit;

namespace MailboxImportExport.Fts.Tests;

/// <summary>.eml files written from an item export, parsed back by MimeKit from their bytes.</summary>
public class MimeConversionTests
{
    private static MimeMessage EmlOf(FtsMessage message)
    {
        var exported = FtsMessageReader.Read(new FtsWriter().Write(message));
        var output = new MemoryStream();
        MimeConversion.WriteEml(exported, output);
        output.Position = 0;
        return MimeMessage.Load(output);
    }

    [Fact]
    public void Headers_carry_subject_addresses_date_ids_importance_and_the_original_transport_headers()
    {
        var eml = EmlOf(MailSamples.Received_mail());

        Assert.Equal(MailSamples.Subject, eml.Subject);
        Assert.Equal("zoe@fabrikam.test", eml.From.Mailboxes.Single().Address);
        Assert.Equal("Zoë Ångström", eml.From.Mailboxes.Single().Name);
        Assert.Equal(new[] { "bob@contoso.test", "olaf@contoso.test" }, eml.To.Mailboxes.Select(m => m.Address));
        Assert.Equal("Ølaf Ünder", eml.To.Mailboxes.ElementAt(1).Name);
        Assert.Equal(new[] { "carol@contoso.test" }, eml.Cc.Mailboxes.Select(m => m.Address));
        Assert.Equal(MailSamples.Sent, eml.Date.UtcDateTime);
        Assert.Equal("q3.numbers@fabrikam.test", eml.MessageId);
        Assert.Equal(MessageImportance.High, eml.Importance);
        Assert.Equal("42", eml.Headers["X-Fabrikam-Tracking"]);
        Assert.StartsWith("from mx.fabrikam.test", eml.Headers[HeaderId.Received]);
        Assert.Single(eml.Headers, h => h.Id == HeaderId.Subject);
    }

    [Fact]
    public void Bodies_attachments_inline_image_and_embedded_message_survive()
    {
        var eml = EmlOf(MailSamples.Received_mail());

        Assert.Equal(MailSamples.Text, eml.TextBody);
        Assert.Contains("cid:chart@contoso.test", eml.HtmlBody);
        var inline = eml.BodyParts.OfType<MimePart>().Single(p => p.ContentId == "chart@contoso.test");
        Assert.Equal(MailSamples.Chart, Bytes(inline));
        Assert.False(inline.IsAttachment);
        var report = eml.Attachments.OfType<MimePart>().Single();
        Assert.Equal("Q3 Übersicht.xlsx", report.FileName);
        Assert.Equal(MailSamples.Report, Bytes(report));
        var inner = eml.Attachments.OfType<MessagePart>().Single().Message!;
        Assert.Equal("The original", inner.Subject);
        Assert.Equal(MailSamples.InnerAttachment, Bytes(inner.Attachments.OfType<MimePart>().Single()));
    }

    [Fact]
    public void Only_mail_message_classes_are_mail()
    {
        Assert.True(MimeConversion.IsMailMessage("IPM.Note"));
        Assert.True(MimeConversion.IsMailMessage("IPM.Note.SMIME.MultipartSigned"));
        Assert.True(MimeConversion.IsMailMessage("IPM.Schedule.Meeting.Request"));
        Assert.True(MimeConversion.IsMailMessage("REPORT.IPM.Note.NDR"));
        Assert.False(MimeConversion.IsMailMessage("IPM.Appointment"));
        Assert.False(MimeConversion.IsMailMessage("IPM.Contact"));
        Assert.False(MimeConversion.IsMailMessage("IPM.Notes.Custom"));
    }

    private static byte[] Bytes(MimePart part)
    {
        var output = new MemoryStream();
        part.Content!.DecodeTo(output);
        return output.ToArray();
    }
}
