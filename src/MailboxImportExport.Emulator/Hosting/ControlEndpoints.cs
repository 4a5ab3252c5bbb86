using System.Text.Json;
using System.Text.Json.Nodes;
using MailboxImportExport.Engine.Auth;

namespace MailboxImportExport.Emulator.Hosting;

/// <summary>
/// <c>/emulator/…</c>: the control hooks a test in another process needs (a Pester suite, through
/// MailboxImportExport.TestSupport), and the demo app's credentials for <c>Connect-ExMailboxService -Emulator</c>.
/// Not part of the service: these requests are not logged, counted, limited or faulted, so they never change what a
/// test asserts about the script under test. Like everything the emulator serves, only this machine reaches them.
/// </summary>
internal sealed class ControlEndpoints(EmulatorState state)
{
    public const string Segment = "emulator";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static bool IsRoute(IReadOnlyList<string> segments) => segments.Count == 2 && segments[0] == Segment;

    public async Task HandleAsync(HttpContext http, IReadOnlyList<string> segments)
    {
        var method = http.Request.Method;
        switch (segments[1], method)
        {
            case ("demo-app", "GET"):
                // What the demo app signs in with; the module reads it here so that no secret ships in its engine.
                await WriteAsync(http, new { tenantId = EmulatorDefaults.TenantId, clientId = EmulatorDefaults.ClientId, clientSecret = EmulatorDemoApp.ClientSecret });
                break;
            case ("requests", "GET"):
                await WriteAsync(http, state.Control.Requests);
                break;
            case ("requests", "DELETE"):
                state.Control.ClearRequests();
                http.Response.StatusCode = 204;
                break;
            case ("statistics", "GET"):
                var statistics = state.Control.Statistics;
                await WriteAsync(http, new
                {
                    statistics.FaultsInjected,
                    statistics.Throttled,
                    MaxInFlight = statistics.MaxInFlight.Select(lane => new { lane.Key.AppId, lane.Key.MailboxId, Count = lane.Value }),
                    statistics.MaxInFlightAnyLane,
                    statistics.ImportsCreated,
                    statistics.ImportsUpdated,
                    statistics.TotalImportsCreated,
                    statistics.LateCommitsPending,
                    statistics.LateCommitsLanded,
                });
                break;
            case ("statistics", "DELETE"):
                state.Control.ResetStatistics();
                http.Response.StatusCode = 204;
                break;
            case ("faults", "GET"):
                await WriteAsync(http, new { spec = state.Control.FaultMix?.ToString(), seed = state.Control.FaultMix?.Seed });
                break;
            case ("faults", "PUT"):
                await ApplyFaultsAsync(http);
                break;
            case ("faults", "DELETE"):
                state.Control.ClearFaults();
                http.Response.StatusCode = 204;
                break;
            default:
                http.Response.StatusCode = 404;
                await WriteAsync(http, new { error = $"No control endpoint {method} /{Segment}/{segments[1]}: see docs/emulator.md (Control endpoints)." });
                break;
        }
    }

    /// <summary>Body <c>{"spec": "import:503=2", "seed": 1}</c>, as <c>--faults</c> and <c>--fault-seed</c> take them.</summary>
    private async Task ApplyFaultsAsync(HttpContext http)
    {
        try
        {
            var body = await JsonNode.ParseAsync(http.Request.Body) as JsonObject ?? throw new FormatException("The body must be a JSON object {\"spec\": \"…\", \"seed\": N}.");
            var spec = body["spec"]?.GetValue<string>() ?? throw new FormatException("'spec' is missing (e.g. \"import:503=2\").");
            var seed = body["seed"]?.GetValue<int>() ?? 1;
            state.Control.ApplyFaults(spec, seed);
            http.Response.StatusCode = 204;
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException or ArgumentException)
        {
            http.Response.StatusCode = 400;
            await WriteAsync(http, new { error = e.Message });
        }
    }

    private static Task WriteAsync<T>(HttpContext http, T value)
    {
        http.Response.ContentType = "application/json; charset=utf-8";
        return http.Response.WriteAsync(JsonSerializer.Serialize(value, Json));
    }
}
