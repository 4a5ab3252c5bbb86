using MailboxImportExport.Fts;

namespace MailboxImportExport.Fts.Tests;

public class FtsPatchTests
{
    private static byte[] Patch(byte[] blob, params FtsProperty[] properties) => Patch(blob, out _, properties);

    private static byte[] Patch(byte[] blob, out IReadOnlyList<FtsPatchKind> kinds, params FtsProperty[] properties)
    {
        var output = new MemoryStream();
        kinds = FtsPatch.Apply(() => new MemoryStream(blob, writable: false), output, properties);
        return output.ToArray();
    }

    [Fact]
    public void A_fixed_size_value_is_overwritten_in_place_and_nothing_else_changes()
    {
        var blob = new FtsWriter().Write(MailSamples.Received_mail());

        var patched = Patch(blob, out var kinds, FtsProperty.Int32(FtsPropertyId.MessageFlags, 0x10), FtsProperty.Time(FtsPropertyId.MessageDeliveryTime, MailSamples.Sent));

        Assert.Equal(new[] { FtsPatchKind.InPlace, FtsPatchKind.InPlace }, kinds);
        Assert.Equal(blob.Length, patched.Length);
        // Four bytes of flags and at most eight of the time differ; everything else is the export's own.
        Assert.InRange(blob.Zip(patched).Count(pair => pair.First != pair.Second), 2, 12);
        var read = FtsMessageReader.Read(patched);
        Assert.Equal(0x10, read.GetInt32(FtsPropertyId.MessageFlags));
        Assert.Equal(MailSamples.Sent, read.GetTime(FtsPropertyId.MessageDeliveryTime));
    }

    [Theory]
    [InlineData(7)]
    [InlineData(31680)]
    public void A_missing_property_is_added_to_the_items_own_properties_and_a_resized_one_replaced(int chunkSize)
    {
        var message = MailSamples.Received_mail();
        message.Remove(FtsPropertyId.MessageDeliveryTime);
        var blob = new FtsWriter(chunkSize: chunkSize).Write(message);

        var patched = Patch(blob, out var kinds,
            FtsProperty.Time(FtsPropertyId.MessageDeliveryTime, MailSamples.Received),
            FtsProperty.String(FtsPropertyId.Subject, "A longer subject than the one the item had before the patch"));

        Assert.Equal(new[] { FtsPatchKind.Inserted, FtsPatchKind.Replaced }, kinds);
        var read = FtsMessageReader.Read(patched);
        Assert.Equal(MailSamples.Received, read.GetTime(FtsPropertyId.MessageDeliveryTime));
        Assert.Equal("A longer subject than the one the item had before the patch", read.GetString(FtsPropertyId.Subject));
        // Recipients and attachments keep their properties: the insertion went before them.
        Assert.Null(read.Recipients[0].Find(FtsPropertyId.MessageDeliveryTime));
        Assert.Equal(MailSamples.Report, read.Attachments[1].GetBinary(FtsPropertyId.AttachDataBinary));
        Assert.Null(FtsReader.TryReadSummary(patched, out var problem) is null ? "unreadable" : problem);
        // The envelope keeps its header records and never gets an empty TransferBuffer.
        Assert.Equal(blob.Take(0x3E), patched.Take(0x3E));
    }

    [Fact]
    public void The_patched_item_equals_the_item_written_with_the_new_values()
    {
        var message = MailSamples.Received_mail();
        var blob = new FtsWriter(chunkSize: 5).Write(message);
        message.Set(FtsProperty.Int32(FtsPropertyId.MessageFlags, 0x11));

        Assert.Equal(new FtsWriter(chunkSize: 5).Write(message), Patch(blob, FtsProperty.Int32(FtsPropertyId.MessageFlags, 0x11)));
    }
}
