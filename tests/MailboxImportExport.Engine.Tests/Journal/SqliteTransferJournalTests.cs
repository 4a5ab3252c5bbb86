using MailboxImportExport.Engine.Journal;
using MailboxImportExport.Engine.Transfer;

namespace MailboxImportExport.Engine.Tests.Journal;

public sealed class SqliteTransferJournalTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mie-journal-").FullName;
    private string Path => System.IO.Path.Combine(_folder, "job.journal");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static JournalItem Row(string item, JournalItemState state, string? target = null) => new("MBX:source@t", item, "MBX:target@t")
    {
        State = state,
        SourceChangeKey = "ck-" + item,
        SourceFolderPath = "/Inbox",
        Subject = "Subject " + item,
        Size = 100,
        TargetFolderId = "target-folder",
        TargetItemId = target,
        Mode = ImportMode.Create,
        Attempts = 1,
        SentAt = new DateTimeOffset(2026, 5, 7, 9, 0, 0, TimeSpan.Zero),
        Fingerprint = new ItemFingerprint { Subject = "Subject " + item, ContentHash = "hash-" + item },
    };

    [Fact]
    public void A_saved_row_reads_back_whole_after_the_journal_is_closed_and_opened_again()
    {
        using (var journal = SqliteTransferJournal.Open(Path)) journal.Save(Row("one", JournalItemState.Sending));

        using var reopened = SqliteTransferJournal.Open(Path);
        var row = reopened.Find("mbx:SOURCE@t", "one", "MBX:target@t")!;
        Assert.Equal((JournalItemState.Sending, "ck-one", "/Inbox", ImportMode.Create, 1), (row.State, row.SourceChangeKey, row.SourceFolderPath, row.Mode, row.Attempts));
        Assert.Equal(new DateTimeOffset(2026, 5, 7, 9, 0, 0, TimeSpan.Zero), row.SentAt);
        Assert.Equal("hash-one", row.Fingerprint!.ContentHash);
        Assert.Null(reopened.Find("MBX:source@t", "ONE", "MBX:target@t"));
    }

    [Fact]
    public void Commands_of_one_process_share_the_open_journal_and_claims_are_by_target_item()
    {
        using var first = SqliteTransferJournal.Open(Path);
        using (var second = SqliteTransferJournal.Open(Path))
        {
            Assert.Same(first, second);
            second.Save(Row("a", JournalItemState.Done, "copy-a"));
        }
        first.Save(Row("b", JournalItemState.Failed));

        Assert.Equal(new[] { "copy-a" }, first.ClaimedAmong("MBX:target@t", new[] { "copy-a", "copy-b", "other" }));
        Assert.Equal(2, first.ItemsOf("MBX:source@t", "MBX:target@t").Count);
    }

    [Fact]
    public void Statistics_and_a_read_only_view_read_the_job_while_it_is_open()
    {
        using var journal = SqliteTransferJournal.Open(Path);
        var run = journal.StartRun("test", DateTimeOffset.UtcNow);
        journal.Save(Row("a", JournalItemState.Done, "copy-a"));
        journal.Save(Row("b", JournalItemState.Failed));
        journal.Save(Row("c", JournalItemState.Sending));

        var statistics = Assert.Single(JournalReader.ReadStatistics(Path, includeFailedItems: true));
        Assert.Equal(("Running", 3, 1, 1, 1), (statistics.Status, statistics.TotalItems, statistics.Copied, statistics.Failed, statistics.InDoubt));
        Assert.Equal("b", Assert.Single(statistics.FailedItems).SourceItemId);
        using (var view = ReadOnlyTransferJournal.Open(Path))
        {
            Assert.Equal(JournalItemState.Done, view.Find("MBX:source@t", "a", "MBX:target@t")!.State);
            Assert.Throws<InvalidOperationException>(() => view.Save(Row("d", JournalItemState.Pending)));
        }
        journal.EndRun(run, new JournalRunTotals { EndedAt = DateTimeOffset.UtcNow, Outcome = "Completed", Created = 1, Failed = 1 });
        Assert.Equal("Completed", Assert.Single(JournalReader.ReadStatistics(Path, false)).LastRunOutcome);
    }

    [Fact]
    public void A_journal_that_does_not_exist_reads_as_empty_without_being_created()
    {
        using var view = ReadOnlyTransferJournal.Open(Path);
        Assert.Empty(view.ItemsOf("MBX:source@t", "MBX:target@t"));
        Assert.False(File.Exists(Path));
    }
}
