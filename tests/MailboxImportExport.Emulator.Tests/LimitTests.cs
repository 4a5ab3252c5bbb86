using System.Globalization;
using System.Net;

namespace MailboxImportExport.Emulator.Tests;

/// <summary>
/// Outlook's limits per (app, mailbox), the service time requests hold their slot for, and what tests observe of
/// them. Each test has an emulator of its own. Concurrency tests hold requests with a long service time so that the
/// requests overlap however slowly the machine starts them.
/// </summary>
public class LimitTests
{
    private static readonly TimeSpan Hold = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task MailboxConcurrency_CountsPerAppAndMailbox()
    {
        await using var fx = await EmulatorFixture.StartAsync(o =>
        {
            o.Latency = Hold;
            o.MailboxConcurrencyLimit = 4;
        });
        var otherApp = await RegisterAppAsync(fx);
        var path = fx.MailboxPath("v1.0", fx.BobMailbox, "folders/inbox");

        var demoApp = Enumerable.Range(0, 6).Select(_ => fx.GetAsync(path)).ToList();
        var secondApp = Enumerable.Range(0, 4).Select(_ => fx.GetAsync(path, otherApp)).ToList();
        var otherMailbox = fx.GetAsync(fx.MailboxPath("v1.0", fx.AliceMailbox, "folders/inbox"));
        var replies = await Task.WhenAll(demoApp);

        Assert.Equal(4, replies.Count(r => r.Status == HttpStatusCode.OK));
        var throttled = replies.Where(r => r.Status == HttpStatusCode.TooManyRequests).ToList();
        Assert.Equal(2, throttled.Count);
        Assert.All(throttled, r =>
        {
            r.AssertGraphError(HttpStatusCode.TooManyRequests, "ApplicationThrottled");
            Assert.Equal("Application is over its MailboxConcurrency limit.", r.ErrorMessage);
            Assert.Equal("429", (string?)r.Body!["error"]!["innerError"]!["status"]);
            Assert.True(r.Headers.Contains("Retry-After"));
        });
        Assert.All(await Task.WhenAll(secondApp), r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.Equal(HttpStatusCode.OK, (await otherMailbox).Status);
        var stats = fx.Control.Statistics;
        Assert.Equal(2, stats.Throttled["MailboxConcurrency"]);
        Assert.Equal(4, stats.MaxInFlight[new EmulatorLane(Engine.Auth.EmulatorDefaults.ClientId, fx.BobMailbox)]);
        Assert.Equal(4, stats.MaxInFlight[new EmulatorLane(OtherAppId, fx.BobMailbox)]);
        Assert.Equal(1, stats.MaxInFlight[new EmulatorLane(Engine.Auth.EmulatorDefaults.ClientId, fx.AliceMailbox)]);
        Assert.Equal(2, fx.Control.Requests.Count(r => r.Throttled == "MailboxConcurrency"));
    }

    [Fact]
    public async Task Outlooks_limits_are_on_by_default()
    {
        await using var fx = await EmulatorFixture.StartAsync();

        Assert.Equal(4, fx.Control.MailboxConcurrencyLimit);
        Assert.Equal(EmulatorRateLimit.OutlookRequests, fx.Control.RequestRateLimit);
        Assert.Equal(EmulatorRateLimit.OutlookUploadBytes, fx.Control.UploadLimit);
    }

    [Fact]
    public async Task MaxInFlight_IsObservedWithTheLimitOff()
    {
        await using var fx = await EmulatorFixture.StartAsync(o =>
        {
            o.Latency = Hold;
            o.MailboxConcurrencyLimit = null;
        });
        var path = fx.MailboxPath("v1.0", fx.BobMailbox, "folders/inbox");

        var replies = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => fx.GetAsync(path)));

