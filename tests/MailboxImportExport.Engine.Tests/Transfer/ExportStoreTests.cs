using System.Text.Json;
using System.Text.RegularExpressions;
using MailboxImportExport.Engine.Models;
using MailboxImportExport.Engine.Transfer;
using static MailboxImportExport.Engine.Tests.Transfer.TransferTestData;

namespace MailboxImportExport.Engine.Tests.Transfer;

public sealed class ExportStoreTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mie-store-").FullName;
    private readonly string _dir;

    // The store's folder is not created yet: the store creates it.
    public ExportStoreTests() => _dir = Path.Combine(_root, "store");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Manifest => Path.Combine(_dir, ExportStore.ManifestFileName);

    private static ExExportedItem Item(string id, string changeKey = "ck-1", string subject = "Quarterly numbers") =>
        ExExportedItem.FromExport(new ExportRequest(Mailbox, id) { FolderId = "f-1", FolderPath = "/Inbox/Projects", Type = "IPM.Note", Size = 999 },
            changeKey, FtsData.FromBytes(Blob(subject)));

    private ExportStoreWriteResult WriteOne(ExExportedItem item, bool force = false)
    {
        using var store = ExportStore.Open(_dir);
        return store.Write(item, force);
    }

    private List<ExportStoreRecord> ReadAll() => ExportStore.Read(_dir).ToList();

    [Fact]
    public void Items_are_written_with_a_manifest_line_and_read_back_from_their_files()
    {
        var item = Item("AAMk/+=id:with*odd?chars");
        Assert.Equal(ExportStoreWriteResult.Written, WriteOne(item));

        var fileName = ExportStore.FileNameFor(Mailbox, item.ItemId);
        Assert.Matches(new Regex("^[0-9a-f]{40}\\.fts$"), fileName);
        Assert.Equal(fileName, ExportStore.FileNameFor(Mailbox.ToLowerInvariant(), item.ItemId));
        Assert.Equal(item.Data.ReadAllBytes(), File.ReadAllBytes(Path.Combine(_dir, fileName)));
        var line = JsonDocument.Parse(Assert.Single(File.ReadAllLines(Manifest))).RootElement;
        Assert.Equal(item.ItemId, line.GetProperty("itemId").GetString());
        Assert.Equal("/Inbox/Projects", line.GetProperty("sourceFolderPath").GetString());
        Assert.Equal("Quarterly numbers", line.GetProperty("subject").GetString());
        Assert.Equal(fileName, line.GetProperty("file").GetString());
        Assert.Equal(item.Data.Sha256(), line.GetProperty("sha256").GetString());
        Assert.False(File.Exists(Path.Combine(_dir, ".export.lock")));

        var read = Assert.Single(ReadAll()).Item!;
        Assert.Equal(item.ItemId, read.ItemId);
        Assert.Equal(Mailbox, read.SourceMailboxId);
        Assert.Equal("ck-1", read.ChangeKey);
        Assert.Equal("IPM.Note", read.Type);
        Assert.Equal(999, read.Size);
        Assert.Equal("alice@contoso.test", read.SenderAddress);
        Assert.Equal(item.SentDateTime, read.SentDateTime);
        Assert.False(read.Data.IsInMemory);
        Assert.Equal(Path.Combine(_dir, fileName), read.Data.FilePath);
        Assert.Equal(item.Data.ReadAllBytes(), read.Data.ReadAllBytes());
    }

    [Fact]
    public void Writing_again_with_the_same_change_key_skips_the_item()
    {
        WriteOne(Item("one"));
        var written = File.GetLastWriteTimeUtc(Path.Combine(_dir, ExportStore.FileNameFor(Mailbox, "one")));

        Assert.Equal(ExportStoreWriteResult.Skipped, WriteOne(Item("one")));

        Assert.Single(File.ReadAllLines(Manifest));
        Assert.Equal(written, File.GetLastWriteTimeUtc(Path.Combine(_dir, ExportStore.FileNameFor(Mailbox, "one"))));
    }

    [Fact]
    public void Another_change_key_is_a_conflict_unless_forced_and_forcing_replaces_file_and_line()
    {
        WriteOne(Item("one", "ck-1", "Old subject"));
        var original = File.ReadAllBytes(Path.Combine(_dir, ExportStore.FileNameFor(Mailbox, "one")));

        var e = Assert.Throws<ExportStoreConflictException>(() => WriteOne(Item("one", "ck-2", "New subject")));
        Assert.Contains("ck-1", e.Message);
        Assert.Contains("ck-2", e.Message);
        Assert.Contains("-Force", e.Message);
        Assert.Equal(original, File.ReadAllBytes(Path.Combine(_dir, ExportStore.FileNameFor(Mailbox, "one"))));

        Assert.Equal(ExportStoreWriteResult.Replaced, WriteOne(Item("one", "ck-2", "New subject"), force: true));

        var line = JsonDocument.Parse(Assert.Single(File.ReadAllLines(Manifest))).RootElement;
        Assert.Equal("ck-2", line.GetProperty("changeKey").GetString());
        var read = Assert.Single(ReadAll()).Item!;
        Assert.Equal("New subject", read.Subject);
        Assert.Equal(Blob("New subject"), read.Data.ReadAllBytes());
    }

    [Fact]
    public void A_manifest_line_cut_short_by_a_crash_is_skipped_on_read_and_dropped_on_the_next_open()
    {
        WriteOne(Item("one"));
        WriteOne(Item("two"));
        File.AppendAllText(Manifest, "{\"sourceMailboxId\":\"MBX:x\",\"itemId\":\"thr");

        Assert.Equal(new[] { "one", "two" }, ReadAll().Select(r => r.Item!.ItemId));

        Assert.Equal(ExportStoreWriteResult.Written, WriteOne(Item("three")));
        Assert.Equal(3, File.ReadAllLines(Manifest).Length);
        Assert.Equal(new[] { "one", "two", "three" }, ReadAll().Select(r => r.Item!.ItemId));
    }

    [Fact]
    public void A_missing_or_damaged_file_is_named_and_the_other_items_still_come()
    {
        using (var store = ExportStore.Open(_dir))
            foreach (var id in new[] { "one", "two", "three" }) store.Write(Item(id));
        File.Delete(Path.Combine(_dir, ExportStore.FileNameFor(Mailbox, "one")));
        var damaged = Path.Combine(_dir, ExportStore.FileNameFor(Mailbox, "two"));
        var bytes = File.ReadAllBytes(damaged);
        bytes[100] ^= 0xFF;
        File.WriteAllBytes(damaged, bytes);

        var records = ReadAll();

        Assert.Equal(3, records.Count);
        Assert.False(records[0].Succeeded);
        Assert.Contains(ExportStore.FileNameFor(Mailbox, "one"), records[0].Error);
        Assert.Contains("missing", records[0].Error);
        Assert.False(records[1].Succeeded);
        Assert.Contains(Path.GetFileName(damaged), records[1].Error);
        Assert.Contains("damaged", records[1].Error);
        Assert.Equal("three", records[2].Item!.ItemId);
    }

    [Fact]
    public void A_file_missing_at_export_time_is_written_again()
    {
        WriteOne(Item("one"));
        File.Delete(Path.Combine(_dir, ExportStore.FileNameFor(Mailbox, "one")));

        Assert.Equal(ExportStoreWriteResult.Replaced, WriteOne(Item("one")));

        Assert.True(Assert.Single(ReadAll()).Succeeded);
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("/etc/passwd")]
    [InlineData("Inbox/../../x.fts")]
    [InlineData("C:\\\\Windows\\\\x.fts")]
    public void A_manifest_cannot_point_outside_its_folder(string file)
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Manifest, "{\"sourceMailboxId\":\"MBX:x\",\"itemId\":\"i\",\"file\":\"" + file + "\",\"sha256\":\"00\",\"length\":1}\n");

        var record = Assert.Single(ReadAll());

        Assert.False(record.Succeeded);
        Assert.Contains("Line 1", record.Error);
        Assert.Contains("not a path inside the folder", record.Error);
    }

    [Fact]
    public void One_writer_at_a_time()
    {
        using var first = ExportStore.Open(_dir);
        var e = Assert.Throws<IOException>(() => ExportStore.Open(_dir));
        Assert.Contains("Another export is writing", e.Message);
    }

    [Fact]
    public void Reading_a_folder_without_a_manifest_says_what_is_wrong()
    {
        Directory.CreateDirectory(_dir);
        var e = Assert.Throws<FileNotFoundException>(() => ExportStore.Read(_dir));
        Assert.Contains("not a folder written by Export-ExMailboxItem", e.Message);
    }
}
