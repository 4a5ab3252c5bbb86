using System.Management.Automation;
using MailboxImportExport.Emulator;
using MailboxImportExport.Engine.Models;

namespace MailboxImportExport.Module.Tests;

/// <summary>Copy-ExMailbox: a copy job that can run again, and its statistics and verification.</summary>
public class CopyTests : IClassFixture<EmulatorFixture>
{
    private readonly EmulatorFixture _emulator;

    public CopyTests(EmulatorFixture emulator) => _emulator = emulator;

    private EmulatorControl Control => _emulator.Server.Control;
    private string Alice => Control.GetMailboxId("alice@contoso.test");
    private string Bob => Control.GetMailboxId("bob@contoso.test");
    private static string Text(PSObject o, string name) => o.Properties[name].Value?.ToString() ?? "";

    private List<string> Plant(PowerShellSession session, string mailbox, string path, int items) =>
        Control.AddItems(mailbox, Folder(session, mailbox, path), items, path.Trim('/').Replace('/', '-'));

    /// <summary>The folder at a path, created (with its parents) when missing.</summary>
    private string Folder(PowerShellSession session, string mailbox, string path)
    {
        try
        {
            return Control.GetFolderId(mailbox, path);
        }
        catch (KeyNotFoundException)
        {
            return Text(Assert.Single(session.Run("New-ExMailboxFolder -MailboxId $args[0] -Path $args[1]", mailbox, path).Output), "Id");
        }
    }

    /// <summary>The stored bytes of every item of a folder, as a sorted list of hex strings (a multiset).</summary>
    private List<string> Contents(PowerShellSession session, string mailbox, string path) =>
        session.Run("Get-ExMailboxFolder -MailboxId $args[0] -Recurse | Where-Object Path -eq $args[1] | Get-ExMailboxItem", mailbox, path).Output
            .Select(o => Convert.ToHexString(Control.GetItemData(Text(o, "Id")))).OrderBy(x => x, StringComparer.Ordinal).ToList();

    private static IReadOnlyList<Engine.Journal.JournalItem> JournalRows(string journal) => Engine.Journal.JournalReader.ReadItems(journal);

    private static ExTransferSummary Summary(RunResult run) => run.Output.Select(o => o.BaseObject).OfType<ExTransferSummary>().Single();

    [Fact]
    public void A_rerun_after_3_changes_and_2_additions_makes_exactly_3_updates_and_2_creates_and_the_copy_matches_byte_for_byte()
    {
        using var session = _emulator.Connect();
        using var directory = new TemporaryDirectory("mie-copy-");
        var journal = Path.Combine(directory.Path, "job.journal");
        var items = Plant(session, Alice, "/CopyChanges", 20);
        const string copy = "Copy-ExMailbox alice@contoso.test bob@contoso.test -IncludeFolder /CopyChanges -TargetRootPath /FromAlice -JournalPath $args[0]";

        var first = session.Run(copy, journal);
        Assert.Empty(first.Errors);
        Assert.Equal((20, 0, 0), (Summary(first).Copied, Summary(first).Updated, Summary(first).Failed));

        foreach (var id in items.Take(3)) Control.TouchItem(id);
        Plant(session, Alice, "/CopyChanges", 2);
        var plan = session.Run(copy + " -WhatIf", journal);
        Assert.Empty(plan.Errors);
        // The host wraps long lines: compare without white space.
        Assert.True(string.Concat(plan.HostText.Where(c => !char.IsWhiteSpace(c))).Contains("Copy2item(s),update3,skip17alreadycopied"), plan.HostText);
        Assert.True(string.Concat(plan.HostText.Where(c => !char.IsWhiteSpace(c))).Contains("/FromAlice/CopyChanges"), plan.HostText);
        Control.ResetStatistics();
        var before = Control.Requests.Count(r => r.Path.EndsWith("/exportItems"));

        var second = session.Run(copy, journal);

        Assert.Empty(second.Errors);
        var summary = Summary(second);
        Assert.Equal((2, 3, 17, 0, "Completed"), (summary.Copied, summary.Updated, summary.Skipped, summary.Failed, summary.Status));
        var pair = Assert.Single(summary.Pairs);
        Assert.Equal((Alice, Bob, 2, 3), (pair.SourceMailboxId, pair.TargetMailboxId, pair.Copied, pair.Updated));
        Assert.Equal(2, Control.Statistics.TotalImportsCreated);
        Assert.Equal(3, Control.Statistics.ImportsUpdated.Values.Sum());
        // Only the five changed or new items were exported: one call.
        Assert.Equal(before + 1, Control.Requests.Count(r => r.Path.EndsWith("/exportItems")));
        Assert.Equal(Contents(session, Alice, "/CopyChanges"), Contents(session, Bob, "/FromAlice/CopyChanges"));
        Assert.Empty(session.Run("Test-ExMailboxCopy -JournalPath $args[0]", journal).Output);
    }

