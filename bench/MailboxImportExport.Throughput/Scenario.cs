using System.Diagnostics;
using MailboxImportExport.Emulator;
using MailboxImportExport.Engine.Auth;

namespace MailboxImportExport.Throughput;

/// <summary>
/// Runs one scenario: a fresh emulator (scale tenant of 2 × pairs mailboxes), the round trip measured before any limit
/// applies, then the copy in a child process; the emulator's counters after it.
/// </summary>
internal static class Scenario
{
    public const string TokenVariable = "MIE_BENCH_TOKEN";

    public static async Task<Run> RunAsync(ScenarioSpec spec, BenchOptions options)
    {
        await using var server = await EmulatorServer.StartAsync(new EmulatorOptions
        {
            Seed = $"scale:{2 * spec.Pairs}x{spec.ItemsPerMailbox}:{options.Profile}",
            Latency = TimeSpan.FromMilliseconds(options.LatencyMs),
            LatencyJitter = TimeSpan.FromMilliseconds(options.JitterMs),
        });
        var control = server.Control;
        var roundTrip = await RoundTripAsync(server);
        // The emulator enforces Outlook's limits by default: set them as the scenario says (shrunk windows, or none).
        control.MailboxConcurrencyLimit = spec.Limits ? 4 : null;
        control.RequestRateLimit = spec.Limits ? options.RequestLimit : null;
        control.UploadLimit = spec.Limits ? options.UploadLimit : null;
        control.ResetStatistics();
        control.ClearRequests();

        var pairs = Enumerable.Range(0, spec.Pairs).Select(p => $"{UserOf(2 * p)}>{UserOf(2 * p + 1)}");
        var cpuBefore = Machine.CpuSeconds();
        var machineBefore = Machine.CpuJiffies();
        var client = await RunClientAsync(spec, server.BaseUri, string.Join(",", pairs), options, control.IssueAccessToken(TimeSpan.FromHours(8)));
        var machineBusy = Machine.BusyBetween(machineBefore, Machine.CpuJiffies());
        var emulatorCpu = Machine.CpuSeconds() - cpuBefore;
        await control.LandLateCommitsAsync();
        var stats = control.Statistics;
        if (options.TraceDirectory is { } trace) WriteTrace(Path.Combine(trace, $"{spec.Name.Replace(' ', '-').Replace(",", "").Replace(":", "")}.csv"), control.Requests);
        return new Run(spec, client, control.Requests.Count, stats.Throttled, stats.MaxInFlightAnyLane, stats.TotalImportsCreated, spec.Items,
            roundTrip, emulatorCpu, machineBusy);
    }

    /// <summary>The emulator's request log as CSV (times in ms from the first request): what a lane did when, for tuning.</summary>
    private static void WriteTrace(string path, IReadOnlyList<EmulatorRequestLogEntry> requests)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var origin = requests.Count == 0 ? DateTimeOffset.Now : requests.Min(r => r.Started);
        File.WriteAllLines(path, requests.OrderBy(r => r.Started).Select(r => string.Join(",",
            ((r.Started - origin).TotalMilliseconds).ToString("0", System.Globalization.CultureInfo.InvariantCulture),
            ((r.Timestamp - origin).TotalMilliseconds).ToString("0", System.Globalization.CultureInfo.InvariantCulture),
            r.Method, r.Route, r.MailboxId ?? "", r.StatusCode, r.Throttled ?? "")).Prepend("started_ms,ended_ms,method,route,mailbox,status,throttled"));
    }

    private static string UserOf(int mailbox) => $"user{mailbox + 1:D4}@contoso.test";

    /// <summary>The mean of 20 sequential GETs of a folder over one warm connection: service time plus the loopback round trip.</summary>
    private static async Task<double> RoundTripAsync(EmulatorServer server)
    {
        using var http = new HttpClient(new LoopbackCertificatePin(server.BaseUri).CreateHandler()) { BaseAddress = server.BaseUri };
        http.DefaultRequestHeaders.Authorization = new("Bearer", server.Control.IssueAccessToken());
        var path = $"v1.0/admin/exchange/mailboxes/{Uri.EscapeDataString(server.Control.GetMailboxId(UserOf(0)))}/folders/inbox";
        (await http.GetAsync(path)).EnsureSuccessStatusCode();
        var clock = Stopwatch.StartNew();
        const int samples = 20;
        for (var i = 0; i < samples; i++) (await http.GetAsync(path)).EnsureSuccessStatusCode();
        return clock.Elapsed.TotalSeconds / samples;
    }

    private static async Task<ClientResult> RunClientAsync(ScenarioSpec spec, Uri emulator, string pairs, BenchOptions options, string token)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        // The client knows the service's published limits, shrunk as the emulator's are: its lanes pace under them (and
        // not at all when the emulator enforces none, so the ideal without budgets is the client's too).
        foreach (var arg in new[] { typeof(Scenario).Assembly.Location, "--client", "--mode", spec.Mode.ToString(), "--emulator", emulator.ToString(), "--pairs", pairs,
                     "--shrink-windows", options.ShrinkWindows.ToString(System.Globalization.CultureInfo.InvariantCulture), "--limits", spec.Limits ? "outlook" : "none" })
            start.ArgumentList.Add(arg);
        // The token goes through the environment, never a command line that ps would show.
        start.Environment[TokenVariable] = token;
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string? result = null;
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("RESULT ", StringComparison.Ordinal)) result = line["RESULT ".Length..];
        }
        await process.WaitForExitAsync();
        return result is null
            ? new ClientResult { Error = $"the client exited with {process.ExitCode}: {(await stderr).Trim()}" }
            : ClientResult.Parse(result);
    }
}
