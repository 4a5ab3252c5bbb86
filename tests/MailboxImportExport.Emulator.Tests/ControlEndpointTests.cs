using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace MailboxImportExport.Emulator.Tests;

/// <summary>
/// /emulator/…: what a test in another process (Pester, through MailboxImportExport.TestSupport) reads and switches,
/// and the demo app's credential the module signs in with. None of it shows in the request log or the statistics.
/// </summary>
public sealed class ControlEndpointTests
{
    [Fact]
    public async Task The_request_log_statistics_and_faults_are_reachable_over_https_and_stay_out_of_the_log()
    {
        await using var emulator = await EmulatorFixture.StartAsync();
        var http = emulator.Http;
        var mailbox = Uri.EscapeDataString(emulator.AliceMailbox);

        using (var put = await http.PutAsJsonAsync("emulator/faults", new { spec = "folders:503=1", seed = 7 })) Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        var faults = JsonNode.Parse(await http.GetStringAsync("emulator/faults"))!;
        Assert.Equal("folders:503=1", (string?)faults["spec"]);
        Assert.Equal(7, (int)faults["seed"]!);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, await GetAsync(emulator, $"v1.0/admin/exchange/mailboxes/{mailbox}/folders"));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(emulator, $"v1.0/admin/exchange/mailboxes/{mailbox}/folders"));

        var log = JsonNode.Parse(await http.GetStringAsync("emulator/requests"))!.AsArray();
        Assert.Equal([503, 200], log.Select(entry => (int)entry!["statusCode"]!));
        Assert.Equal("503", (string?)log[0]!["fault"]);
        Assert.Equal("folders", (string?)log[0]!["route"]);
        Assert.Equal(emulator.AliceMailbox, (string?)log[1]!["mailboxId"]);
        var statistics = JsonNode.Parse(await http.GetStringAsync("emulator/statistics"))!;
        Assert.Equal(1, (int)statistics["faultsInjected"]!["503"]!);

        using (await http.DeleteAsync("emulator/requests")) { }
        using (await http.DeleteAsync("emulator/statistics")) { }
        using (await http.DeleteAsync("emulator/faults")) { }
        Assert.Empty(JsonNode.Parse(await http.GetStringAsync("emulator/requests"))!.AsArray());
        Assert.Empty(JsonNode.Parse(await http.GetStringAsync("emulator/statistics"))!["faultsInjected"]!.AsObject());
        Assert.Null(emulator.Control.FaultMix);
    }

    [Fact]
    public async Task A_bad_fault_spec_is_refused_with_the_parsers_message()
    {
        await using var emulator = await EmulatorFixture.StartAsync();
        using var put = await emulator.Http.PutAsJsonAsync("emulator/faults", new { spec = "import:teapot=5%" });
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Contains("teapot", await put.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var unknown = await emulator.Http.GetAsync("emulator/nothing");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task The_demo_app_credential_comes_from_the_emulator()
    {
        await using var emulator = await EmulatorFixture.StartAsync();
        var app = JsonNode.Parse(await emulator.Http.GetStringAsync("emulator/demo-app"))!;
        Assert.Equal(Engine.Auth.EmulatorDefaults.ClientId, (string?)app["clientId"]);
        Assert.Equal(EmulatorDemoApp.ClientSecret, (string?)app["clientSecret"]);
        Assert.Empty(emulator.Control.Requests);
    }

    private static async Task<HttpStatusCode> GetAsync(EmulatorFixture emulator, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new("Bearer", emulator.Token);
        using var response = await emulator.Http.SendAsync(request);
        return response.StatusCode;
    }
}
