using System.Collections.Concurrent;
using System.Net;
using MailboxImportExport.Engine.Auth;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Tests.Transfer;

namespace MailboxImportExport.Engine.Tests.Http;

public class MailboxLanesTests
{
    private const string Mailbox = "MBX:lane@tenant";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Virtual time: a wait moves the clock forward at once, so pacing over minutes takes no real time.</summary>
    private sealed class VirtualClock : ILaneClock
    {
        private long _ticks;
        public TimeSpan Now => TimeSpan.FromTicks(Interlocked.Read(ref _ticks));
        public ConcurrentQueue<TimeSpan> Waits { get; } = new();

        public Task Delay(TimeSpan wait, CancellationToken ct)
        {
            Waits.Enqueue(wait);
            Interlocked.Add(ref _ticks, wait.Ticks);
            return Task.CompletedTask;
        }
    }

    private static GraphClient Client(RoutingHandler handler, MailboxLanes lanes, string app = "tenant/app") =>
        new(new GraphClientOptions { GraphRoot = new Uri(RoutingHandler.GraphRoot), App = app, Lanes = lanes, MaxRetries = 3 },
            new StaticTokenProvider("t"), handler, (_, _) => Task.CompletedTask);

    private static string FolderUrl(string mailbox = Mailbox) => $"admin/exchange/mailboxes/{Uri.EscapeDataString(mailbox)}/folders/inbox";

    [Fact]
    public async Task Two_clients_of_one_app_never_have_more_than_four_calls_in_flight_for_a_mailbox()
    {
        var release = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new RoutingHandler(async (_, _) =>
        {
            await release.Task;
            return RoutingHandler.Json(HttpStatusCode.OK, "{}");
        });
        handler.Tracked.Add(Uri.EscapeDataString(Mailbox));
        handler.Tracked.Add("/other");
        var lanes = new MailboxLanes();
        using var first = Client(handler, lanes);
        using var second = Client(handler, lanes);

        var calls = Enumerable.Range(0, 12).Select(i => (i % 2 == 0 ? first : second).GetAsync<object>(FolderUrl(), CancellationToken.None)).ToList();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (handler.Requests.Count < 4 && clock.Elapsed < Patience) await Task.Delay(10);
        Assert.Equal(4, first.LaneOf(Mailbox).InFlight);
        release.SetResult(true);
        await Task.WhenAll(calls).WaitAsync(Patience);

        Assert.Equal(4, handler.MaxInFlight(Uri.EscapeDataString(Mailbox)));
        Assert.Equal(4, lanes.For("tenant/app@graph.example.test", Mailbox).MaxObservedInFlight);
    }

    [Fact]
    public async Task Another_app_or_another_mailbox_has_a_lane_of_its_own()
    {
        var release = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = 0;
        var handler = new RoutingHandler(async (_, _) =>
        {
            // The first four calls (the app's, filling its lane of the mailbox) hang until released.
            if (Interlocked.Increment(ref seen) <= 4) await release.Task;
            return RoutingHandler.Json(HttpStatusCode.OK, "{}");
        });
        var lanes = new MailboxLanes();
        using var app = Client(handler, lanes);
        using var otherApp = Client(handler, lanes, "tenant/other-app");

        var held = Enumerable.Range(0, 4).Select(_ => app.GetAsync<object>(FolderUrl(), CancellationToken.None)).ToList();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (handler.Requests.Count < 4 && clock.Elapsed < Patience) await Task.Delay(10);
        await otherApp.GetAsync<object>(FolderUrl(), CancellationToken.None).WaitAsync(Patience);
        await app.GetAsync<object>(FolderUrl("MBX:someone-else@tenant"), CancellationToken.None).WaitAsync(Patience);

        release.SetResult(true);
        await Task.WhenAll(held).WaitAsync(Patience);
    }