        Assert.All(replies, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.Equal(6, fx.Control.Statistics.MaxInFlight[new EmulatorLane(Engine.Auth.EmulatorDefaults.ClientId, fx.BobMailbox)]);
        fx.Control.ResetStatistics();
        Assert.Empty(fx.Control.Statistics.MaxInFlight);
    }

    [Fact]
    public async Task Imports_CountAgainstTheAppThatCreatedTheSession()
    {
        await using var fx = await EmulatorFixture.StartAsync(o =>
        {
            o.Latency = Hold;
            o.MailboxConcurrencyLimit = 4;
        });
        var otherApp = await RegisterAppAsync(fx);
        var importUrl = await fx.CreateSessionAsync("v1.0", fx.BobMailbox, otherApp);
        var inbox = await fx.FolderIdAsync("v1.0", fx.BobMailbox, "inbox");
        var blob = fx.Control.GetItemData((string)(await fx.GetAsync(fx.MailboxPath("v1.0", fx.BobMailbox, "folders/inbox/items?$top=1"))).Value[0]["id"]!);
        fx.Control.ClearRequests();

        var imports = Enumerable.Range(0, 5).Select(_ => fx.ImportAsync(importUrl, EmulatorFixture.CreateBody(inbox, blob))).ToList();
        var demoAppGet = fx.GetAsync(fx.MailboxPath("v1.0", fx.BobMailbox, "folders/inbox"));
        var replies = await Task.WhenAll(imports);

        Assert.Equal(4, replies.Count(r => r.Status == HttpStatusCode.OK));
        Assert.Equal(HttpStatusCode.TooManyRequests, Assert.Single(replies, r => r.Status != HttpStatusCode.OK).Status);
        Assert.Equal(HttpStatusCode.OK, (await demoAppGet).Status);
        Assert.All(fx.Control.Requests.Where(r => r.Route == EmulatorRoutes.Import), r =>
        {
            Assert.Equal(OtherAppId, r.AppId);
            Assert.Equal(fx.BobMailbox, r.MailboxId);
        });
    }

