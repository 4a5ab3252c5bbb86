using System.Management.Automation;
using MailboxImportExport.Emulator;
using MailboxImportExport.Engine.Models;

namespace MailboxImportExport.Module.Tests;

/// <summary>Exactly once under the service's faults, and the per-mailbox limit under concurrent commands.</summary>
public class FaultMixTests : IClassFixture<EmulatorFixture>
{
    private readonly EmulatorFixture _emulator;

    public FaultMixTests(EmulatorFixture emulator) => _emulator = emulator;

    private EmulatorControl Control => _emulator.Server.Control;
    private static string Text(PSObject o, string name) => o.Properties[name].Value?.ToString() ?? "";

    private List<string> Contents(PowerShellSession session, string mailbox, string path) =>
        session.Run("Get-ExMailboxFolder -MailboxId $args[0] -Recurse | Where-Object Path -eq $args[1] | Get-ExMailboxItem", mailbox, path).Output
            .Select(o => Convert.ToHexString(Control.GetItemData(Text(o, "Id")))).OrderBy(x => x, StringComparer.Ordinal).ToList();

    [Fact]
    public void With_a_fifth_of_imports_failing_503_504_half_after_commit_and_5_percent_dropped_every_item_lands_exactly_once()
    {
        using var session = _emulator.Connect();
        using var directory = new TemporaryDirectory("mie-faults-");
        var alice = Control.GetMailboxId("alice@contoso.test");
        var bob = Control.GetMailboxId("bob@contoso.test");
        foreach (var name in new[] { "A", "B", "C" })
        {
            var folder = Text(Assert.Single(session.Run("New-ExMailboxFolder -MailboxId $args[0] -Path $args[1]", alice, $"/FaultSource/{name}").Output), "Id");
            Control.AddItems(alice, folder, 100, $"Fault {name}");
        }
        Control.ResetStatistics();
        Control.ApplyFaults("import:503=5%,504=5%,503-after-commit=5%,504-after-commit=5%,drop-after-commit=5%", seed: 11);
        RunResult copy;
        try
        {
            copy = session.Run("Copy-ExMailbox alice@contoso.test bob@contoso.test -IncludeFolder '/FaultSource/*' -TargetRootPath /FaultCopy -JournalPath $args[0] -SettleDelay 0:0:0.1",
                Path.Combine(directory.Path, "faults.journal"));
        }
        finally
        {
            Control.ClearFaults();
        }

        Assert.Empty(copy.Errors);
        var summary = copy.Output.Select(o => o.BaseObject).OfType<ExTransferSummary>().Single();
        Assert.Equal((300, 0), (summary.Copied, summary.Failed));
        var faults = Control.Statistics.FaultsInjected;
        Assert.True(faults.Values.Sum() >= 30, $"too few faults to prove anything: {string.Join(", ", faults)}");
        Assert.True(faults.GetValueOrDefault("503-after-commit") + faults.GetValueOrDefault("504-after-commit") + faults.GetValueOrDefault("drop-after-commit") >= 10);
        // Resolution found the committed ones and re-sent only those that had not landed.
        Assert.True(summary.Resolved >= faults.Values.Sum(), $"{summary.Resolved} resolved for {faults.Values.Sum()} faults");
        Assert.Equal(300, Control.Statistics.TotalImportsCreated);
        foreach (var name in new[] { "A", "B", "C" })
            Assert.Equal(Contents(session, alice, $"/FaultSource/{name}"), Contents(session, bob, $"/FaultCopy/FaultSource/{name}"));
    }

