using System.Security.Cryptography;
using MailboxImportExport.Fts.Tests;
using MailboxImportExport.Engine.Transfer;

namespace MailboxImportExport.Engine.Tests.Transfer;

[Collection(TempFileCollection.Name)]
public class FtsDataTests
{
    [Fact]
    public void Bytes_are_wrapped_and_hashed()
    {
        var bytes = FtsTestMessages.Pattern(1000);
        using var data = FtsData.FromBytes(bytes);

        Assert.True(data.IsInMemory);
        Assert.Equal(1000, data.Length);
        Assert.Equal(bytes, data.ReadAllBytes());
        Assert.Equal(Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant(), data.Sha256());
    }

    [Fact]
    public void Base64_above_the_threshold_goes_to_a_temp_file_that_dispose_deletes()
    {
        TempFile.CountOnlyThisFlow();
        var before = TempFile.LiveCount;
        var bytes = FtsTestMessages.Pattern(300_001);

        var data = FtsData.FromBase64(Convert.ToBase64String(bytes), spillThreshold: 100_000);
        var path = data.FilePath!;

        Assert.False(data.IsInMemory);
        Assert.StartsWith(TempFile.Directory, path);
        Assert.True(File.Exists(path));
        Assert.Equal(bytes, data.ReadAllBytes());
        Assert.Equal(before + 1, TempFile.LiveCount);

        data.Dispose();
        Assert.False(File.Exists(path));
        Assert.Equal(before, TempFile.LiveCount);
        Assert.Throws<ObjectDisposedException>(() => data.OpenRead());
    }

    [Fact]
    public void Base64_below_the_threshold_stays_in_memory()
    {
        var bytes = FtsTestMessages.Pattern(5);
        using var data = FtsData.FromBase64(Convert.ToBase64String(bytes));
        Assert.True(data.IsInMemory);
        Assert.Equal(bytes, data.ReadAllBytes());
    }

    [Fact]
    public void Invalid_base64_fails_and_leaves_no_temp_file()
    {
        TempFile.CountOnlyThisFlow();
        var before = TempFile.LiveCount;
        var text = Convert.ToBase64String(FtsTestMessages.Pattern(200_000)) + "*not base64*";
        Assert.Throws<FormatException>(() => FtsData.FromBase64(text, spillThreshold: 1000));
        Assert.Equal(before, TempFile.LiveCount);
    }

    [Fact]
    public void A_file_is_read_in_place_and_never_deleted()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, FtsTestMessages.Pattern(4096));
            var data = FtsData.FromFile(path);
            Assert.Equal(Path.GetFullPath(path), data.FilePath);
            Assert.Equal(4096, data.Length);
            data.Dispose();
            Assert.True(File.Exists(path));
            Assert.Equal(FtsTestMessages.Pattern(4096), data.ReadAllBytes());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ToString_shows_the_size_not_the_bytes()
    {
        using var data = FtsData.FromBytes(TransferTestData.Utf8("secret body text"));
        Assert.Equal("16 bytes (in memory)", data.ToString());
    }

    [Fact]
    public void Pooled_data_decoded_for_the_copy_reads_its_own_length_and_cannot_be_read_once_given_back()
    {
        var bytes = FtsTestMessages.Pattern(70_001);
        using var decoder = new Base64FtsDataDecoder(spillThreshold: 1_000_000, pooled: true);
        decoder.Write(System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(bytes)));
        var data = decoder.Complete();

        Assert.True(data.IsInMemory);
        Assert.Equal(bytes.Length, data.Length);
        // The rented array is larger than the item: only the item's bytes are read, hashed and sent.
        Assert.Equal(bytes, data.ReadAllBytes());
        Assert.Equal(Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant(), data.Sha256());

        data.Dispose();
        data.Dispose();
        Assert.Throws<ObjectDisposedException>(() => data.OpenRead());
    }

    [Fact]
    public void Unpooled_data_keeps_an_exact_array_that_stays_readable_after_dispose()
    {
        var bytes = FtsTestMessages.Pattern(5_000);
        var data = FtsData.FromBase64(Convert.ToBase64String(bytes));
        data.Dispose();

        Assert.Equal(bytes, data.ReadAllBytes());
    }
}
