using System.Net;

namespace MailboxImportExport.Emulator.Tests;

/// <summary>
/// The faults an exactly-once client must survive (exactly-once-notes §6.6): each test has an emulator of its own, so
/// the counters it asserts count only its own requests.
/// </summary>
public class ExactlyOnceFaultTests
{
    [Theory]
    [InlineData(503, "serviceNotAvailable")]
    [InlineData(504, "gatewayTimeout")]
    public async Task StatusAfterCommit_AnswersTheErrorButTheItemIsThere(int status, string code)
    {
        await using var fx = await EmulatorFixture.StartAsync();
        var (importUrl, inbox, blob) = await PrepareAsync(fx);
        fx.Control.InjectNext(1, r => r.IsImport, EmulatorFault.StatusAfterCommit(status));

        var reply = await fx.ImportAsync(importUrl, EmulatorFixture.CreateBody(inbox, blob));
        var next = await fx.ImportAsync(importUrl, EmulatorFixture.CreateBody(inbox, blob));

        reply.AssertGraphError((HttpStatusCode)status, code);
        Assert.Equal(HttpStatusCode.OK, next.Status);
        var stats = fx.Control.Statistics;
        Assert.Equal(2, stats.ImportsCreated[inbox]);
        Assert.Equal(1, stats.FaultsInjected[$"{status}-after-commit"]);
        Assert.Equal(2, await CountAsync(fx, fx.BobMailbox, inbox, blob));
        var logged = fx.Control.Requests.First(r => r.Route == EmulatorRoutes.Import);
        Assert.Equal($"{status}-after-commit", logged.Fault);
        Assert.Equal(status, logged.StatusCode);
    }

    [Theory]
    [InlineData(503)]
    [InlineData(504)]
    [InlineData(429)]
    public async Task StatusBeforeCommit_CommitsNothing(int status)
    {
        await using var fx = await EmulatorFixture.StartAsync();
        var (importUrl, inbox, blob) = await PrepareAsync(fx);
        fx.Control.InjectNext(1, EmulatorRoutes.Import, EmulatorFault.Status(status, retryAfterSeconds: 1.5));

        var reply = await fx.ImportAsync(importUrl, EmulatorFixture.CreateBody(inbox, blob));

        Assert.Equal((HttpStatusCode)status, reply.Status);
        Assert.Equal("1.5", reply.Headers.GetValues("Retry-After").Single());
        Assert.False(fx.Control.Statistics.ImportsCreated.ContainsKey(inbox));
        Assert.Equal(0, await CountAsync(fx, fx.BobMailbox, inbox, blob));
    }

    [Fact]
    public async Task Drop_ResetsTheConnection_AndCommitsNothing()
    {
        await using var fx = await EmulatorFixture.StartAsync();
        var (importUrl, inbox, blob) = await PrepareAsync(fx);
        fx.Control.InjectNext(1, r => r.IsImport, EmulatorFault.Drop());

        await Assert.ThrowsAsync<HttpRequestException>(() => fx.ImportAsync(importUrl, EmulatorFixture.CreateBody(inbox, blob)));

        Assert.Equal(0, await CountAsync(fx, fx.BobMailbox, inbox, blob));
        var logged = fx.Control.Requests.Single(r => r.Route == EmulatorRoutes.Import);
        Assert.True(logged.Dropped);
        Assert.Equal(0, logged.StatusCode);
        Assert.Equal("drop", logged.Fault);
    }

    [Fact]
    public async Task DropAfterCommit_ResetsTheConnection_ButTheItemIsThere()
    {
        await using var fx = await EmulatorFixture.StartAsync();
        var (importUrl, inbox, blob) = await PrepareAsync(fx);
        fx.Control.InjectNext(1, r => r.IsImport, EmulatorFault.DropAfterCommit());

        var failure = await Assert.ThrowsAsync<HttpRequestException>(() => fx.ImportAsync(importUrl, EmulatorFixture.CreateBody(inbox, blob)));

        Assert.NotNull(failure.InnerException);
        Assert.Equal(1, await CountAsync(fx, fx.BobMailbox, inbox, blob));
        Assert.Equal(1, fx.Control.Statistics.ImportsCreated[inbox]);
        Assert.Equal(1, fx.Control.Statistics.FaultsInjected["drop-after-commit"]);
    }