    [Fact]
    public void A_commit_that_lands_late_is_found_after_the_settle_delay_and_an_update_of_unknown_outcome_is_not_repeated()
    {
        using var session = _emulator.Connect();
        using var directory = new TemporaryDirectory("mie-faults-");
        var journal = Path.Combine(directory.Path, "late.journal");
        var alice = Control.GetMailboxId("alice@contoso.test");
        var folder = Text(Assert.Single(session.Run("New-ExMailboxFolder -MailboxId $args[0] -Path /LateSource", alice).Output), "Id");
        var items = Control.AddItems(alice, folder, 8, "Late");
        const string copy = "Copy-ExMailbox alice@contoso.test bob@contoso.test -IncludeFolder /LateSource -TargetRootPath /LateCopy -JournalPath $args[0] -SettleDelay 0:0:1.5";
        Control.ResetStatistics();
        // 504 now, committed 0.3 s later: a re-send before the commit landed would make a second copy.
        Control.InjectNext(3, EmulatorRoutes.Import, EmulatorFault.LateCommit(TimeSpan.FromMilliseconds(300)));

        var first = session.Run(copy, journal);

        Assert.Empty(first.Errors);
        var summary = first.Output.Select(o => o.BaseObject).OfType<ExTransferSummary>().Single();
        Assert.Equal((8, 3), (summary.Copied, summary.Resolved));
        Assert.Equal(8, Control.Statistics.TotalImportsCreated);

        // An update whose answer is lost after it committed: the copy's changeKey moved, so it is not sent again.
        Control.TouchItem(items[0]);
        Control.InjectNext(1, EmulatorRoutes.Import, EmulatorFault.StatusAfterCommit(503));
        var second = session.Run(copy, journal);

        Assert.Empty(second.Errors);
        var update = second.Output.Select(o => o.BaseObject).OfType<ExTransferSummary>().Single();
        Assert.Equal((0, 1, 7, 1), (update.Copied, update.Updated, update.Skipped, update.Resolved));
        Assert.Equal(1, Control.Statistics.ImportsUpdated.Values.Sum());
        Assert.Equal(8, Control.Statistics.TotalImportsCreated);
    }

    [Fact]
    public async Task Two_runspaces_with_two_commands_each_never_have_more_than_four_requests_in_flight_for_one_mailbox()
    {
        using var first = _emulator.Connect();
        using var second = _emulator.Connect();
        var bob = Control.GetMailboxId("bob@contoso.test");
        var folders = new[] { "LaneOne", "LaneTwo" }.Select(name =>
        {
            var id = Text(Assert.Single(first.Run("New-ExMailboxFolder -MailboxId $args[0] -Name $args[1]", bob, name).Output), "Id");
            Control.AddItems(bob, id, 60, name);
            return id;
        }).ToList();
        Control.ResetStatistics();
        Control.ClearRequests();
        // Service time keeps requests open long enough to overlap; the emulator enforces Outlook's limits (its
        // default) and counts. Small pages keep each runspace listing while the other works.
        Assert.Equal(4, Control.MailboxConcurrencyLimit);
        Control.Latency = TimeSpan.FromMilliseconds(40);
        const string copy = """
            $target = New-ExMailboxFolder -MailboxId $args[0] -Name ($args[2] + 'Copy')
            Get-ExMailboxItem -MailboxId $args[0] -FolderId $args[1] -PageSize 10 | Export-ExMailboxItem | Import-ExMailboxItem -TargetMailboxId $args[0] -TargetFolder $target
            """;
        try
        {
            using var one = first.Start(copy, bob, folders[0], "LaneOne");
            using var two = second.Start(copy, bob, folders[1], "LaneTwo");
            var results = await Task.WhenAll(one.Result, two.Result);

            Assert.All(results, r => Assert.Empty(r.Errors));
            Assert.All(results, r => Assert.Equal(60, r.Output.Count));
        }
        finally
        {
            Control.Latency = TimeSpan.Zero;
        }
        // Both runspaces worked at once: each one's listing went on while the other's did.
        var requests = Control.Requests.Where(r => string.Equals(r.MailboxId, bob, StringComparison.OrdinalIgnoreCase)).ToList();
        var listings = folders.Select(id => requests.Where(r => r.Route == EmulatorRoutes.Items && r.Path.Contains(id, StringComparison.Ordinal)).ToList()).ToList();
        Assert.All(listings, l => Assert.True(l.Count >= 6, $"{l.Count} listing pages")); // 60 items, 10 a page
        Assert.True(listings[1].Min(r => r.Started) < listings[0].Max(r => r.Timestamp) && listings[0].Min(r => r.Started) < listings[1].Max(r => r.Timestamp),
            "the two runspaces' listings did not overlap");
        // And two commands at once: exports ran while imports did.
        var exports = requests.Where(r => r.Route == EmulatorRoutes.Export).ToList();
        var imports = requests.Where(r => r.Route == EmulatorRoutes.Import).ToList();
        Assert.Contains(exports, e => imports.Any(i => i.Started < e.Timestamp && e.Started < i.Timestamp));

        var lanes = Control.Statistics.MaxInFlight.Where(l => string.Equals(l.Key.MailboxId, bob, StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.NotEmpty(lanes);
        Assert.All(lanes, lane => Assert.True(lane.Value <= 4, $"{lane.Key}: {lane.Value} in flight"));
        Assert.Contains(lanes, lane => lane.Value >= 3);
        Assert.Equal(0, Control.Statistics.Throttled.Values.Sum());
    }
}
