using System.Text.Json;
using MailboxImportExport.Engine.Models;
using MailboxImportExport.Engine.Transfer;
using static MailboxImportExport.Engine.Tests.Transfer.TransferTestData;

namespace MailboxImportExport.Engine.Tests.Transfer;

/// <summary>Export folders of .msg/.eml files: names people can browse, safe on every file system, and the store's guarantees kept.</summary>
public sealed class ReadableExportTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mie-readable-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static ExExportedItem Item(string id, string subject, string folderPath = "/Inbox/Pro\\/jects", string changeKey = "ck-1") =>
        ExExportedItem.FromExport(new ExportRequest(Mailbox, id) { FolderPath = folderPath, Type = "IPM.Note" }, changeKey, FtsData.FromBytes(Blob(subject)));

    [Theory]
    [InlineData("Q3: plan/notes? <draft> *final* | \"v2\"", "Q3_ plan_notes_ _draft_ _final_ _ _v2_")]
    [InlineData("CON", "_CON")]
    [InlineData("nul.txt", "_nul.txt")]
    [InlineData("ends with dots...  ", "ends with dots")]
    [InlineData("tab\there", "tab_here")]
    [InlineData("...", "_")]
    public void Names_are_made_safe_on_every_file_system(string text, string safe) =>
        Assert.Equal(safe, ReadableItemWriter.SafeName(text));

    [Fact]
    public void Long_names_are_cut_without_splitting_a_character()
    {
        var name = ReadableItemWriter.SafeName(new string('a', 99) + "📈📈");

        Assert.Equal(99, name.Length);
        Assert.Equal(new string('a', 99), name);
    }

    [Fact]
    public void Items_go_into_the_folder_tree_by_date_and_subject_and_namesakes_get_a_number()
    {
        using (var store = ExportStore.Open(_dir, ExportFormat.Msg))
        {
            store.Write(Item("one", "Budget: Q3"));
            store.Write(Item("two", "Budget: Q3"));
            store.Write(Item("three", "Budget: Q3", folderPath: ""));
        }

        var lines = File.ReadAllLines(Path.Combine(_dir, ExportStore.ManifestFileName)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var files = lines.Select(l => l.GetProperty("file").GetString()).ToList();
        Assert.Matches(@"^Inbox/Pro_jects/\d{4}-\d\d-\d\d \d{4} Budget_ Q3\.msg$", files[0]);
        Assert.Equal(files[0]!.Replace(".msg", " (2).msg"), files[1]);
        Assert.DoesNotContain("/", files[2]);
        Assert.All(lines, l => Assert.Equal("Msg", l.GetProperty("format").GetString()));
        Assert.All(files, f => Assert.True(File.Exists(Path.Combine(_dir, f!))));
        // A folder of files for people is not an import source: each line says why.
        Assert.All(ExportStore.Read(_dir), record => Assert.Contains("only FastTransfer exports", record.Error));
    }

    [Fact]
    public void A_changed_item_replaces_its_own_file_and_an_unchanged_one_is_skipped()
    {
        using (var store = ExportStore.Open(_dir, ExportFormat.Eml)) store.Write(Item("one", "First"));
        using (var store = ExportStore.Open(_dir, ExportFormat.Eml))
        {
            Assert.Equal(ExportStoreWriteResult.Skipped, store.Write(Item("one", "First")));
            Assert.Equal(ExportStoreWriteResult.Replaced, store.Write(Item("one", "Renamed", changeKey: "ck-2"), force: true));
            Assert.EndsWith("First.eml", store.PathOf(Item("one", "x")));
        }
        Assert.Single(Directory.GetFiles(_dir, "*.eml", SearchOption.AllDirectories));
        Assert.Throws<ExportFormatMismatchException>(() => ExportStore.Open(_dir, ExportFormat.Fts));
    }
}