    [Fact]
    public async Task LateCommit_Answers504Now_AndTheItemLandsAfterTheDelay()
    {
        await using var fx = await EmulatorFixture.StartAsync();
        var (importUrl, inbox, blob) = await PrepareAsync(fx);
        fx.Control.InjectNext(1, r => r.IsImport, EmulatorFault.LateCommit(TimeSpan.FromMilliseconds(300)));

        var reply = await fx.ImportAsync(importUrl, EmulatorFixture.CreateBody(inbox, blob));
        var countRightAfter = fx.Control.Statistics.ImportsCreated.GetValueOrDefault(inbox);
        await EmulatorFixture.WaitUntilAsync(() => fx.Control.Statistics.LateCommitsLanded == 1, "the late commit landed");

        reply.AssertGraphError(HttpStatusCode.GatewayTimeout, "gatewayTimeout");
        Assert.Equal(0, countRightAfter);
        Assert.Equal(1, fx.Control.Statistics.ImportsCreated[inbox]);
        Assert.Equal(0, fx.Control.Statistics.LateCommitsPending);
        Assert.Equal(1, await CountAsync(fx, fx.BobMailbox, inbox, blob));
    }

    [Fact]
    public async Task LateCommit_WaitsForItsDelay_UnlessTheTestLandsItNow()
    {
        await using var fx = await EmulatorFixture.StartAsync();
        var (importUrl, inbox, blob) = await PrepareAsync(fx);
        fx.Control.InjectNext(2, EmulatorRoutes.Import, EmulatorFault.LateCommit(TimeSpan.FromHours(1)));

        await fx.ImportAsync(importUrl, EmulatorFixture.CreateBody(inbox, blob));
        await fx.ImportAsync(importUrl, EmulatorFixture.CreateBody(inbox, blob));
        var before = fx.Control.Statistics;
        var folderBefore = await fx.GetAsync(fx.MailboxPath("v1.0", fx.BobMailbox, $"folders/{Uri.EscapeDataString(inbox)}"));
        await fx.Control.LandLateCommitsAsync();
        var folderAfter = await fx.GetAsync(fx.MailboxPath("v1.0", fx.BobMailbox, $"folders/{Uri.EscapeDataString(inbox)}"));

        Assert.Equal(2, before.LateCommitsPending);
        Assert.False(before.ImportsCreated.ContainsKey(inbox));
        Assert.Equal(2, fx.Control.Statistics.LateCommitsLanded);
        Assert.Equal(2, fx.Control.Statistics.ImportsCreated[inbox]);
        Assert.Equal(2, (int)folderAfter.Body!["totalItemCount"]! - (int)folderBefore.Body!["totalItemCount"]!);
    }

    [Fact]
    public async Task ExpiredSession_Answers401_AndThatSessionStaysExpired_ANewOneWorks()
    {
        await using var fx = await EmulatorFixture.StartAsync();
        var (importUrl, inbox, blob) = await PrepareAsync(fx);
        fx.Control.InjectNext(1, r => r.IsImport, EmulatorFault.ExpiredCredential());

        var expired = await fx.ImportAsync(importUrl, EmulatorFixture.CreateBody(inbox, blob));
        var sameUrl = await fx.ImportAsync(importUrl, EmulatorFixture.CreateBody(inbox, blob));
        var fresh = await fx.ImportAsync(await fx.CreateSessionAsync("v1.0", fx.BobMailbox), EmulatorFixture.CreateBody(inbox, blob));

        expired.AssertGraphError(HttpStatusCode.Unauthorized, "InvalidAuthenticationToken");
        Assert.Equal("The import session has expired. Create a new import session.", expired.ErrorMessage);
        Assert.Equal(expired.ErrorMessage, sameUrl.ErrorMessage);
        Assert.Equal(HttpStatusCode.OK, fresh.Status);
        Assert.Equal(1, await CountAsync(fx, fx.BobMailbox, inbox, blob));
        Assert.Equal(1, fx.Control.Statistics.FaultsInjected["401"]);
    }

