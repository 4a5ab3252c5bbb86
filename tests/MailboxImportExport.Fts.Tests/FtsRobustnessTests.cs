using MailboxImportExport.Fts;

namespace MailboxImportExport.Fts.Tests;

/// <summary>The reader's summary API never throws: bad input gives a problem string.</summary>
public class FtsRobustnessTests
{
    [Fact]
    public void EveryTruncation_GivesAProblemNotAnException()
    {
        var blob = new FtsWriter(chunkSize: 512).Write(FtsTestMessages.Note(attachmentBytes: 2000));

        for (var length = 0; length < blob.Length; length += 7)
        {
            var summary = FtsReader.TryReadSummary(blob.AsSpan(0, length), out var problem);
            Assert.True(problem is not null, $"no problem reported for a blob cut at {length} of {blob.Length} bytes");
            // Once the header records and the first TransferBuffer's record header are complete, the version is usable.
            if (length >= 0x46) Assert.NotNull(summary);
        }
    }

    [Fact]
    public void Garbage_GivesNullAndAProblem()
    {
        var random = new Random(1234);
        for (var i = 0; i < 200; i++)
        {
            var garbage = new byte[random.Next(0, 300)];
            random.NextBytes(garbage);

            var summary = FtsReader.TryReadSummary(garbage, out var problem);

            Assert.Null(summary);
            Assert.NotNull(problem);
        }
    }

    [Fact]
    public void GarbageAfterAValidHeader_NeverThrows()
    {
        var random = new Random(99);
        var header = new MemoryStream();
        FtsEnvelope.WriteHeader(header, FtsServerVersion.ExchangeOnlineDefault);
        for (var i = 0; i < 200; i++)
        {
            var garbage = new byte[random.Next(0, 400)];
            random.NextBytes(garbage);
            var fts = new MemoryStream();
            FtsEnvelope.WriteTransferBuffers(fts, garbage, garbage.Length, 64);
            var blob = header.ToArray().Concat(fts.ToArray()).ToArray();

            var summary = FtsReader.TryReadSummary(blob, out _);

            Assert.Equal(FtsServerVersion.ExchangeOnlineDefault.ToString(), summary!.ServerVersion);
        }
    }

    [Fact]
    public void UnknownPropertyType_StopsWithTheOffsetAndKeepsWhatCameBefore()
    {
        var message = new FtsMessage();
        message.Properties.Add(FtsProperty.String(FtsPropertyId.MessageClass, "IPM.Task"));
        message.Properties.Add(FtsProperty.Raw(0x12340099, new byte[] { 1, 2, 3, 4 }));
        message.Properties.Add(FtsProperty.String(FtsPropertyId.Subject, "never reached"));
        var blob = new FtsWriter().Write(message);

        var summary = FtsReader.TryReadSummary(blob, out var problem);

        Assert.Equal("IPM.Task", summary!.MessageClass);
        Assert.Null(summary.Subject);
        // The class takes 4 + 4 + 18 bytes, so the bad tag sits at FTS offset 26.
        Assert.Equal("Unknown property type 0x0099 in tag 0x12340099 (at offset 26)", problem);
    }

    [Fact]
    public void EnvelopeWithAForeignFirstRecord_IsNotAnExport()
    {
        var blob = new FtsWriter().Write(FtsTestMessages.Note());
        blob[0] = 2; // TransferBuffer before Config

        Assert.Null(FtsReader.TryReadSummary(blob, out var problem));
        Assert.Contains("not Config", problem);
    }
}
