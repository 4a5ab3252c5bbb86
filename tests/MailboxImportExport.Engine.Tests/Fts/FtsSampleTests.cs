using MailboxImportExport.Engine.Fts;

namespace MailboxImportExport.Engine.Tests.Fts;

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
}
