using System.Security.Cryptography.X509Certificates;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using MailboxImportExport.Engine.Auth;
using MailboxImportExport.Fts;
using MailboxImportExport.Tests;
using Microsoft.Identity.Client;

namespace MailboxImportExport.Emulator.Tests;

/// <summary>Start-up, isolation, persistence and the command line.</summary>
public class ServerTests
{
    [Fact]
    public async Task TwoEmulators_ShareNothing_ButSeedTheSameDemoData()
    {
        await using var one = await EmulatorServer.StartAsync(new EmulatorOptions { Seed = "demo" });
        await using var two = await EmulatorServer.StartAsync(new EmulatorOptions { Seed = "demo" });
        var mailbox = one.Control.GetMailboxId(EmulatorFixture.Alice);
        var inbox = one.Control.GetFolderId(mailbox, "/Inbox");

        var added = one.Control.AddItem(mailbox, "/Inbox", SampleBlob());

        Assert.NotEqual(one.BaseUri, two.BaseUri);
        Assert.Equal(mailbox, two.Control.GetMailboxId(EmulatorFixture.Alice));
        Assert.Equal(inbox, two.Control.GetFolderId(mailbox, "/Inbox"));
        Assert.Throws<KeyNotFoundException>(() => two.Control.GetItemData(added));
        Assert.Equal("https", one.BaseUri.Scheme);
        Assert.Equal("127.0.0.1", one.BaseUri.Host);
    }

    [Fact]
    public async Task DemoSeed_HasTheDocumentedShape()
    {
        await using var server = await EmulatorServer.StartAsync(new EmulatorOptions { Seed = "demo" });
        using var http = EmulatorFixture.CreatePinnedClient(server);
        var control = server.Control;
        var alice = control.GetMailboxId(EmulatorFixture.Alice);

        foreach (var path in new[] { "/Inbox/Projects/2026", "/Inbox/Receipts", "/Archive/2025", "/Calendar/Team Events" })
        {
            Assert.NotNull(control.GetFolderId(alice, path));
        }
        Assert.NotNull(control.GetMailboxId(EmulatorFixture.Alice, archive: true));
        Assert.Throws<KeyNotFoundException>(() => control.GetMailboxId(EmulatorFixture.Bob, archive: true));
        Assert.Throws<KeyNotFoundException>(() => control.GetMailboxId("carol@contoso.test"));

        var certificate = server.Certificate;
        Assert.Equal("CN=MailboxImportExport Emulator", certificate.Subject);
        Assert.False(certificate.HasPrivateKey);
        Assert.Equal(2048, certificate.GetRSAPublicKey()!.KeySize);
    }

    [Fact]
    public async Task EmptyTenant_HasNoUsers()
    {
        await using var server = await EmulatorServer.StartAsync(new EmulatorOptions());
        using var http = EmulatorFixture.CreatePinnedClient(server);
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1.0/users/alice@contoso.test/settings/exchange");
        request.Headers.Authorization = new("Bearer", server.Control.IssueAccessToken());

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task DataFile_KeepsDataAcrossRestarts()
    {
        var file = Path.Combine(Path.GetTempPath(), $"emulator-test-{Guid.NewGuid():N}.db");
        try
        {
            string added;
            await using (var first = await EmulatorServer.StartAsync(new EmulatorOptions { Seed = "demo", DataFile = file }))
            {
                added = first.Control.AddItem(first.Control.GetMailboxId(EmulatorFixture.Bob), "/Inbox", SampleBlob());
            }
            await using var second = await EmulatorServer.StartAsync(new EmulatorOptions { Seed = "demo", DataFile = file });
            Assert.Equal(SampleBlob(), second.Control.GetItemData(added));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var path in new[] { file, file + "-wal", file + "-shm" }) File.Delete(path);
        }
    }

    [Fact]
    public void CommandLine_BadArgumentsExitWith2_AndHelpWith0()
    {
        var bad = RunEmulator("--port", "not-a-number");
        var unknown = RunEmulator("--frobnicate");
        var help = RunEmulator("--help");

        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--port needs a whole number", bad.Error);
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("Unknown argument '--frobnicate'", unknown.Error);
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("--seed demo", help.Output);
    }