    [Fact]
    public void Corrupt_items_stop_the_copy_after_BadItemLimit_plus_one_failures_and_a_rerun_tries_only_what_is_not_copied()
    {
        using var session = _emulator.Connect();
        using var directory = new TemporaryDirectory("mie-copy-");
        var journal = Path.Combine(directory.Path, "job.journal");
        var folder = Folder(session, Alice, "/CorruptSource");
        var corrupt = Enumerable.Range(0, 5).Select(i => Control.AddItem(Alice, folder, Enumerable.Repeat((byte)(0x41 + i), 64).ToArray(), "IPM.Note")).ToList();
        Control.AddItems(Alice, folder, 6, "Good");

        var first = session.Run("Copy-ExMailbox alice@contoso.test bob@contoso.test -IncludeFolder /CorruptSource -TargetRootPath /Corrupt -JournalPath $args[0] -BadItemLimit 2 -SettleDelay 0:0:0.2", journal);

        // One error per failed item, then the pair's: the limit was passed.
        var error = Assert.Single(first.Errors, e => e.FullyQualifiedErrorId.StartsWith("BadItemLimitExceeded,"));
        Assert.All(first.Errors.Where(e => e != error), e => Assert.StartsWith("ErrorCorruptData,", e.FullyQualifiedErrorId));
        Assert.Contains("-BadItemLimit 2", error.ToString());
        Assert.Contains("Get-ExCopyStatistics", error.ToString());
        Assert.Equal("BadItemLimitExceeded", Summary(first).Status);
        var afterFirst = (ExCopyStatistics)Assert.Single(session.Run("Get-ExCopyStatistics -JournalPath $args[0] -IncludeReport", journal).Output).BaseObject;
        Assert.Equal(("BadItemLimitExceeded", Summary(first).Failed), (afterFirst.LastRun!.Outcome, afterFirst.LastRun.Failed));
        Assert.True(afterFirst.Failed >= 3, $"{afterFirst.Failed} failed");
        Assert.All(afterFirst.FailedItems, f => Assert.Contains(f.SourceItemId, corrupt));
        Assert.All(afterFirst.FailedItems, f => Assert.Equal("ErrorCorruptData", f.ErrorCode));

        // A post in flight when the pair stopped is in doubt: the rerun finds out whether it landed (after a short
        // settle delay here; the real service's default is minutes) before sending anything.
        var importsBefore = Control.Requests.Count(r => r.Path.EndsWith("/importItem"));
        var second = session.Run("Copy-ExMailbox alice@contoso.test bob@contoso.test -IncludeFolder /CorruptSource -TargetRootPath /Corrupt -JournalPath $args[0] -BadItemLimit 10 -SettleDelay 0:0:0.2", journal);

        Assert.Equal(5, second.Errors.Count(e => e.FullyQualifiedErrorId.StartsWith("ErrorCorruptData,")));
        Assert.DoesNotContain(second.Errors, e => e.FullyQualifiedErrorId.StartsWith("BadItemLimitExceeded,"));
        var summary = Summary(second);
        // The good items are all there once: those copied before (and any whose post was in flight at the stop, found
        // by resolution) are skipped, the rest copied; each corrupt one fails again.
        Assert.Equal((6, 5), (summary.Skipped + summary.Copied, summary.Failed));
        Assert.True(summary.Skipped >= afterFirst.Copied);
        // Nothing already copied is sent again: one post per item copied now, and one per corrupt item.
        Assert.Equal(summary.Copied + 5, Control.Requests.Count(r => r.Path.EndsWith("/importItem")) - importsBefore);
        Assert.Equal(6, Control.Statistics.ImportsCreated[Control.GetFolderId(Bob, "/Corrupt/CorruptSource")]);
    }

