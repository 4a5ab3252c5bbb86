using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using MailboxImportExport.Emulator;
using MailboxImportExport.Throughput;

// Throughput of mailbox copies against the emulator's service time and Outlook's limits. The parent process hosts
// the emulator (so it can read its counters) and runs each copy in a child process of its own (so the child's peak
// memory is the copy's alone); see README.md.
if (args.Length > 0 && args[0] == "--client") return await Client.RunAsync(args.Skip(1).ToArray());

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (FormatException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}
if (options.Help)
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}

var configuration = Assembly.GetExecutingAssembly().GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

Console.WriteLine($"MailboxImportExport throughput benchmark ({configuration}), {DateTimeOffset.Now:yyyy-MM-dd HH:mm zzz}");
Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, load average {Machine.LoadAverage()}; .NET {Environment.Version}");
Console.WriteLine($"Command: {options.CommandLine()}");
Console.WriteLine();

var runs = new List<Run>();
foreach (var scenario in options.Scenarios())
{
    Console.Write($"{scenario.Name,-34} ");
    var run = await Scenario.RunAsync(scenario, options);
    runs.Add(run);
    Console.WriteLine(run.Client.Error is null
        ? $"{run.Client.Items,7:N0} items in {run.Client.Seconds,7:0.0} s{(run.Client.Errors > 0 ? $", {run.Client.Errors} errors" : "")}"
        : $"FAILED: {run.Client.Error}");
}
Console.WriteLine();
Report.Print(runs, options);
return runs.All(r => r.Client.Error is null && r.Exact) ? 0 : 1;

/// <summary>What a child process measured of its copy.</summary>
internal sealed record ClientResult
{
    public int Items { get; init; }
    public long Bytes { get; init; }
    public int Errors { get; init; }
    public double Seconds { get; init; }
    public long PeakWorkingSet { get; init; }
    public long PeakManagedHeap { get; init; }
    public long LiveHeapAtEnd { get; init; }
    public double CpuSeconds { get; init; }
    public string? Error { get; init; }
    public string? FirstErrors { get; init; }

    public static ClientResult Parse(string json) => JsonSerializer.Deserialize<ClientResult>(json)!;

    public string ToJson() => JsonSerializer.Serialize(this);
}

/// <summary>One scenario's outcome: the client's figures and what the emulator saw.</summary>
internal sealed record Run(ScenarioSpec Spec, ClientResult Client, int Requests, IReadOnlyDictionary<string, int> Throttled,
    int MaxInFlight, int Committed, int Expected, double RoundTripSeconds, double EmulatorCpuSeconds)
{
    public int ThrottledTotal => Throttled.Values.Sum();
    public bool Exact => Committed == Expected && Client.Items == Expected && Client.Errors == 0;
    public double ItemsPerSecond => Client.Seconds > 0 ? Client.Items / Client.Seconds : 0;
    public double MegabytesPerSecond => Client.Seconds > 0 ? Client.Bytes / 1e6 / Client.Seconds : 0;
    public double ClientCores => Client.Seconds > 0 ? Client.CpuSeconds / Client.Seconds : 0;
    public double EmulatorCores => Client.Seconds > 0 ? EmulatorCpuSeconds / Client.Seconds : 0;
}

internal static class Machine
{
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>This process's CPU time so far (user + system), in seconds.</summary>
    public static double CpuSeconds() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    public static string Mib(long bytes) => (bytes / 1024.0 / 1024.0).ToString("0", CultureInfo.InvariantCulture) + " MiB";
}
