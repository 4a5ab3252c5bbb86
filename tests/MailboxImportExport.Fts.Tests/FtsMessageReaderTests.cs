using MailboxImportExport.Fts;

namespace MailboxImportExport.Fts.Tests;

public class FtsMessageReaderTests
{
    [Fact]
    public void A_written_item_reads_back_into_a_tree_that_writes_the_same_bytes()
    {
        foreach (var message in new[] { FtsTestMessages.Note(), MailSamples.Received_mail() })
        {
            var blob = new FtsWriter().Write(message);

            var read = FtsMessageReader.Read(blob);

            Assert.Equal(blob, new FtsWriter().Write(read));
        }
    }

    [Fact]
    public void The_tree_keeps_recipients_attachments_data_and_embedded_messages_apart()
    {
        var read = FtsMessageReader.Read(new FtsWriter(chunkSize: 1000).Write(MailSamples.Received_mail()));

        Assert.Equal(MailSamples.Subject, read.GetString(FtsPropertyId.Subject));
        Assert.Equal(MailSamples.Received, read.GetTime(FtsPropertyId.MessageDeliveryTime));
        Assert.Equal(new[] { "Bob Berg", "Ølaf Ünder", "Carol Chen" }, read.Recipients.Select(r => r.GetString(FtsPropertyId.DisplayName)));
        Assert.Equal(3, read.Attachments.Count);
        Assert.Equal(MailSamples.Report, read.Attachments[1].GetBinary(FtsPropertyId.AttachDataBinary));
        Assert.Null(read.Attachments[0].Find(FtsPropertyId.AttachNumber));
        var inner = read.Attachments[2].EmbeddedMessage!;
        Assert.Equal("The original", inner.GetString(FtsPropertyId.Subject));
        Assert.Equal(MailSamples.InnerAttachment, inner.Attachments.Single().GetBinary(FtsPropertyId.AttachDataBinary));
        Assert.Equal("Finance", read.Find(new FtsNamedProperty(FtsNamedProperty.PsPublicStrings, "Keywords"))!.GetString());
    }

    [Fact]
    public void A_stream_cut_inside_an_attachment_is_refused_with_its_offset()
    {
        var blob = new FtsWriter().Write(MailSamples.Received_mail());

        var error = Assert.Throws<FtsFormatException>(() => FtsMessageReader.Read(blob.Take(blob.Length - 40).ToArray()));

        Assert.Contains("truncated", error.Message, StringComparison.OrdinalIgnoreCase);
    }
}