    [Fact]
    public async Task ExpiredCredential_OnAGraphCall_ExpiresItsBearerToken()
    {
        await using var fx = await EmulatorFixture.StartAsync();
        var path = fx.MailboxPath("v1.0", fx.AliceMailbox, "folders/inbox");
        fx.Control.InjectNext(1, EmulatorRoutes.Folders, EmulatorFault.ExpiredCredential());

        var first = await fx.GetAsync(path);
        var again = await fx.GetAsync(path);
        var newToken = await fx.GetAsync(path, fx.Control.IssueAccessToken());

        first.AssertGraphError(HttpStatusCode.Unauthorized, "InvalidAuthenticationToken");
        Assert.Equal("Lifetime validation failed, the token is expired.", first.ErrorMessage);
        Assert.Contains("authorization_uri", first.Headers.WwwAuthenticate.ToString());
        Assert.Equal(HttpStatusCode.Unauthorized, again.Status);
        Assert.Equal(HttpStatusCode.OK, newToken.Status);
    }

    [Fact]
    public async Task FaultMix_IsReproducible_AndEveryCommitIsCounted()
    {
        const string spec = "import:503-after-commit=15%,504=15%,drop-after-commit=10%,drop=10%";
        var first = await RunMixAsync(spec, seed: 42, posts: 60);
        var second = await RunMixAsync(spec, seed: 42, posts: 60);
        var otherSeed = await RunMixAsync(spec, seed: 7, posts: 60);

        Assert.Equal(first.Outcomes, second.Outcomes);
        Assert.NotEqual(first.Outcomes, otherSeed.Outcomes);
        foreach (var name in new[] { "503-after-commit", "504", "drop-after-commit", "drop" }) Assert.Contains(name, first.Outcomes);
        Assert.Contains("200", first.Outcomes);
        // Committed: the successes plus the answers lost after the commit; never the faults before it.
        var committed = first.Outcomes.Count(o => o is "200" or "503-after-commit" or "drop-after-commit");
        Assert.Equal(committed, first.Created);
        Assert.Equal(committed, first.Stored);
    }

    [Fact]
    public async Task FaultMix_ScriptedCountsComeFirst_ThenThePercentages()
    {
        await using var fx = await EmulatorFixture.StartAsync(o => o.Faults = EmulatorFaultMix.Parse("import:504-after-commit=2,429=100%"));
        var (importUrl, inbox, blob) = await PrepareAsync(fx);

        var replies = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++) replies.Add((await fx.ImportAsync(importUrl, EmulatorFixture.CreateBody(inbox, blob))).Status);
        fx.Control.ClearFaults();
        var afterClear = await fx.ImportAsync(importUrl, EmulatorFixture.CreateBody(inbox, blob));