    [Fact]
    public async Task Requests_are_paced_under_the_budget_of_the_window()
    {
        var clock = new VirtualClock();
        var starts = new ConcurrentQueue<TimeSpan>();
        var handler = new RoutingHandler((_, _) =>
        {
            starts.Enqueue(clock.Now);
            return Task.FromResult(RoutingHandler.Json(HttpStatusCode.OK, "{}"));
        });
        var lanes = new MailboxLanes(new LaneLimits { RequestsPerWindow = 100, RequestWindow = TimeSpan.FromMinutes(10) }, clock);
        using var client = Client(handler, lanes);

        for (var i = 0; i < 250; i++) await client.GetAsync<object>(FolderUrl(), CancellationToken.None);

        var times = starts.ToList();
        // 98 of the 100 allowed per window: never more in any ten minutes, and no idle window either.
        for (var i = 0; i + 98 < times.Count; i++) Assert.True(times[i + 98] - times[i] >= TimeSpan.FromMinutes(10), $"request {i + 98} started too early");
        Assert.True(clock.Now < TimeSpan.FromMinutes(21), $"pacing wasted time: {clock.Now}");
    }

    [Fact]
    public async Task Upload_bytes_are_paced_under_their_budget_and_an_oversized_body_still_goes()
    {
        var clock = new VirtualClock();
        var starts = new ConcurrentQueue<(TimeSpan At, int Bytes)>();
        var handler = new RoutingHandler((request, body) =>
        {
            starts.Enqueue((clock.Now, body?.Length ?? 0));
            return Task.FromResult(RoutingHandler.Json(HttpStatusCode.OK, "{}"));
        });
        var lanes = new MailboxLanes(new LaneLimits { UploadBytesPerWindow = 10_000, UploadWindow = TimeSpan.FromMinutes(5) }, clock);
        using var client = Client(handler, lanes);

        var body = new { data = new string('x', 3_000) };
        for (var i = 0; i < 9; i++) await client.PostAsync<object>(FolderUrl(), body, CancellationToken.None);
        await client.PostAsync<object>(FolderUrl(), new { data = new string('x', 50_000) }, CancellationToken.None);

        var sent = starts.ToList();
        Assert.Equal(10, sent.Count);
        // Three 3 KB bodies fit in 9.8 KB per five minutes: each window holds at most three.
        for (var i = 0; i + 3 < 9; i++) Assert.True(sent[i + 3].At - sent[i].At >= TimeSpan.FromMinutes(5));
        Assert.True(sent[9].At > sent[8].At);
    }

    [Fact]
    public async Task A_429_holds_back_every_call_of_its_lane_for_the_time_the_service_asked()
    {
        var clock = new VirtualClock();
        var answered = 0;
        var starts = new ConcurrentQueue<TimeSpan>();
        var handler = new RoutingHandler((_, _) =>
        {
            starts.Enqueue(clock.Now);
            if (Interlocked.Increment(ref answered) == 1)
            {
                var throttled = RoutingHandler.Json((HttpStatusCode)429, """{"error":{"code":"ApplicationThrottled","message":"MailboxConcurrency"}}""");
                throttled.Headers.TryAddWithoutValidation("Retry-After", "7.5");
                return Task.FromResult(throttled);
            }
            return Task.FromResult(RoutingHandler.Json(HttpStatusCode.OK, "{}"));
        });
        var lanes = new MailboxLanes(clock: clock);
        using var client = Client(handler, lanes);
        var meter = new ThrottleMeter();

        using (ThrottleMeter.Use(meter))
        {
            await client.GetAsync<object>(FolderUrl(), CancellationToken.None);
            await client.GetAsync<object>(FolderUrl(), CancellationToken.None);
        }

        var times = starts.ToList();
        Assert.Equal(3, times.Count);
        Assert.Equal(TimeSpan.FromSeconds(7.5), times[1] - times[0]);
        Assert.True(times[2] >= times[1]);
        Assert.Equal(TimeSpan.FromSeconds(7.5), meter.ThrottledTime);
        Assert.Equal(1, meter.Retries);
    }
}
