using MailboxImportExport.Fts;

namespace MailboxImportExport.Fts.Tests;

/// <summary>The Microsoft doc samples decode to what fts-samples-decoded.txt says.</summary>
public class FtsSampleTests
{
    [Fact]
    public void GraphImportDocSample_GivesVersionAndReportsTruncation()
    {
        var summary = FtsReader.TryReadSummary(MicrosoftSamples.Decode(MicrosoftSamples.GraphImportDoc), out var problem);

        Assert.NotNull(summary);
        Assert.Equal("15.20.4566.6022", summary!.ServerVersion);
        // The doc cut the stream inside the message class string, after PidTagImportance.
        Assert.Null(summary.MessageClass);
        Assert.NotNull(problem);
        Assert.Contains("truncated", problem, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void GraphImportDocSample_TokenizesImportanceThenFailsInsideMessageClass()
    {
        var payload = FtsPayloadStream.Open(new MemoryStream(MicrosoftSamples.Decode(MicrosoftSamples.GraphImportDoc)));
        var tokenizer = new FtsTokenizer(payload);

        var importance = tokenizer.Read()!;
        Assert.Equal(0x00170003u, importance.Tag);
        Assert.Equal(1, importance.GetInt32());
        var error = Assert.Throws<FtsFormatException>(() => tokenizer.Read());
        Assert.Equal(8 + 8 + 7, error.Offset); // two elements' headers, then 7 of the 18 string bytes
        Assert.Equal(1, payload.TransferBufferCount);
    }

    [Fact]
    public void GraphExportDocSample_IsHeaderOnly()
    {
        var summary = FtsReader.TryReadSummary(MicrosoftSamples.Decode(MicrosoftSamples.GraphExportDocItem1), out var problem);

        Assert.NotNull(summary);
        Assert.Equal("15.20.4608.6018", summary!.ServerVersion);
        Assert.Contains("no TransferBuffer", problem);
    }

    [Fact]
    public void GraphSamplesCarryTheStandardMessageExportHeader()
    {
        var payload = FtsPayloadStream.Open(new MemoryStream(MicrosoftSamples.Decode(MicrosoftSamples.GraphImportDoc)));

        Assert.True(payload.Header.IsMessageExport);
        Assert.Equal(0u, payload.Header.ConfigFlags);
        Assert.Equal(FtsEnvelope.CopyToTransferMethod, payload.Header.ConfigTransferMethod);
        Assert.Equal(FtsEnvelope.IidIMessage, payload.Header.InterfaceId);
        Assert.Equal(FtsEnvelope.MessageCopyFlags, payload.Header.InterfaceFlags);
    }

    [Theory]
    [InlineData(MicrosoftSamples.EwsUploadItemsDocItem1, "14.1.164.0", null, null)]
    [InlineData(MicrosoftSamples.EwsExportItemsDocItem3, "14.1.139.0", "Interesting - from EWSMA", "2010-03-31T21:14:04Z")]
    [InlineData(MicrosoftSamples.EwsUploadItemsDocItem2, "14.1.164.0", "Interesting - from EWSMA", "2010-05-07T20:11:51Z")]
    public void EwsSamples_GiveVersionClassSubjectAndSubmitTime(string base64, string version, string? subject, string? submitted)
    {
        var summary = FtsReader.TryReadSummary(MicrosoftSamples.Decode(base64), out var problem);

        Assert.NotNull(summary);
        Assert.Equal(version, summary!.ServerVersion);
        Assert.Equal("IPM.Note", summary.MessageClass);
        Assert.Equal(subject, summary.Subject);
        Assert.Equal(submitted is null ? null : DateTime.Parse(submitted).ToUniversalTime(), summary.ClientSubmitTime);
        Assert.Equal(0, summary.RecipientCount);
        // Every sample is cut short, inside a TransferBuffer that declares 8–9 KB.
        Assert.Contains("truncated", problem, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void EwsSample_StartsWithCodePage1252DnPrefixMetaProperty()
    {
        var payload = FtsPayloadStream.Open(new MemoryStream(MicrosoftSamples.Decode(MicrosoftSamples.EwsExportItemsDocItem3)));
        var tokenizer = new FtsTokenizer(payload);

        var dnPrefix = tokenizer.Read()!;
        Assert.Equal(FtsElementKind.MetaProperty, dnPrefix.Kind);
        Assert.Equal(0x400884E4u, dnPrefix.Tag);
        Assert.Equal("/O=FIRST ORGANIZATION/OU=EXCHANGE ADMINISTRATIVE GROUP (FYDIBOHF23SPDLT)/CN=RECIPIENTS/CN=", dnPrefix.GetString());
        Assert.Equal(91, dnPrefix.ValueLength);

        var tags = new List<uint>();
        try
        {
            while (tokenizer.Read() is { } element) tags.Add(element.Tag);
        }
        catch (FtsFormatException)
        {
            // The sample ends mid-element; the elements before it are what this test is about.
        }
        Assert.Equal(
            new uint[] { 0x00170003, 0x001A84B0, 0x0023000B, 0x0029000B, 0x00360003, 0x003784B0, 0x00390040, 0x003B0102, 0x003D84B0 },
            tags.Take(9));
    }

    [Fact]
    public void Writer_EncodesTheEwsSamplePropertiesByteForByteAsExchangeDid()
    {
        // The values are those fts-samples-decoded.txt lists for ews_exportitems_doc_item3, not what this codec read:
        // written with the codec's factories, they must give Exchange's own bytes, up to where the sample is cut.
        var sample = MicrosoftSamples.Decode(MicrosoftSamples.EwsExportItemsDocItem3);
        var dnPrefix = System.Text.Encoding.ASCII.GetBytes("/O=FIRST ORGANIZATION/OU=EXCHANGE ADMINISTRATIVE GROUP (FYDIBOHF23SPDLT)/CN=RECIPIENTS/CN=\0");
        var searchKey = System.Text.Encoding.ASCII.GetBytes("EX:/O=FIRST ORGANIZATION/OU=EXCHANGE ADMINISTRATIVE GROUP (FYDIBOHF23SPDLT)/CN=RECIPIENTS/CN=USERONE\0");
        var message = new FtsMessage();
        message.Properties.Add(FtsProperty.Raw(0x400884E4, [.. BitConverter.GetBytes(dnPrefix.Length), .. dnPrefix]));
        message.Properties.Add(FtsProperty.Int32(FtsPropertyId.Importance, 1));
        message.Properties.Add(FtsProperty.String(FtsPropertyId.MessageClass, "IPM.Note"));
        message.Properties.Add(FtsProperty.Boolean(0x0023, false));
        message.Properties.Add(FtsProperty.Boolean(0x0029, false));
        message.Properties.Add(FtsProperty.Int32(FtsPropertyId.Sensitivity, 0));
        message.Properties.Add(FtsProperty.String(FtsPropertyId.Subject, "Interesting - from EWSMA"));
        message.Properties.Add(FtsProperty.Time(FtsPropertyId.ClientSubmitTime, new DateTime(2010, 3, 31, 21, 14, 4, DateTimeKind.Utc)));
        message.Properties.Add(FtsProperty.Binary(0x003B, searchKey));
        message.Properties.Add(FtsProperty.String(0x003D, ""));

        var blob = new FtsWriter(new FtsServerVersion(14, 1, 139, 0)).Write(message);

        const int ftsStart = 0x46, subjectPrefixEnd = 0x19C; // the sample's PidTagSubjectPrefix ends there (decoded listing)
        Assert.Equal(sample.Take(0x3E), blob.Take(0x3E)); // Config, IsInterfaceOk and the 14.1.139.0 version words
        Assert.Equal(sample.Skip(ftsStart).Take(subjectPrefixEnd - ftsStart), blob.Skip(ftsStart).Take(subjectPrefixEnd - ftsStart));
    }

    [Theory]
    [InlineData(MicrosoftSamples.GraphImportDoc, 15, 20, 4566, 6022)]
    [InlineData(MicrosoftSamples.GraphExportDocItem1, 15, 20, 4608, 6018)]
    [InlineData(MicrosoftSamples.EwsUploadItemsDocItem1, 14, 1, 164, 0)]
    [InlineData(MicrosoftSamples.EwsExportItemsDocItem3, 14, 1, 139, 0)]
    public void Writer_HeaderRecordsAreTheSamplesOwnForTheirVersion(string base64, int major, int minor, int build, int revision)
    {
        var blob = new FtsWriter(new FtsServerVersion(major, minor, build, revision)).Write(new FtsMessage());

        Assert.Equal(MicrosoftSamples.Decode(base64).Take(0x3E), blob.Take(0x3E));
    }
}