    [Fact]
    public void Pairs_piped_in_by_property_name_run_side_by_side_with_a_row_each_in_the_summary()
    {
        using var session = _emulator.Connect();
        using var directory = new TemporaryDirectory("mie-copy-");
        Plant(session, Alice, "/PairOne", 7);
        Plant(session, Bob, "/PairTwo", 5);

        var run = session.Run("""
            @(
                [pscustomobject]@{ SourceMailbox = 'alice@contoso.test'; TargetMailbox = 'bob@contoso.test'; TargetRootPath = '/Pairs/alice'; IncludeFolder = '/PairOne' }
                [pscustomobject]@{ SourceMailbox = 'bob@contoso.test'; TargetMailbox = 'alice@contoso.test'; TargetRootPath = '/Pairs/bob'; IncludeFolder = '/PairTwo' }
            ) | Copy-ExMailbox -JournalPath $args[0] -ThrottleLimit 2
            """, Path.Combine(directory.Path, "pairs.journal"));

        Assert.Empty(run.Errors);
        var summary = Summary(run);
        Assert.Equal(12, summary.Copied);
        Assert.Equal(new[] { (Alice, Bob, 7), (Bob, Alice, 5) }, summary.Pairs.Select(p => (p.SourceMailboxId, p.TargetMailboxId, p.Copied)));
        Assert.Equal(Contents(session, Alice, "/PairOne"), Contents(session, Bob, "/Pairs/alice/PairOne"));
        Assert.Equal(Contents(session, Bob, "/PairTwo"), Contents(session, Alice, "/Pairs/bob/PairTwo"));
        var statistics = session.Run("Get-ExCopyStatistics -JournalPath $args[0]", Path.Combine(directory.Path, "pairs.journal")).Output;
        Assert.Equal(2, statistics.Count);
    }

    [Fact]
    public void The_statistics_find_a_pair_by_the_name_the_copy_was_given_and_list_the_sources_for_an_unknown_one()
    {
        using var session = _emulator.Connect();
        using var directory = new TemporaryDirectory("mie-copy-");
        var journal = Path.Combine(directory.Path, "named.journal");
        Plant(session, Alice, "/Named", 2);
        Plant(session, Bob, "/NamedBack", 1);
        const string statistics = "Get-ExCopyStatistics -JournalPath $args[0] -SourceMailbox $args[1]";

        // Given by mailbox id, a mailbox has no other name to keep.
        Assert.Empty(session.Run("Copy-ExMailbox $args[1] $args[2] -IncludeFolder /NamedBack -TargetRootPath /Named/bob -JournalPath $args[0]", journal, Bob, Alice).Errors);
        var unnamed = (ExCopyStatistics)Assert.Single(session.Run("Get-ExCopyStatistics -JournalPath $args[0]", journal).Output).BaseObject;
        Assert.Equal((Bob, (string?)null, Alice, (string?)null), (unnamed.SourceMailboxId, unnamed.SourceName, unnamed.TargetMailboxId, unnamed.TargetName));
        var notASource = session.Run(statistics, journal, "alice@contoso.test");
        Assert.Empty(notASource.Output);
        var error = Assert.Single(notASource.Errors);
        Assert.Equal("SourceMailboxNotInJob,MailboxImportExport.Commands.GetExCopyStatisticsCommand", error.FullyQualifiedErrorId);
        Assert.Contains($"copies from 'alice@contoso.test'. Its sources are: {Bob}.", error.ToString());

        // A pair named for the job that has no item (yet, or at all) is reported as nothing, not as a mistake.
        Assert.Empty(session.Run("Copy-ExMailbox alice@contoso.test bob@contoso.test -IncludeFolder /NoSuchFolder -JournalPath $args[0]", journal).Errors);
        var empty = session.Run(statistics, journal, "alice@contoso.test");
        Assert.Empty(empty.Errors);
        Assert.Empty(empty.Output);

        // As a CSV cell may give it: the name is kept as the mailbox was resolved, trimmed.
        Assert.Empty(session.Run("Copy-ExMailbox ' alice@contoso.test ' bob@contoso.test -IncludeFolder /Named -TargetRootPath /Named/alice -JournalPath $args[0]", journal).Errors);
        var byName = (ExCopyStatistics)Assert.Single(session.Run(statistics, journal, "ALICE@contoso.test").Output).BaseObject;
        Assert.Equal((Alice, "alice@contoso.test", Bob, "bob@contoso.test", 2), (byName.SourceMailboxId, byName.SourceName, byName.TargetMailboxId, byName.TargetName, byName.Copied));
        // The names are the mailboxes': the pair given by ids shows them too now.
        var byId = (ExCopyStatistics)Assert.Single(session.Run(statistics, journal, Bob).Output).BaseObject;
        Assert.Equal((Bob, "bob@contoso.test", Alice, "alice@contoso.test", 1), (byId.SourceMailboxId, byId.SourceName, byId.TargetMailboxId, byId.TargetName, byId.Copied));

        var unknown = Assert.Single(session.Run(statistics, journal, "nobody@contoso.test").Errors);
        Assert.Contains("copies from 'nobody@contoso.test'. Its sources are: ", unknown.ToString());
        Assert.Contains($"alice@contoso.test ({Alice})", unknown.ToString());
        Assert.Contains($"bob@contoso.test ({Bob})", unknown.ToString());
    }