        Assert.Equal(new[] { HttpStatusCode.GatewayTimeout, HttpStatusCode.GatewayTimeout, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests }, replies);
        Assert.Equal(HttpStatusCode.OK, afterClear.Status);
        Assert.Equal(3, fx.Control.Statistics.ImportsCreated[inbox]);
        Assert.Null(fx.Control.FaultMix);
    }

    [Fact]
    public async Task Faults_OnRoutesOutsideMailboxes_ApplyBeforeRouting()
    {
        await using var fx = await EmulatorFixture.StartAsync();
        fx.Control.InjectNext(1, EmulatorRoutes.Identity, EmulatorFault.Drop());
        fx.Control.InjectNext(1, EmulatorRoutes.Settings, EmulatorFault.Status(503));

        await Assert.ThrowsAsync<HttpRequestException>(() => fx.PostFormAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = Engine.Auth.EmulatorDefaults.ClientId,
            ["client_secret"] = EmulatorDemoApp.ClientSecret,
            ["scope"] = "https://graph.microsoft.com/.default",
        }));
        var settings = await fx.GetAsync("v1.0/users/alice@contoso.test/settings/exchange");

        settings.AssertGraphError(HttpStatusCode.ServiceUnavailable, "serviceNotAvailable");
        Assert.Contains(fx.Control.Requests, r => r.Route == EmulatorRoutes.Identity && r.Dropped);
    }

    [Fact]
    public void FaultMix_Parse_RejectsWhatItCannotRead()
    {
        Assert.Contains("must start with a route", Assert.Throws<FormatException>(() => EmulatorFaultMix.Parse("imports:503=10%")).Message);
        Assert.Contains("Unknown fault 'teapot'", Assert.Throws<FormatException>(() => EmulatorFaultMix.Parse("import:teapot=10%")).Message);
        Assert.Contains("add up to more than 100", Assert.Throws<FormatException>(() => EmulatorFaultMix.Parse("import:503=60%,504=50%")).Message);
        Assert.Contains("percentage", Assert.Throws<FormatException>(() => EmulatorFaultMix.Parse("import:503=0%")).Message);
        Assert.Contains("FAULT=PERCENT%", Assert.Throws<FormatException>(() => EmulatorFaultMix.Parse("import:503")).Message);
        var mix = EmulatorFaultMix.Parse(" import:503-after-commit=10%, drop=2 ; export:late-commit=5% ", seed: 3, lateCommitDelay: TimeSpan.FromSeconds(9));
        Assert.Equal("import:drop=2;import:503-after-commit=10%;export:late-commit=5%", mix.ToString());
        Assert.Equal(TimeSpan.FromSeconds(9), mix.Groups[1].Faults[0].Fault.Delay);
        Assert.Equal(3, mix.Seed);
    }

    private static async Task<(List<string> Outcomes, int Created, int Stored)> RunMixAsync(string spec, int seed, int posts)
    {
        await using var fx = await EmulatorFixture.StartAsync(o => o.Faults = EmulatorFaultMix.Parse(spec, seed));
        var (importUrl, inbox, blob) = await PrepareAsync(fx);
        var outcomes = new List<string>();
        for (var i = 0; i < posts; i++)
        {
            try
            {
                var reply = await fx.ImportAsync(importUrl, EmulatorFixture.CreateBody(inbox, blob));
                outcomes.Add(reply.Status == HttpStatusCode.OK ? "200" : fx.Control.Requests.Last(r => r.Route == EmulatorRoutes.Import).Fault!);
            }
            catch (HttpRequestException)
            {
                outcomes.Add(fx.Control.Requests.Last(r => r.Route == EmulatorRoutes.Import).Fault!);
            }
        }
        return (outcomes, fx.Control.Statistics.ImportsCreated.GetValueOrDefault(inbox), await CountAsync(fx, fx.BobMailbox, inbox, blob));
    }

    /// <summary>A session on bob's mailbox, the id of his Inbox, and a blob from alice's Inbox.</summary>
    internal static async Task<(string ImportUrl, string Inbox, byte[] Blob)> PrepareAsync(EmulatorFixture fx)
    {
        var importUrl = await fx.CreateSessionAsync("v1.0", fx.BobMailbox);
        var inbox = await fx.FolderIdAsync("v1.0", fx.BobMailbox, "inbox");
        var first = (string)(await fx.GetAsync(fx.MailboxPath("v1.0", fx.AliceMailbox, "folders/inbox/items?$top=1"))).Value[0]["id"]!;
        fx.Control.ClearRequests();
        return (importUrl, inbox, fx.Control.GetItemData(first));
    }

    /// <summary>How many items of the folder hold exactly this blob.</summary>
    internal static async Task<int> CountAsync(EmulatorFixture fx, string mailbox, string folderId, byte[] blob)
    {
        var items = await fx.GetAllPagesAsync(fx.MailboxPath("v1.0", mailbox, $"folders/{Uri.EscapeDataString(folderId)}/items?$top=500&$select=id"));
        return items.Count(item => fx.Control.GetItemData((string)item["id"]!).AsSpan().SequenceEqual(blob));
    }
}
