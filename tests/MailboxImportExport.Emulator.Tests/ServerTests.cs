using System.Security.Cryptography.X509Certificates;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using MailboxImportExport.Engine.Auth;
using MailboxImportExport.Engine.Fts;

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
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { typeof(EmulatorServer).Assembly.Location, "--seed", "demo", "--managed-identity", "--device-code-interval", "2" })
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        try
        {
            // What a script does: read the variables, then wait for the address line.
            var variables = new Dictionary<string, string>();
            Uri? baseUri = null;
            while (baseUri is null && await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)) is { } line)
            {
                if (line.StartsWith("Emulator listening on ", StringComparison.Ordinal)) baseUri = new Uri(line["Emulator listening on ".Length..]);
                else if (line.Split('=', 2) is [var name, var value]) variables[name] = value;
            }
            Assert.NotNull(baseUri);
            Assert.Equal($"{baseUri}msi/token", variables["IDENTITY_ENDPOINT"]);
            using var http = new HttpClient(new LoopbackCertificatePin(baseUri).CreateHandler());

            using var tokenRequest = new HttpRequestMessage(HttpMethod.Get, $"{variables["IDENTITY_ENDPOINT"]}?resource=https://graph.microsoft.com&api-version=2019-08-01");
            tokenRequest.Headers.Add("X-IDENTITY-HEADER", variables["IDENTITY_HEADER"]);
            using var token = await http.SendAsync(tokenRequest);
            using var deviceCode = await http.PostAsync($"{baseUri}{EmulatorDefaults.TenantId}/oauth2/v2.0/devicecode",
                new FormUrlEncodedContent(new Dictionary<string, string> { ["client_id"] = EmulatorDefaults.ClientId, ["scope"] = "User.Read" }));

            Assert.Equal(HttpStatusCode.OK, token.StatusCode);
            Assert.StartsWith("eyJ", (string?)JsonNode.Parse(await token.Content.ReadAsStringAsync())!["access_token"]);
            Assert.Equal(2, (long)JsonNode.Parse(await deviceCode.Content.ReadAsStringAsync())!["interval"]!);
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

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