    [Fact]
    public void Well_known_folders_map_to_their_counterparts_and_deletions_are_mirrored_on_request()
    {
        using var session = _emulator.Connect();
        using var directory = new TemporaryDirectory("mie-copy-");
        var journal = Path.Combine(directory.Path, "job.journal");
        var aliceDraftsBefore = Contents(session, Alice, "/Drafts").Count;
        var bobDraftsBefore = Contents(session, Bob, "/Drafts").Count;
        var drafts = Control.AddItems(Alice, "drafts", 3, "Draft");
        Control.AddItems(Alice, "recoverableitemsdeletions", 2, "Recoverable");
        const string copy = "Copy-ExMailbox alice@contoso.test bob@contoso.test -IncludeFolder '#drafts#' -IncludeRecoverableItems -JournalPath $args[0]";

        var first = session.Run(copy, journal);
        Assert.Empty(first.Errors);
        // The Recoverable Items come along into their counterparts, outside the include list.
        var recoverable = Assert.Single(Summary(first).Folders, f => f.FolderPath == "/Recoverable Items/Deletions");
        Assert.True(recoverable.Copied >= 2);
        Assert.Equal(aliceDraftsBefore + 3 + recoverable.Copied, Summary(first).Copied);
        Assert.Equal(bobDraftsBefore + aliceDraftsBefore + 3, Contents(session, Bob, "/Drafts").Count);
        var targets = JournalRows(journal).Where(r => r.SourceFolderPath == "/Recoverable Items/Deletions").Select(r => r.TargetFolderId).Distinct();
        Assert.Equal(Control.GetWellKnownFolderId(Bob, "recoverableitemsdeletions"), Assert.Single(targets));

        Control.DeleteItem(drafts[0]);
        var mirrored = session.Run(copy + " -MirrorDeletion", journal);

        Assert.Empty(mirrored.Errors);
        Assert.Equal(1, Assert.Single(Summary(mirrored).Pairs).Deleted);
        Assert.Equal(bobDraftsBefore + aliceDraftsBefore + 2, Contents(session, Bob, "/Drafts").Count);
        var refused = session.Run(copy + " -MirrorDeletion -StartDate 2020-01-01", journal);
        Assert.Contains("date range", Assert.Single(refused.Errors).ToString());
    }