    [Fact]
    public async Task RequestRate_ThrottlesPastTheBudget_WithTheRetryAfterThatAdmitsTheNext()
    {
        var window = TimeSpan.FromSeconds(2);
        await using var fx = await EmulatorFixture.StartAsync(o => o.RequestRateLimit = new EmulatorRateLimit(5, window));
        var path = fx.MailboxPath("v1.0", fx.BobMailbox, "folders/inbox");

        var first = new List<Reply>();
        for (var i = 0; i < 5; i++) first.Add(await fx.GetAsync(path));
        var over = await fx.GetAsync(path);
        var otherMailbox = await fx.GetAsync(fx.MailboxPath("v1.0", fx.AliceMailbox, "folders/inbox"));

        Assert.All(first, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        over.AssertGraphError(HttpStatusCode.TooManyRequests, "ApplicationThrottled");
        Assert.Equal("Application is over its RequestRate limit.", over.ErrorMessage);
        var retryAfter = double.Parse(over.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 0.001, window.TotalSeconds);
        Assert.Equal(HttpStatusCode.OK, otherMailbox.Status);

        // A client honouring Retry-After gets through: refused requests do not use up the budget.
        var admitted = await RetryAfterThrottlingAsync(() => fx.GetAsync(path));
        Assert.Equal(HttpStatusCode.OK, admitted.Status);
        Assert.True(fx.Control.Statistics.Throttled["RequestRate"] >= 1);
    }

    [Fact]
    public async Task UploadBytes_ThrottlePostsPastTheBudget_NotReads()
    {
        await using var fx = await EmulatorFixture.StartAsync(o => o.UploadLimit = new EmulatorRateLimit(40_000, TimeSpan.FromSeconds(2)));
        var (importUrl, inbox, blob) = await ExactlyOnceFaultTests.PrepareAsync(fx);
        var body = EmulatorFixture.CreateBody(inbox, blob);
        var perPost = body.Length;
        var fitting = (int)(40_000 / perPost);
        Assert.True(fitting >= 1, "the test blob must fit the budget once");

        var posts = new List<Reply>();
        for (var i = 0; i < fitting; i++) posts.Add(await fx.ImportAsync(importUrl, body));
        var over = await fx.ImportAsync(importUrl, body);
        var read = await fx.GetAsync(fx.MailboxPath("v1.0", fx.BobMailbox, "folders/inbox"));

        Assert.All(posts, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        over.AssertGraphError(HttpStatusCode.TooManyRequests, "ApplicationThrottled");
        Assert.Equal("Application is over its IncomingBytes limit.", over.ErrorMessage);
        Assert.InRange(double.Parse(over.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture), 0.001, 2);
        Assert.Equal(HttpStatusCode.OK, read.Status);
        Assert.Equal(fitting, fx.Control.Statistics.ImportsCreated[inbox]);
        Assert.Equal(HttpStatusCode.OK, (await RetryAfterThrottlingAsync(() => fx.ImportAsync(importUrl, body))).Status);
    }

    [Fact]
    public async Task Latency_IsSpentInsideTheSlot_AndTheLogHasEachRequestsTiming()
    {
        await using var fx = await EmulatorFixture.StartAsync(o =>
        {
            o.Latency = TimeSpan.FromMilliseconds(400);
            o.LatencyJitter = TimeSpan.FromMilliseconds(100);
            o.MailboxConcurrencyLimit = 1;
        });
        var path = fx.MailboxPath("v1.0", fx.BobMailbox, "folders/inbox");
        fx.Control.ClearRequests();

        var one = await fx.GetAsync(path);
        var settings = await fx.GetAsync("v1.0/users/bob@contoso.test/settings/exchange");

        Assert.Equal(HttpStatusCode.OK, one.Status);
        var logged = fx.Control.Requests;
        var mailboxRequest = logged.Single(r => r.Route == EmulatorRoutes.Folders);
        Assert.True(mailboxRequest.Timestamp - mailboxRequest.Started >= TimeSpan.FromMilliseconds(300),
            $"took {(mailboxRequest.Timestamp - mailboxRequest.Started).TotalMilliseconds} ms");
        Assert.Equal(Engine.Auth.EmulatorDefaults.ClientId, mailboxRequest.AppId);
        Assert.Equal(fx.BobMailbox, mailboxRequest.MailboxId);
        var settingsRequest = logged.Single(r => r.Route == EmulatorRoutes.Settings);
        Assert.Null(settingsRequest.MailboxId);
        Assert.True(settingsRequest.Started <= settingsRequest.Timestamp);
        Assert.Equal(HttpStatusCode.OK, settings.Status);
    }

    private const string OtherAppId = "6b0e5a42-3c7f-4d8e-9a1b-2c3d4e5f6a7b";

    /// <summary>Registers a second app and returns an app-only token for it from the token endpoint.</summary>
    private static async Task<string> RegisterAppAsync(EmulatorFixture fx)
    {
        fx.Control.RegisterApplication(OtherAppId, clientSecret: "other-secret");
        var (status, body) = await fx.PostFormAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = OtherAppId,
            ["client_secret"] = "other-secret",
            ["scope"] = "https://graph.microsoft.com/.default",
        });
        Assert.Equal(HttpStatusCode.OK, status);
        return (string)body["access_token"]!;
    }

    /// <summary>Sends until not throttled, waiting what each 429's Retry-After says, as a client must.</summary>
    private static async Task<Reply> RetryAfterThrottlingAsync(Func<Task<Reply>> send)
    {
        for (var attempt = 0; ; attempt++)
        {
            var reply = await send();
            if (reply.Status != HttpStatusCode.TooManyRequests) return reply;
            Assert.True(attempt < 20, "still throttled after 20 attempts");
            await Task.Delay(TimeSpan.FromSeconds(double.Parse(reply.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture)));
        }
    }
}