    [Fact]
    public async Task CommandLine_PrintsTheManagedIdentityVariables_AndPollsDeviceCodesAtTheIntervalGiven()
    {
        await using var emulator = await StartCommandLineEmulatorAsync("--seed", "demo", "--managed-identity", "--device-code-interval", "2");
        var variables = emulator.Printed.Select(line => line.Split('=', 2)).Where(pair => pair.Length == 2).ToDictionary(pair => pair[0], pair => pair[1]);
        Assert.Equal($"{emulator.BaseUri}msi/token", variables["IDENTITY_ENDPOINT"]);

        using var tokenRequest = new HttpRequestMessage(HttpMethod.Get, $"{variables["IDENTITY_ENDPOINT"]}?resource=https://graph.microsoft.com&api-version=2019-08-01");
        tokenRequest.Headers.Add("X-IDENTITY-HEADER", variables["IDENTITY_HEADER"]);
        using var token = await emulator.Http.SendAsync(tokenRequest);
        using var deviceCode = await emulator.Http.PostAsync($"{emulator.BaseUri}{EmulatorDefaults.TenantId}/oauth2/v2.0/devicecode",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["client_id"] = EmulatorDefaults.ClientId, ["scope"] = "User.Read" }));

        Assert.Equal(HttpStatusCode.OK, token.StatusCode);
        Assert.StartsWith("eyJ", (string?)JsonNode.Parse(await token.Content.ReadAsStringAsync())!["access_token"]);
        Assert.Equal(2, (long)JsonNode.Parse(await deviceCode.Content.ReadAsStringAsync())!["interval"]!);
    }

    [Fact]
    public async Task CommandLine_AppCertificate_LetsThatAppSignInWithTheCertificate()
    {
        using var certificate = ClientCertificateTests.MakeCertificate("CN=Nightly export");
        var clientId = Guid.NewGuid().ToString();
        var pemFile = Path.Combine(Path.GetTempPath(), $"mie-app-{clientId}.pem");
        File.WriteAllText(pemFile, certificate.ExportCertificatePem());
        try
        {
            await using var emulator = await StartCommandLineEmulatorAsync("--app-certificate", clientId, pemFile);
            var app = ConfidentialClientApplicationBuilder.Create(clientId)
                .WithCertificate(certificate)
                .WithAuthority($"{emulator.BaseUri}{EmulatorDefaults.TenantId}", validateAuthority: false)
                .WithInstanceDiscovery(false)
                .WithHttpClientFactory(new PinnedHttpClientFactory(emulator.Http))
                .Build();

            var result = await app.AcquireTokenForClient(new[] { "https://graph.microsoft.com/.default" }).ExecuteAsync();

            Assert.Contains($"App {clientId} accepts certificate {certificate.Thumbprint} (CN=Nightly export)", emulator.Printed);
            Assert.StartsWith("eyJ", result.AccessToken);
        }
        finally
        {
            File.Delete(pemFile);
        }
        Assert.Contains("not a readable certificate file", RunEmulator("--app-certificate", clientId, pemFile + ".missing").Error);
    }

    [Theory]
    [InlineData("--latency", "fast", "--latency needs a whole number")]
    [InlineData("--concurrency-limit", "0", "--concurrency-limit needs a whole number from 1")]
    [InlineData("--request-limit", "10000", "--request-limit needs AMOUNT/SECONDS (e.g. 10000/600) or 'off'")]
    [InlineData("--upload-limit", "150MB/300", "--upload-limit needs AMOUNT/SECONDS (e.g. 150/300) or 'off'")]
    [InlineData("--faults", "import:503=200%", "--faults: '503=200%' needs a percentage above 0 and at most 100.")]
    [InlineData("--faults", "everything:503=10%", "--faults: 'everything:503=10%' must start with a route")]
    [InlineData("--clock-skew", "soon", "--clock-skew needs a whole number")]
    [InlineData("--imported-created-time", "now", "--imported-created-time accepts 'import' or 'source', not 'now'.")]
    [InlineData("--imported-search-key", "drop", "--imported-search-key accepts 'keep' or 'regenerate', not 'drop'.")]
    public void CommandLine_BadRealismValuesExitWith2_NamingTheProblem(string option, string value, string message)
    {
        var run = RunEmulator(option, value);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith(message, run.Error.Split('\n')[0].Trim());
    }

    [Fact]
    public async Task CommandLine_RealismOptions_ReachTheService()
    {
        await using var emulator = await StartCommandLineEmulatorAsync("--seed", "demo", "--latency", "200", "--latency-jitter", "50",
            "--outlook-limits", "--concurrency-limit", "off", "--request-limit", "3/600", "--upload-limit", "off", "--clock-skew", "-7200",
            "--faults", "settings:503-after-commit=1;mailbox:drop=100%", "--fault-seed", "5", "--imported-search-key", "regenerate");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{emulator.BaseUri}v1.0/users/alice@contoso.test/settings/exchange");
        var token = await ClientCredentialsTokenAsync(emulator);
        request.Headers.Authorization = new("Bearer", token);

        using var settings = await emulator.Http.SendAsync(request);
        var started = DateTimeOffset.UtcNow;
        var mailboxId = (string)JsonNode.Parse(await (await emulator.GetAsync("v1.0/users/alice@contoso.test/settings/exchange", token)).Content.ReadAsStringAsync())!["primaryMailboxId"]!;
        await Assert.ThrowsAsync<HttpRequestException>(() => emulator.GetAsync($"v1.0/admin/exchange/mailboxes/{Uri.EscapeDataString(mailboxId)}", token));
        var elapsed = DateTimeOffset.UtcNow - started;
        var folders = $"v1.0/admin/exchange/mailboxes/{Uri.EscapeDataString(mailboxId)}/folders";
        using var second = await emulator.GetAsync(folders, token);
        using var third = await emulator.GetAsync(folders, token);
        using var fourth = await emulator.GetAsync(folders, token);

        Assert.Contains("Faults: settings:503-after-commit=1;mailbox:drop=100% (seed 5)", emulator.Printed);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, settings.StatusCode);
        Assert.InRange(settings.Headers.Date!.Value, DateTimeOffset.UtcNow.AddHours(-2).AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(-2).AddMinutes(1));
        Assert.True(elapsed >= TimeSpan.FromMilliseconds(150), $"the dropped request took {elapsed.TotalMilliseconds} ms");
        // The request budget of 3 for (app, alice) is spent by the dropped request and the next two.
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, fourth.StatusCode);
    }

    [Fact]
    public async Task CommandLine_SigtermStopsTheEmulator()
    {
        if (OperatingSystem.IsWindows()) return; // no SIGTERM there; Ctrl+C is covered by CancelKeyPress
        await using var emulator = await StartCommandLineEmulatorAsync("--seed", "scale:2x10");

        using var kill = Process.Start("kill", new[] { "-TERM", emulator.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) })!;
        await kill.WaitForExitAsync();

        Assert.True(await emulator.WaitForExitAsync(TimeSpan.FromSeconds(60)), "the emulator did not exit on SIGTERM");
        Assert.Equal(0, emulator.ExitCode);
    }

    private static Task<string> ClientCredentialsTokenAsync(CommandLineEmulator emulator) =>
        emulator.ClientCredentialsTokenAsync(EmulatorDefaults.TenantId, EmulatorDefaults.ClientId, EmulatorDemoApp.ClientSecret);

    /// <summary>The emulator's build, started as <c>dotnet MailboxImportExport.Emulator.dll ARGS</c>.</summary>
    private static Task<CommandLineEmulator> StartCommandLineEmulatorAsync(params string[] args) =>
        CommandLineEmulator.StartAsync(new ProcessStartInfo("dotnet", args.Prepend(typeof(EmulatorServer).Assembly.Location)));

    private static (int ExitCode, string Output, string Error) RunEmulator(params string[] args)
    {
        var assembly = typeof(EmulatorServer).Assembly.Location;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(assembly);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(30_000), "the emulator did not exit");
        return (process.ExitCode, output.Result, error.Result);
    }

    private static byte[] SampleBlob()
    {
        var message = new FtsMessage();
        message.Properties.Add(FtsProperty.String(FtsPropertyId.MessageClass, "IPM.Note"));
        message.Properties.Add(FtsProperty.String(FtsPropertyId.Subject, "Persisted"));
        return new FtsWriter().Write(message);
    }
}