    [Fact]
    public void Well_known_names_in_include_and_exclude_find_folders_whatever_they_are_called_and_land_in_the_targets_counterpart()
    {
        using var session = _emulator.Connect();
        using var directory = new TemporaryDirectory("mie-copy-");
        var aliceArchive = Control.GetWellKnownFolderId(Alice, "archive");
        var bobArchive = Control.GetWellKnownFolderId(Bob, "archive");
        int Count(string mailbox, string folder) => session.Run("Get-ExMailboxItem -MailboxId $args[0] -FolderId $args[1]", mailbox, folder).Output.Count;
        var (aliceItems, bobBefore) = (Count(Alice, aliceArchive), Count(Bob, bobArchive));
        // Mailboxes set up in German and French: the well-known folders carry the local names.
        const string rename = "Set-ExMailboxFolder -MailboxId $args[0] -FolderId $args[1] -DisplayName $args[2]";
        Assert.Empty(session.Run(rename, Alice, aliceArchive, "Archiv").Errors);
        Assert.Empty(session.Run(rename, Bob, bobArchive, "Archives").Errors);
        try
        {
            var run = session.Run("Copy-ExMailbox alice@contoso.test bob@contoso.test -IncludeFolder '#Archive#/*' -ExcludeFolder '#archive#/2025' -JournalPath $args[0]",
                Path.Combine(directory.Path, "localised.journal"));

            Assert.Empty(run.Errors);
            // The archive's own items, not those of its excluded subfolder, into bob's archive folder, whatever its name.
            var folder = Assert.Single(Summary(run).Folders);
            Assert.Equal(("/Archiv", aliceItems), (folder.FolderPath, folder.Copied));
            Assert.Equal(bobBefore + aliceItems, Count(Bob, bobArchive));
            Assert.DoesNotContain(session.Run("Get-ExMailboxFolder -MailboxId $args[0] -Recurse", Bob).Output, f => Text(f, "Path").Contains("2025"));
        }
        finally
        {
            session.Run(rename, Alice, aliceArchive, "Archive");
            session.Run(rename, Bob, bobArchive, "Archive");
        }
    }

    [Fact]
    public void A_date_range_copies_only_the_items_created_in_it_and_the_rest_later()
    {
        using var session = _emulator.Connect();
        using var directory = new TemporaryDirectory("mie-copy-");
        var journal = Path.Combine(directory.Path, "dated.journal");
        var folder = Folder(session, Alice, "/Dated");
        var old = Enumerable.Range(0, 3).Select(i => Control.AddItem(Alice, folder, EmulatorData.MessageBlob($"Old {i}"), "IPM.Note", new DateTimeOffset(2021, 6, 1 + i, 8, 0, 0, TimeSpan.Zero))).ToList();
        var recent = Enumerable.Range(0, 4).Select(i => Control.AddItem(Alice, folder, EmulatorData.MessageBlob($"Recent {i}"), "IPM.Note", new DateTimeOffset(2025, 3, 1 + i, 8, 0, 0, TimeSpan.Zero))).ToList();
        const string copy = "Copy-ExMailbox alice@contoso.test bob@contoso.test -IncludeFolder /Dated -TargetRootPath /DatedCopy -JournalPath $args[0] ";

        var plan = session.Run(copy + "-StartDate 2024-01-01 -WhatIf", journal);
        Assert.Contains("Copy4item(s),update0,skip0", string.Concat(plan.HostText.Where(c => !char.IsWhiteSpace(c))));
        // A time with an offset is that instant: 09:00 at +01:00 is the 08:00 UTC of the newest item, so only it is in range.
        var offsetPlan = session.Run(copy + "-StartDate 2025-03-04T09:00:00+01:00 -WhatIf", journal);
        Assert.Contains("Copy1item(s),update0,skip0", string.Concat(offsetPlan.HostText.Where(c => !char.IsWhiteSpace(c))));
        var recentRun = session.Run(copy + "-StartDate 2024-01-01", journal);
        Assert.Empty(recentRun.Errors);
        Assert.Equal((4, 0), (Summary(recentRun).Copied, Summary(recentRun).Skipped));
        Assert.Equal(recent.Select(id => Convert.ToHexString(Control.GetItemData(id))).Order(StringComparer.Ordinal), Contents(session, Bob, "/DatedCopy/Dated"));

        // Two imports refused with 429: waited out (Retry-After), sent again, and the time counted as throttled.
        Control.InjectNext(2, EmulatorRoutes.Import, EmulatorFault.Status(429, 0.3));
        var olderRun = session.Run(copy + "-EndDate 2024-01-01", journal);
        Assert.Empty(olderRun.Errors);
        Assert.Equal((3, 0), (Summary(olderRun).Copied, Summary(olderRun).Skipped));
        Assert.True(Summary(olderRun).ThrottledTime >= TimeSpan.FromSeconds(0.3), $"{Summary(olderRun).ThrottledTime} throttled");
        Assert.True(Summary(olderRun).Retried >= 2, $"{Summary(olderRun).Retried} retried");
        // The journal keeps each run's counts, bytes and throttled time.
        var statistics = (ExCopyStatistics)Assert.Single(session.Run("Get-ExCopyStatistics -JournalPath $args[0] -IncludeReport", journal).Output).BaseObject;
        var last = statistics.LastRun!;
        Assert.Equal(("Copy-ExMailbox", "Completed", 3, 0, Summary(olderRun).Bytes), (last.Command, last.Outcome, last.Copied, last.Skipped, last.Bytes));
        Assert.Equal(Summary(olderRun).Retried, last.Retried);
        Assert.Equal((long)Summary(olderRun).ThrottledTime.TotalMilliseconds, (long)last.ThrottledTime.TotalMilliseconds);
        Assert.Equal(new[] { 4, 3 }, statistics.RunHistory.Select(r => r.Copied));
        Assert.Equal(Contents(session, Alice, "/Dated"), Contents(session, Bob, "/DatedCopy/Dated"));
        // Without a range, everything is copied already.
        var whole = session.Run(copy.TrimEnd(), journal);
        Assert.Equal((0, 7), (Summary(whole).Copied, Summary(whole).Skipped));
        Assert.Equal(old.Count + recent.Count, JournalRows(journal).Count);
    }

