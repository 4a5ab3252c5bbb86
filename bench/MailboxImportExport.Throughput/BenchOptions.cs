using System.Globalization;
using MailboxImportExport.Emulator;

namespace MailboxImportExport.Throughput;

/// <summary>How a client copies: the product's copy core, or a naive loop of one request at a time.</summary>
internal enum ClientMode
{
    /// <summary>One request at a time: list, export one item, import it, next (engine services, nothing concurrent).</summary>
    Serial,

    /// <summary>
    /// The engine core behind Copy-ExMailbox (<c>MailboxCopyRun</c>): every pair side by side, each through its
    /// mailboxes' lanes, with a journal.
    /// </summary>
    Copy,
}

/// <summary>One copy to measure: M pairs of mailboxes of N items, under a service time and (maybe) Outlook's limits.</summary>
internal sealed record ScenarioSpec(string Name, ClientMode Mode, int Pairs, int ItemsPerMailbox, bool Limits)
{
    public int Items => Pairs * ItemsPerMailbox;
}

internal sealed class BenchOptions
{
    public const string Usage = """
        Usage: dotnet run -c Release --project bench/MailboxImportExport.Throughput -- [options]
          --latency MS          emulator service time per mailbox request (default 100)
          --jitter MS           service time jitter, uniform +/- (default 10)
          --pairs N             mailbox pairs copied side by side in the N-pairs run (default 10)
          --items N             items per source mailbox in the throughput runs (default 1000)
          --profile P           item sizes: small (text, ~25 KB: the request rate binds) or mixed (like a real
                                mailbox, ~100 KB: the upload budget binds) (default small)
          --limits outlook|none Outlook's per-(app, mailbox) limits in the throughput runs (default outlook)
          --shrink-windows F    divide the request and upload windows and their budgets by F, rates kept (F = 60:
                                167 requests / 10 s and 2.5 MiB / 5 s). Default 1, Outlook's own windows: a run
                                shorter than a window meets its budget, not its rate, as a real copy of that size
                                would; F = 60 makes a run of a minute meet the sustained rates.
          --memory A,B          items of the two memory runs (default 2000,20000), under the same limits as the others
          --memory-pairs N      mailbox pairs the memory runs spread their items over (default: --pairs). With 1,
                                one mailbox of A items against one of B; a pair of more than 10,000 items spends whole
                                windows of its target's request budget (20,000 items: 20 minutes)
          --only LIST           run only some of: serial,one,many,memory (default all)
          --trace DIR           write each run's request log (the emulator's, with lanes and times) as CSV into DIR
        """;

    public int LatencyMs { get; private set; } = 100;
    public int JitterMs { get; private set; } = 10;
    public int Pairs { get; private set; } = 10;
    public int Items { get; private set; } = 1000;
    public string Profile { get; private set; } = "small";
    public bool OutlookLimits { get; private set; } = true;
    public int ShrinkWindows { get; private set; } = 1;
    public int[] MemoryItems { get; private set; } = { 2000, 20000 };
    private int? _memoryPairs;
    public int MemoryPairs => _memoryPairs ?? Pairs;
    public HashSet<string> Only { get; private set; } = new() { "serial", "one", "many", "memory" };
    public bool Help { get; private set; }
    public string? TraceDirectory { get; private set; }

    private readonly List<string> _given = new();

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new FormatException($"{args[i]} needs a value.");
            var name = args[i];
            switch (name)
            {
                case "-h" or "--help":
                    options.Help = true;
                    continue;
                case "--latency": options.LatencyMs = Int(name, Value(), 0, 60_000); break;
                case "--jitter": options.JitterMs = Int(name, Value(), 0, 60_000); break;
                case "--pairs": options.Pairs = Int(name, Value(), 1, 500); break;
                case "--items": options.Items = Int(name, Value(), 1, 100_000); break;
                case "--profile":
                    options.Profile = Value() is "small" or "mixed" ? args[i] : throw new FormatException("--profile is small or mixed.");
                    break;
                case "--limits":
                    options.OutlookLimits = Value() switch
                    {
                        "outlook" => true,
                        "none" => false,
                        _ => throw new FormatException("--limits is outlook or none."),
                    };
                    break;
                case "--trace": options.TraceDirectory = Path.GetFullPath(Value()); break;
                case "--shrink-windows": options.ShrinkWindows = Int(name, Value(), 1, 600); break;
                case "--memory":
                    options.MemoryItems = Value().Split(',').Select(v => Int(name, v, 1, 1_000_000)).ToArray();
                    if (options.MemoryItems.Length != 2) throw new FormatException("--memory takes two item counts, e.g. 2000,20000.");
                    break;
                case "--memory-pairs": options._memoryPairs = Int(name, Value(), 1, 500); break;
                case "--only":
                    options.Only = Value().Split(',').ToHashSet();
                    if (!options.Only.IsSubsetOf(new[] { "serial", "one", "many", "memory" })) throw new FormatException("--only takes serial, one, many, memory.");
                    break;
                default:
                    throw new FormatException($"Unknown argument '{name}'.");
            }
            options._given.Add(name);
            options._given.Add(args[i]);
        }
        return options;
    }

    private static int Int(string name, string text, int min, int max) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new FormatException($"{name} needs a whole number from {min} to {max}, not '{text}'.");

    public string CommandLine() =>
        "dotnet run -c Release --project bench/MailboxImportExport.Throughput" + (_given.Count == 0 ? "" : " -- " + string.Join(" ", _given));

    /// <summary>Outlook's request budget, window and budget divided by <see cref="ShrinkWindows"/>.</summary>
    public EmulatorRateLimit RequestLimit => Shrunk(EmulatorRateLimit.OutlookRequests);

    /// <summary>Outlook's upload budget, window and budget divided by <see cref="ShrinkWindows"/>.</summary>
    public EmulatorRateLimit UploadLimit => Shrunk(EmulatorRateLimit.OutlookUploadBytes);

    private EmulatorRateLimit Shrunk(EmulatorRateLimit limit) =>
        new((long)Math.Round((double)limit.Amount / ShrinkWindows), limit.Window / ShrinkWindows);

    public IEnumerable<ScenarioSpec> Scenarios()
    {
        if (Only.Contains("serial")) yield return new ScenarioSpec("serial baseline, 1 pair", ClientMode.Serial, 1, Items, OutlookLimits);
        if (Only.Contains("one")) yield return new ScenarioSpec("copy, 1 pair", ClientMode.Copy, 1, Items, OutlookLimits);
        if (Only.Contains("many")) yield return new ScenarioSpec($"copy, {Pairs} pairs", ClientMode.Copy, Pairs, Items, OutlookLimits);
        if (!Only.Contains("memory")) yield break;
        foreach (var total in MemoryItems)
            yield return new ScenarioSpec($"memory: {total:N0} items, {MemoryPairs} pair{(MemoryPairs == 1 ? "" : "s")}", ClientMode.Copy, MemoryPairs, Math.Max(1, total / MemoryPairs), OutlookLimits);
    }
}
