using System.Text;
using MailboxImportExport.Fts;
using MailboxImportExport.Fts.Conversion;
using OutlookMessage = MsgReader.Outlook.Storage.Message;
using OutlookAttachment = MsgReader.Outlook.Storage.Attachment;
using OutlookRecipientType = MsgReader.Outlook.RecipientType;

namespace MailboxImportExport.Fts.Tests;

/// <summary>.msg files written from an item export, read by MsgReader (an independent reader), and .msg files MsgKit wrote, read by the module.</summary>
public class MsgFileTests
{
    /// <summary>The message as the export path sees it: written to a stream and read back, then converted.</summary>
    private static byte[] MsgOf(FtsMessage message)
    {
        var exported = FtsMessageReader.Read(new FtsWriter().Write(message));
        var output = new MemoryStream();
        MsgFile.Write(exported, output);
        return output.ToArray();
    }

    [Fact]
    public void MsgReader_reads_subject_sender_recipients_times_and_bodies()
    {
        using var msg = new OutlookMessage(new MemoryStream(MsgOf(MailSamples.Received_mail())));

        Assert.Equal(MailSamples.Subject, msg.Subject);
        Assert.Equal("zoe@fabrikam.test", msg.Sender.Email);
        Assert.Equal("Zoë Ångström", msg.Sender.DisplayName);
        Assert.Equal(new[] { ("bob@contoso.test", OutlookRecipientType.To), ("olaf@contoso.test", OutlookRecipientType.To), ("carol@contoso.test", OutlookRecipientType.Cc) },
            msg.Recipients.Select(r => (r.Email, r.Type!.Value)));
        Assert.Equal("Ølaf Ünder", msg.Recipients[1].DisplayName);
        Assert.Equal(MailSamples.Sent, msg.SentOn!.Value.ToUniversalTime());
        Assert.Equal(MailSamples.Received, msg.ReceivedOn!.Value.ToUniversalTime());
        Assert.Equal(MailSamples.Text, msg.BodyText.TrimEnd()); // MsgReader ends the text with a line break
        Assert.Contains("cid:chart@contoso.test", msg.BodyHtml);
        Assert.Contains("X-Fabrikam-Tracking: 42", msg.TransportMessageHeaders);
    }

    [Fact]
    public void MsgReader_reads_every_attachment_byte_for_byte_and_the_embedded_message()
    {
        using var msg = new OutlookMessage(new MemoryStream(MsgOf(MailSamples.Received_mail())));

        var files = msg.Attachments.OfType<OutlookAttachment>().ToList();
        Assert.Equal(new[] { "chart.png", "Q3 Übersicht.xlsx" }, files.Select(f => f.FileName));
        Assert.Equal(MailSamples.Chart, files[0].Data);
        Assert.Equal("chart@contoso.test", files[0].ContentId);
        Assert.Equal(MailSamples.Report, files[1].Data);
        var inner = Assert.Single(msg.Attachments.OfType<OutlookMessage>());
        Assert.Equal("The original", inner.Subject);
        Assert.Equal("bob@contoso.test", inner.Sender.Email);
        Assert.Equal(MailSamples.InnerAttachment, Assert.Single(inner.Attachments.OfType<OutlookAttachment>()).Data);
    }

    [Fact]
    public void The_module_reads_its_own_msg_back_into_the_same_properties_named_ones_included()
    {
        var original = MailSamples.Received_mail();

        var read = MsgFile.Read(new MemoryStream(MsgOf(original)));

        Assert.Equal(MailSamples.Subject, read.GetString(FtsPropertyId.Subject));
        Assert.Equal(2, read.GetInt32(FtsPropertyId.Importance));
        Assert.Equal(0x11, read.GetInt32(FtsPropertyId.MessageFlags));
        Assert.True(read.GetBoolean(FtsPropertyId.HasAttachments));
        Assert.Equal(Encoding.UTF8.GetBytes(MailSamples.Html), read.GetBinary(FtsPropertyId.Html));
        Assert.Equal("Finance", read.Find(new FtsNamedProperty(FtsNamedProperty.PsPublicStrings, "Keywords"))!.GetString());
        Assert.Equal(7, read.Find(new FtsNamedProperty(FtsNamedProperty.PsetidCommon, 0x8501))!.GetInt32());
        Assert.Equal(original.Recipients.Select(r => r.GetString(FtsPropertyId.SmtpAddress)), read.Recipients.Select(r => r.GetString(FtsPropertyId.SmtpAddress)));
        Assert.Equal(MailSamples.Report, read.Attachments[1].GetBinary(FtsPropertyId.AttachDataBinary));
        Assert.Equal("The original", read.Attachments[2].EmbeddedMessage!.GetString(FtsPropertyId.Subject));
        // And the tree is an item the FastTransfer writer can write.
        Assert.Equal(MailSamples.Subject, FtsReader.TryReadSummary(new FtsWriter().Write(read), out _)!.Subject);
    }

    [Fact]
    public void A_msg_file_MsgKit_wrote_reads_into_subject_sender_recipients_body_and_attachments()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mie-msgkit-{Guid.NewGuid():N}.msg");
        try
        {
            using (var email = new MsgKit.Email(new MsgKit.Sender("zoe@fabrikam.test", "Zoë Ångström"), "Grüße aus Köln"))
            {
                email.Recipients.AddTo("bob@contoso.test", "Bob Berg");
                email.Recipients.AddCc("carol@contoso.test", "Carol Chen");
                email.BodyText = "Plain body";
                email.BodyHtml = "<p>HTML body</p>";
                email.Attachments.Add(new MemoryStream(MailSamples.Report), "report.bin");
                email.Save(path);
            }

            FtsMessage read;
            using (var file = File.OpenRead(path)) read = MsgFile.Read(file);

            Assert.Equal("Grüße aus Köln", read.GetString(FtsPropertyId.Subject));
            Assert.Equal(new[] { "bob@contoso.test", "carol@contoso.test" },
                read.Recipients.Select(r => r.GetString(FtsPropertyId.SmtpAddress) ?? r.GetString(FtsPropertyId.EmailAddress)));
            Assert.Equal("Plain body", read.GetString(FtsPropertyId.Body));
            var attachment = Assert.Single(read.Attachments);
            Assert.Equal("report.bin", MimeConversion.AttachmentName(attachment));
            Assert.Equal(MailSamples.Report, attachment.GetBinary(FtsPropertyId.AttachDataBinary));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_cut_short_or_foreign_file_is_refused_as_invalid_data()
    {
        var msg = MsgOf(MailSamples.Received_mail());

        Assert.Throws<InvalidDataException>(() => MsgFile.Read(new MemoryStream(msg.Take(msg.Length / 2).ToArray())));
        Assert.Throws<InvalidDataException>(() => MsgFile.Read(new MemoryStream(Encoding.ASCII.GetBytes("From: not a compound file\r\n\r\nbody"))));
        Assert.Throws<InvalidDataException>(() => MsgFile.Read(new MemoryStream()));
    }
}
