using System.Buffers.Binary;
using MailboxImportExport.Fts;

namespace MailboxImportExport.Fts.Tests;

public class FtsRoundTripTests
{
    [Fact]
    public void WrittenBlob_ReadsBackEverySummaryField()
    {
        var blob = new FtsWriter().Write(FtsTestMessages.Note());

        var summary = FtsReader.TryReadSummary(blob, out var problem);

        Assert.Null(problem);
        Assert.NotNull(summary);
        Assert.Equal(FtsServerVersion.ExchangeOnlineDefault.ToString(), summary!.ServerVersion);
        Assert.StartsWith("15.20.", summary.ServerVersion);
        Assert.Equal("IPM.Note", summary.MessageClass);
        Assert.Equal("Q3 budget — naïve café review", summary.Subject);
        Assert.Equal("Alice Anders", summary.SenderName);
        Assert.Equal("alice@contoso.test", summary.SenderAddress);
        Assert.Equal(FtsTestMessages.Submitted, summary.ClientSubmitTime);
        Assert.Equal(FtsTestMessages.Delivered, summary.MessageDeliveryTime);
        Assert.Equal(3, summary.RecipientCount);
        Assert.Equal(2, summary.AttachmentCount);
        Assert.True(summary.HasAttachments);
    }

    [Fact]
    public void Writer_IsDeterministic()
    {
        Assert.Equal(new FtsWriter().Write(FtsTestMessages.Note()), new FtsWriter().Write(FtsTestMessages.Note()));
    }

    [Fact]
    public void Writer_HeaderMatchesTheGraphSampleByteForByte_ExceptTheVersion()
    {
        var version = new FtsServerVersion(15, 20, 4566, 6022);
        var blob = new FtsWriter(version).Write(FtsTestMessages.Note());
        var sample = MicrosoftSamples.Decode(MicrosoftSamples.GraphImportDoc);

        // Up to the TransferBuffer length, and with the sample's version, the bytes are the sample's.
        Assert.Equal(sample.Take(0x42), blob.Take(0x42));
        Assert.Equal(FtsEnvelope.DefaultChunkSize, BinaryPrimitives.ReadInt32LittleEndian(blob.AsSpan(0x42)));
        // The stream then starts as the sample's does: PidTagImportance = 1, PidTagMessageClass 0x84B0 length 18, "IPM.".
        Assert.Equal(sample.Skip(0x46), blob.Skip(0x46).Take(sample.Length - 0x46));
    }

    [Fact]
    public void Writer_SplitsTheStreamIntoChunksOfTheConfiguredSize()
    {
        var blob = new FtsWriter().Write(FtsTestMessages.Note(attachmentBytes: 100_000));

        var lengths = TransferBufferLengths(blob);

        Assert.True(lengths.Count >= 4);
        Assert.All(lengths.Take(lengths.Count - 1), length => Assert.Equal(FtsEnvelope.DefaultChunkSize, length));
        Assert.InRange(lengths[^1], 1, FtsEnvelope.DefaultChunkSize);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(1000)]
    public void ElementsStraddlingChunkBoundaries_ReadTheSame(int chunkSize)
    {
        var blob = new FtsWriter(chunkSize: chunkSize).Write(FtsTestMessages.Note(attachmentBytes: 5000));

        var summary = FtsReader.TryReadSummary(blob, out var problem);

        Assert.Null(problem);
        Assert.Equal("Q3 budget — naïve café review", summary!.Subject);
        Assert.Equal(3, summary.RecipientCount);
        Assert.Equal(2, summary.AttachmentCount);
    }

    [Fact]
    public void NonSeekableStream_IsReadFrontToBack()
    {
        var blob = new FtsWriter(chunkSize: 4096).Write(FtsTestMessages.Note(attachmentBytes: 300_000));

        var summary = FtsReader.TryReadSummary(new ForwardOnlyStream(blob), out var problem);

        Assert.Null(problem);
        Assert.Equal("alice@contoso.test", summary!.SenderAddress);
        Assert.Equal(2, summary.AttachmentCount);
    }

    [Fact]
    public void Tokenizer_SkipsLargeValuesAndReportsTheirLength()
    {
        var blob = new FtsWriter().Write(FtsTestMessages.Note(attachmentBytes: 200_000));
        var elements = Tokenize(blob);

        var data = elements.First(e => e.PropertyId == FtsPropertyId.AttachDataBinary);
        Assert.True(data.ValueSkipped);
        Assert.Null(data.Value);
        Assert.Equal(200_000, data.ValueLength);
    }

