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
    /// <summary>The client's RSS about once a second from its start.</summary>
    public RssSample[] Rss { get; init; } = Array.Empty<RssSample>();
    /// <summary>The client's CPU time (user + system, all threads) while it copied: from resolving the mailboxes to the run's end.</summary>
    public double CpuSeconds { get; init; }
    /// <summary>Garbage collections of generations 0, 1 and 2 in the client's life.</summary>
    public int[] Collections { get; init; } = Array.Empty<int>();
    public long AllocatedBytes { get; init; }
    public double GcPauseSeconds { get; init; }
    public string? Error { get; init; }
    public string? FirstErrors { get; init; }

    public static ClientResult Parse(string json) => JsonSerializer.Deserialize<ClientResult>(json)!;

    public string ToJson() => JsonSerializer.Serialize(this);
}

/// <summary>The client's RSS in bytes, <paramref name="Seconds"/> after it started.</summary>
internal sealed record RssSample(double Seconds, long Bytes);

/// <summary>One scenario's outcome: the client's figures and what the emulator saw.</summary>
internal sealed record Run(ScenarioSpec Spec, ClientResult Client, int Requests, IReadOnlyDictionary<string, int> Throttled,
    int MaxInFlight, int Committed, int Expected, double RoundTripSeconds, double EmulatorCpuSeconds, double MachineBusy)
{
    public int ThrottledTotal => Throttled.Values.Sum();
    public bool Exact => Committed == Expected && Client.Items == Expected && Client.Errors == 0;
    public double ItemsPerSecond => Client.Seconds > 0 ? Client.Items / Client.Seconds : 0;
    public double MegabytesPerSecond => Client.Seconds > 0 ? Client.Bytes / 1e6 / Client.Seconds : 0;
    public double ClientCores => Client.Seconds > 0 ? Client.CpuSeconds / Client.Seconds : 0;
    public double EmulatorCores => Client.Seconds > 0 ? EmulatorCpuSeconds / Client.Seconds : 0;
    /// <summary>The client's CPU per item copied, in milliseconds: what the copy costs whatever else runs on the machine.</summary>
    public double ClientCpuMsPerItem => Client.Items > 0 ? 1000 * Client.CpuSeconds / Client.Items : 0;
}

internal static class Machine
{
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>This process's CPU time so far (user + system), in seconds.</summary>
    public static double CpuSeconds() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    /// <summary>The machine's CPU time so far, busy and in all (jiffies, every core), from /proc/stat; zeros elsewhere.</summary>
    public static (long Busy, long Total) CpuJiffies()
    {
        if (!File.Exists("/proc/stat")) return (0, 0);
        // cpu  user nice system idle iowait irq softirq steal ...: idle and iowait are the idle time.
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
            .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var total = fields.Sum();
        return (total - fields[3] - fields[4], total);
    }

    /// <summary>The share of the machine's CPU (all cores) that was busy between two <see cref="CpuJiffies"/> readings.</summary>
    public static double BusyBetween((long Busy, long Total) before, (long Busy, long Total) after) =>
        after.Total > before.Total ? (double)(after.Busy - before.Busy) / (after.Total - before.Total) : 0;

    public static string Mib(long bytes) => (bytes / 1024.0 / 1024.0).ToString("0", CultureInfo.InvariantCulture) + " MiB";
}