    [Fact]
    public void A_named_job_keeps_its_journal_in_the_jobs_folder_and_every_job_command_finds_it_by_name()
    {
        using var session = _emulator.Connect();
        Plant(session, Alice, "/NamedJob", 4);
        var name = $"mie-test-{Guid.NewGuid():N}";
        var journal = Engine.Journal.CopyJobs.PathOf(name);
        try
        {
            var first = session.Run("Copy-ExMailbox alice@contoso.test bob@contoso.test -IncludeFolder /NamedJob -TargetRootPath /Named -JobName $args[0]", name);
            Assert.Empty(first.Errors);
            Assert.Equal(journal, Summary(first).JournalPath);
            Assert.True(File.Exists(journal));
            // MAILBOXIMPORTEXPORT_JOB_DIRECTORY (set for this test process) in place of the user's data folder.
            Assert.Equal(ModuleTestsSetup.JobDirectory, Path.GetDirectoryName(journal));

            var again = session.Run("Copy-ExMailbox alice@contoso.test bob@contoso.test -IncludeFolder /NamedJob -TargetRootPath /Named -JobName $args[0]", name);
            Assert.Equal((0, 4), (Summary(again).Copied, Summary(again).Skipped));
            var statistics = (ExCopyStatistics)Assert.Single(session.Run("Get-ExCopyStatistics -JobName $args[0]", name).Output).BaseObject;
            Assert.Equal((4, "Completed", 2), (statistics.Copied, statistics.Status, statistics.Runs));
            Assert.Empty(session.Run("Test-ExMailboxCopy -JobName $args[0]", name).Output);

            var invalid = session.Run("Copy-ExMailbox alice@contoso.test bob@contoso.test -JobName 'nightly/alice'");
            Assert.StartsWith("JobNameInvalid,", Assert.Single(invalid.Errors).FullyQualifiedErrorId);
            var unknown = session.Run("Get-ExCopyStatistics -JobName $args[0]", name + "-never");
            Assert.StartsWith("JobNotFound,", Assert.Single(unknown.Errors).FullyQualifiedErrorId);
        }
        finally
        {
            foreach (var file in Directory.GetFiles(Path.GetDirectoryName(journal)!, name + "*")) File.Delete(file);
        }
    }
}
