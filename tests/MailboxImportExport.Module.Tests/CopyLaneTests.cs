using MailboxImportExport.Emulator;
using MailboxImportExport.Engine.Auth;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Journal;
using MailboxImportExport.Engine.Models;
using MailboxImportExport.Engine.Services;
using MailboxImportExport.Engine.Transfer;

namespace MailboxImportExport.Module.Tests;

/// <summary>
/// The copy core (what Copy-ExMailbox and the benchmark drive) against the emulator's enforced limits: what the
/// emulator observed of the lanes (requests in flight, 429s by limit, requests by route and time), never wall time.
/// Each test has an emulator of its own with a service time, so requests overlap however slowly the machine runs.
/// </summary>
public class CopyLaneTests
{
    private const string Source = "user0001@contoso.test";
    private const string Target = "user0002@contoso.test";

    private static async Task<EmulatorServer> StartAsync(int items, int latencyMs) =>
        await EmulatorServer.StartAsync(new EmulatorOptions
        {
            Seed = $"scale:2x{items}:small",
            Latency = TimeSpan.FromMilliseconds(latencyMs),
            LatencyJitter = TimeSpan.FromMilliseconds(latencyMs / 5),
        });

    /// <summary>Copies user0001 to user0002 under /Copy with the copy core, through lanes of the given limits; returns the pair's counters.</summary>
    private static async Task<(TransferCounters Counters, List<CopyItemFailure> Failures)> CopyAsync(EmulatorServer server, LaneLimits limits, MailboxCopyOptions? options = null)
    {
        using var graph = new GraphClient(new GraphClientOptions { GraphRoot = server.BaseUri, Lanes = new MailboxLanes(limits) },
            new StaticTokenProvider(server.Control.IssueAccessToken()), new LoopbackCertificatePin(server.BaseUri).CreateHandler());
        using var journalFile = new TemporaryDirectory("copy-lanes");
        using var journal = SqliteTransferJournal.Open(Path.Combine(journalFile.Path, "copy.journal"));
        var counters = new TransferCounters();
        var run = new MailboxCopyRun(graph, journal, counters, throttleLimit: 1, options);
        var request = new MailboxCopyRequest(server.Control.GetMailboxId(Source), server.Control.GetMailboxId(Target)) { TargetRootPath = "/Copy" };
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await run.RunAsync(new[] { request }, timeout.Token);
        var failures = new List<CopyItemFailure>();
        while (run.TryTakeFailure(out var failure)) failures.Add(failure);
        Assert.Null(run.Pairs.Single().Error);
        return (counters, failures);
    }

    [Fact]
    public async Task A_lane_keeps_four_requests_in_flight_and_never_more()
    {
        await using var server = await StartAsync(items: 120, latencyMs: 50);
        server.Control.ResetStatistics();

        var (counters, failures) = await CopyAsync(server, new LaneLimits());

        Assert.Empty(failures);
        Assert.Equal(120, counters.Copied);
        var stats = server.Control.Statistics;
        Assert.Equal(120, stats.TotalImportsCreated);
        Assert.Empty(stats.Throttled);
        var targetLane = stats.MaxInFlight.Single(l => l.Key.MailboxId == server.Control.GetMailboxId(Target)).Value;
        // The lane is what limits: it kept its slots filled, and never went over four.
        Assert.InRange(targetLane, 3, 4);
        Assert.All(stats.MaxInFlight, lane => Assert.True(lane.Value <= 4, $"{lane.Key}: {lane.Value} in flight"));
    }

    [Fact]
    public async Task A_lane_paces_under_a_shrunk_request_budget_instead_of_meeting_429s()
    {
        await using var server = await StartAsync(items: 250, latencyMs: 20);
        // 100 requests per 5 s (Outlook's rate is 16.7/s; this is 20/s): the copy needs nearly three windows' budgets.
        var budget = new EmulatorRateLimit(100, TimeSpan.FromSeconds(5));
        server.Control.RequestRateLimit = budget;
        server.Control.ResetStatistics();
        server.Control.ClearRequests();

        var (counters, failures) = await CopyAsync(server, new LaneLimits { RequestsPerWindow = 100, RequestWindow = TimeSpan.FromSeconds(5) });

        Assert.Empty(failures);
        Assert.Equal(250, counters.Copied);
        var stats = server.Control.Statistics;
        Assert.Equal(250, stats.TotalImportsCreated);
        var targetRequests = server.Control.Requests.Where(r => r.MailboxId == server.Control.GetMailboxId(Target)).ToList();
        // The budget was really met (more requests than one window allows), and the lane stayed under it.
        Assert.True(targetRequests.Count > 2 * budget.Amount, $"{targetRequests.Count} requests to the target");
        Assert.Equal(0, stats.Throttled.GetValueOrDefault("RequestRate"));
        Assert.Empty(stats.Throttled);
    }

    [Fact]
    public async Task Listing_export_and_import_overlap_and_export_batches_fill_to_twenty()
    {
        await using var server = await StartAsync(items: 400, latencyMs: 80);
        server.Control.ResetStatistics();
        server.Control.ClearRequests();

        // A partial batch also goes when its mailbox has been idle (300 ms by default): made long here so that a
        // machine slowed down by other work cannot send one early; the ids keep coming, so batches fill.
        var (counters, failures) = await CopyAsync(server, new LaneLimits(), new MailboxCopyOptions { Export = { IdleFlush = TimeSpan.FromSeconds(30) } });

        Assert.Empty(failures);
        Assert.Equal(400, counters.Copied);
        var requests = server.Control.Requests;
        var listings = requests.Where(r => r.Route == EmulatorRoutes.Items && r.Method == "GET").ToList();
        var exports = requests.Where(r => r.Route == EmulatorRoutes.Export).ToList();
        var imports = requests.Where(r => r.Route == EmulatorRoutes.Import).ToList();
        // Every call but the last carried 20 ids, across folders: 400 items, 20 calls.
        Assert.Equal(20, exports.Count);
        // No stage waits for the one before it to finish: exports start while the source is still listed, and
        // imports while it is still exported.
        Assert.True(exports.Min(r => r.Started) < listings.Max(r => r.Started), "no export started before the last listing page");
        Assert.True(imports.Min(r => r.Started) < exports.Max(r => r.Started), "no import started before the last export");
        Assert.Equal(400, server.Control.Statistics.TotalImportsCreated);
    }
}