    [Fact]
    public void Tokenizer_LeavesDeclinedValuesInTheStreamToCopyOrSkip()
    {
        // Small records, so values straddle TransferBuffer records.
        var blob = new FtsWriter(chunkSize: 4096).Write(FtsTestMessages.Note(attachmentBytes: 30_000));
        var whole = Tokenize(blob);
        var tokenizer = new FtsTokenizer(FtsPayloadStream.Open(new MemoryStream(blob)))
        {
            KeepValue = e => e.PropertyId == FtsPropertyId.Subject,
        };
        int index = 0, kept = 0, copied = 0, skipped = 0;
        while (tokenizer.Read() is { } element)
        {
            var expected = whole[index++];
            Assert.Equal(expected.Tag, element.Tag);
            Assert.Equal(expected.ValueLength, element.ValueLength);
            if (!element.ValueSkipped)
            {
                Assert.Equal(expected.Value, element.Value);
                if (element.PropertyId == FtsPropertyId.Subject) kept++;
                continue;
            }
            Assert.Null(element.Value);
            // Display names are left alone (the next Read skips them); every other declined value is copied out.
            if (element.PropertyId == FtsPropertyId.DisplayName)
            {
                skipped++;
                continue;
            }
            var bytes = new MemoryStream();
            tokenizer.CopyValueTo((buffer, offset, count) => bytes.Write(buffer, offset, count));
            Assert.Equal(expected.Value, bytes.ToArray());
            copied++;
        }
        Assert.Equal(whole.Count, index);
        Assert.Equal(2, kept); // the note's and the embedded message's
        Assert.Equal(4, skipped); // three recipients and the embedded message's
        Assert.True(copied > 5, $"only {copied} values were copied");
    }

    [Fact]
    public void Tokenizer_ReadsNamedPropertiesByNameAndByLid()
    {
        var elements = Tokenize(new FtsWriter().Write(FtsTestMessages.Note()));

        var keywords = elements.Single(e => e.Named?.Name == "Keywords");
        Assert.Equal(FtsNamedProperty.PsPublicStrings, keywords.Named!.PropertySet);
        Assert.Equal("Finance", keywords.GetString());
        var byLid = elements.Single(e => e.Named?.Lid == 0x8501);
        Assert.Equal(FtsNamedProperty.PsetidCommon, byLid.Named!.PropertySet);
        Assert.Equal(7, byLid.GetInt32());
    }

    [Fact]
    public void Tokenizer_FollowsTheMessageContentGrammar()
    {
        var markers = Tokenize(new FtsWriter().Write(FtsTestMessages.Note()))
            .Where(e => e.Kind != FtsElementKind.Property)
            .Select(e => e.Tag == FtsMarker.MetaTagFxDelProp ? $"DelProp:{BinaryPrimitives.ReadUInt32LittleEndian(e.Value):X8}" : $"{e.Tag:X8}")
            .ToList();

        Assert.Equal(
            new[]
            {
                "DelProp:0E12000D", "40030003", "40040003", "40030003", "40040003", "40030003", "40040003",
                "DelProp:0E13000D", "40000003", "400E0003",
                "40000003", "40010003", "DelProp:0E12000D", "40030003", "40040003", "DelProp:0E13000D", "40000003", "400E0003", "40020003", "400E0003",
            },
            markers);
    }

    [Fact]
    public void Tokenizer_ReadsMultiValuedAndCodePageMultiValuedProperties()
    {
        var message = new FtsMessage();
        message.Properties.Add(FtsProperty.Raw(0x3A001003, new byte[] { 2, 0, 0, 0, 5, 0, 0, 0, 9, 0, 0, 0 }));
        var strings = new List<byte>();
        strings.AddRange(new byte[] { 1, 0, 0, 0, 4, 0, 0, 0, (byte)'h', 0, 0, 0 });
        message.Properties.Add(FtsProperty.Raw(0x3A0194B0, strings.ToArray()));
        message.Properties.Add(FtsProperty.Raw(FtsMarker.MetaTagEcWarning, new byte[] { 1, 2, 3, 4 }));
        message.Properties.Add(FtsProperty.String(FtsPropertyId.MessageClass, "IPM.Contact"));

        var elements = Tokenize(new FtsWriter().Write(message));

        Assert.True(elements[0].IsMultiValued);
        Assert.Equal(12, elements[0].Value!.Length);
        Assert.True(elements[1].IsMultiValued);
        Assert.Equal(strings, elements[1].Value);
        Assert.Equal(FtsElementKind.MetaProperty, elements[2].Kind);
        Assert.Equal("IPM.Contact", elements[3].GetString());
    }

    internal static List<FtsElement> Tokenize(byte[] blob)
    {
        var tokenizer = new FtsTokenizer(FtsPayloadStream.Open(new MemoryStream(blob)));
        var elements = new List<FtsElement>();
        while (tokenizer.Read() is { } element) elements.Add(element);
        return elements;
    }

    private static List<int> TransferBufferLengths(byte[] blob)
    {
        var lengths = new List<int>();
        for (var offset = 0; offset < blob.Length;)
        {
            var opcode = BinaryPrimitives.ReadUInt32LittleEndian(blob.AsSpan(offset));
            var length = BinaryPrimitives.ReadInt32LittleEndian(blob.AsSpan(offset + 4));
            if (opcode == (uint)FtsOpcode.TransferBuffer) lengths.Add(length);
            offset += 8 + length;
        }
        return lengths;
    }

    /// <summary>A stream that cannot seek and hands out at most 1000 bytes a read, like a network stream.</summary>
    private sealed class ForwardOnlyStream(byte[] data) : Stream
    {
        private readonly MemoryStream _inner = new(data);
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 1000));
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
