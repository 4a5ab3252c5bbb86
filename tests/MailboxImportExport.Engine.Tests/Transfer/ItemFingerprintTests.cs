using System.Security.Cryptography;
using System.Text;
using MailboxImportExport.Engine.Transfer;
using MailboxImportExport.Fts;
using MailboxImportExport.Fts.Tests;

namespace MailboxImportExport.Engine.Tests.Transfer;

public sealed class ItemFingerprintTests
{
    /// <summary>
    /// Journals keep fingerprints from earlier runs, and an uncertain import is resolved by comparing them with the
    /// target's copies: the hash must stay what version 0.1 computed, whichever way the values are read. Each case is
    /// checked against that algorithm, written out here (every value read into memory, length-prefixed).
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(2_000)]
    [InlineData(100_000)]
    [InlineData(1_048_576)] // the largest value hashed in full
    [InlineData(1_048_577)] // above it, the value's length stands for it
    [InlineData(1_500_000)]
    public void The_fingerprint_is_the_one_earlier_versions_wrote_to_journals(int attachmentBytes)
    {
        var message = FtsTestMessages.Note("Budget " + attachmentBytes, attachmentBytes);
        message.Properties.Add(FtsProperty.String(FtsPropertyId.InternetMessageId, "<budget-" + attachmentBytes + "@contoso.test>"));
        message.Properties.Add(FtsProperty.Binary(0x300B, new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }));
        message.Properties.Add(FtsProperty.Raw(0x1101_101F, MultiString("alpha", "beta"))); // a multi-valued string
        var blob = new FtsWriter().Write(message);

        var fingerprint = ItemFingerprint.Of(FtsData.FromBytes(blob));

        Assert.Equal(Reference(blob), fingerprint.ContentHash);
        Assert.Equal("Budget " + attachmentBytes, fingerprint.Subject);
        Assert.Equal("IPM.Note", fingerprint.MessageClass);
        Assert.Equal("<budget-" + attachmentBytes + "@contoso.test>", fingerprint.InternetMessageId);
        Assert.Equal(Convert.ToBase64String(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }), fingerprint.SearchKey);
        Assert.Equal(FtsTestMessages.Submitted, fingerprint.ClientSubmitTime);
    }

    [Fact]
    public void Items_that_differ_only_in_an_attachment_byte_have_different_fingerprints()
    {
        var one = FtsTestMessages.Note("Same", 5_000);
        var other = FtsTestMessages.Note("Same", 5_000);
        other.Attachments[0].Properties.RemoveAll(p => p.PropertyId == FtsPropertyId.AttachDataBinary);
        var changed = FtsTestMessages.Pattern(5_000);
        changed[4_321] ^= 0xFF;
        other.Attachments[0].Properties.Add(FtsProperty.Binary(FtsPropertyId.AttachDataBinary, changed));

        Assert.NotEqual(ItemFingerprint.Of(FtsData.FromBytes(new FtsWriter().Write(one))).ContentHash,
            ItemFingerprint.Of(FtsData.FromBytes(new FtsWriter().Write(other))).ContentHash);
    }

    private static byte[] MultiString(params string[] values)
    {
        var wire = new MemoryStream();
        wire.Write(BitConverter.GetBytes(values.Length));
        foreach (var value in values)
        {
            var bytes = Encoding.Unicode.GetBytes(value + "\0");
            wire.Write(BitConverter.GetBytes(bytes.Length));
            wire.Write(bytes);
        }
        return wire.ToArray();
    }

    /// <summary>The 0.1 algorithm: every element but those the store sets anew, each value read whole.</summary>
    private static string Reference(byte[] blob)
    {
        var setByStore = new HashSet<ushort> { 0x3007, 0x3008, 0x0E08, 0x0FF9, 0x0FFF, 0x300B, 0x65E0, 0x65E2, 0x65E3, 0x674A, 0x0E17, 0x0FF4, 0x0FF7 };
        var tokenizer = new FtsTokenizer(FtsPayloadStream.Open(new MemoryStream(blob)), 1024 * 1024);
        using var sha = SHA256.Create();
        void Hash(byte[] bytes)
        {
            var length = BitConverter.GetBytes(bytes.Length);
            sha.TransformBlock(length, 0, length.Length, null, 0);
            sha.TransformBlock(bytes, 0, bytes.Length, null, 0);
        }
        while (tokenizer.Read() is { } element)
        {
            if (element.Kind == FtsElementKind.Marker)
            {
                Hash(BitConverter.GetBytes(element.Tag));
                continue;
            }
            if (element.Kind == FtsElementKind.MetaProperty) continue;
            if (element.Named is null && setByStore.Contains(element.PropertyId)) continue;
            Hash(BitConverter.GetBytes(element.Tag));
            if (element.Named is not null) Hash(Encoding.UTF8.GetBytes(element.Named.ToString()));
            Hash(element.Value ?? BitConverter.GetBytes(element.ValueLength));
        }
        sha.TransformFinalBlock(Array.Empty<byte>(), 0, 0);
        return Convert.ToHexString(sha.Hash!).ToLowerInvariant();
    }
}
