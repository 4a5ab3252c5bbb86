using System.Diagnostics;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using MailboxImportExport.Engine.Auth;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Services;
using MailboxImportExport.Engine.Transfer;

namespace MailboxImportExport.Throughput;

/// <summary>
/// The child process: copies its pairs (source&gt;target user principal names) into the targets under /Bench, and
/// prints one <c>RESULT {json}</c> line with what it measured, its peak memory included.
/// </summary>
internal static class Client
{
    private const string TargetRoot = "/Bench";

    public static async Task<int> RunAsync(string[] args)
    {
        var mode = Enum.Parse<ClientMode>(Arg(args, "--mode"));
        var emulator = new Uri(Arg(args, "--emulator"));
        var module = Arg(args, "--module");
        var pairs = Arg(args, "--pairs").Split(',').Select(p => p.Split('>')).Select(p => (Source: p[0], Target: p[1])).ToList();
        using var sampler = new HeapSampler();
        ClientResult result;
        try
        {
            result = mode == ClientMode.Serial
                ? await SerialAsync(emulator, pairs, Environment.GetEnvironmentVariable(Scenario.TokenVariable)!)
                : Pipeline(emulator, module, pairs);
        }
        catch (Exception e)
        {
            result = new ClientResult { Error = $"{e.GetType().Name}: {e.Message}" };
        }
        var process = Process.GetCurrentProcess();
        process.Refresh();
        Console.WriteLine("RESULT " + (result with
        {
            PeakWorkingSet = process.PeakWorkingSet64,
            PeakManagedHeap = sampler.Peak,
            CpuSeconds = process.TotalProcessorTime.TotalSeconds,
        }).ToJson());
        return 0;
    }

    private static string Arg(string[] args, string name) => args[Array.IndexOf(args, name) + 1];

    /// <summary>
    /// The module as an admin runs it: one runspace per pair (module imported, connected), then every pair's
    /// one-line copy at once; timed from the first pipeline's start to the last one's end.
    /// </summary>
    private static ClientResult Pipeline(Uri emulator, string module, List<(string Source, string Target)> pairs)
    {
        var runspaces = new List<Runspace>();
        try
        {
            var copies = new List<PowerShell>();
            foreach (var (source, target) in pairs)
            {
                var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
                runspace.Open();
                runspaces.Add(runspace);
                using (var setup = PowerShell.Create(runspace))
                {
                    setup.AddScript("""
                        param($Module, $Emulator)
                        Import-Module $Module -ErrorAction Stop
                        Connect-ExMailboxService -Emulator $Emulator -ErrorAction Stop | Out-Null
                        """).AddArgument(module).AddArgument(emulator);
                    setup.Invoke();
                }
                var copy = PowerShell.Create(runspace);
                copy.AddScript($$"""
                    param($Source, $Target)
                    $targetId = (Get-ExMailbox $Target).MailboxId
                    Get-ExMailbox $Source | Get-ExMailboxFolder -Recurse | Get-ExMailboxItem | Export-ExMailboxItem |
                        Import-ExMailboxItem -TargetMailboxId $targetId -PreserveFolderStructure -TargetRootPath {{TargetRoot}} |
                        ForEach-Object -Begin { $items = 0; $bytes = 0 } -Process { $items++; $bytes += $_.Size } -End { $items; $bytes }
                    """).AddArgument(source).AddArgument(target);
                copies.Add(copy);
            }

            var clock = Stopwatch.StartNew();
            var running = copies.Select(copy => Task.Factory.StartNew(() => Invoke(copy), TaskCreationOptions.LongRunning)).ToList();
            Task.WaitAll(running.ToArray());
            clock.Stop();

            var outcomes = running.Select(t => t.Result).ToList();
            var errors = copies.SelectMany(c => c.Streams.Error).Select(e => e.ToString())
                .Concat(outcomes.Select(o => o.Stopped).OfType<string>()).ToList();
            return new ClientResult
            {
                Items = outcomes.Sum(o => o.Items),
                Bytes = outcomes.Sum(o => o.Bytes),
                Errors = errors.Count,
                FirstErrors = errors.Count == 0 ? null : string.Join(" | ", errors.Take(3)),
                Seconds = clock.Elapsed.TotalSeconds,
            };
        }
        finally
        {
            foreach (var runspace in runspaces) runspace.Dispose();
        }
    }

    /// <summary>One pair's pipeline: the items and bytes it reported, or the terminating error that stopped it.</summary>
    private static (int Items, long Bytes, string? Stopped) Invoke(PowerShell copy)
    {
        try
        {
            var output = copy.Invoke();
            return (Convert.ToInt32(output[0].BaseObject), Convert.ToInt64(output[1].BaseObject), null);
        }
        catch (RuntimeException e)
        {
            return (0, 0, $"the pipeline stopped: {e.Message}");
        }
    }

    /// <summary>
    /// The naive baseline: one request at a time through the engine's services: list a page, export one item, import
    /// it, and so on, pair after pair.
    /// </summary>
    private static async Task<ClientResult> SerialAsync(Uri emulator, List<(string Source, string Target)> pairs, string token)
    {
        using var graph = new GraphClient(new GraphClientOptions { GraphRoot = emulator }, new StaticTokenProvider(token),
            new LoopbackCertificatePin(emulator).CreateHandler());
        var mailboxes = new MailboxService(graph);
        var folders = new FolderService(graph);
        var items = new ItemService(graph);
        var exports = new ExportService(graph);
        var imports = new ImportService(graph);
        var ct = CancellationToken.None;
        int copied = 0, failed = 0;
        long bytes = 0;
        var clock = Stopwatch.StartNew();
        foreach (var (source, target) in pairs)
        {
            var sourceId = (await mailboxes.GetMailboxAsync(source, Engine.Models.MailboxKind.Primary, ct))!.MailboxId;
            var targetId = (await mailboxes.GetMailboxAsync(target, Engine.Models.MailboxKind.Primary, ct))!.MailboxId;
            var mapper = new FolderMapper(folders, TargetRoot);
            var sourceFolders = new List<Engine.Models.ExMailboxFolder>();
            await foreach (var folder in folders.ListAsync(sourceId, null, recurse: true, ct)) sourceFolders.Add(folder);
            foreach (var folder in sourceFolders.Where(f => f.TotalItemCount > 0))
            {
                var targetFolder = await mapper.MapAsync(targetId, folder.Path, folder.Type, ct);
                await foreach (var item in items.ListAsync(sourceId, folder.Id, folder.Path, new ItemQuery(), null, ct))
                {
                    var exported = (await exports.ExportBatchAsync(sourceId, new[] { item.Id }, ct))[0];
                    if (exported.Data is not { } data)
                    {
                        failed++;
                        continue;
                    }
                    using (data)
                    {
                        await imports.ImportAsync(new ImportRequest(targetId, targetFolder.Id, data), ct);
                        bytes += data.Length;
                    }
                    copied++;
                }
            }
        }
        clock.Stop();
        return new ClientResult { Items = copied, Bytes = bytes, Errors = failed, Seconds = clock.Elapsed.TotalSeconds };
    }

    /// <summary>The managed heap's size, sampled every 50 ms: the peak of what the copy keeps alive at once (and its garbage).</summary>
    private sealed class HeapSampler : IDisposable
    {
        private readonly Timer _timer;
        private long _peak;

        public HeapSampler() => _timer = new Timer(_ => Sample(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(50));

        public long Peak
        {
            get
            {
                Sample();
                return Interlocked.Read(ref _peak);
            }
        }

        private void Sample()
        {
            var size = GC.GetGCMemoryInfo().HeapSizeBytes;
            long seen;
            while (size > (seen = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, size, seen) != seen)
            {
            }
        }

        public void Dispose() => _timer.Dispose();
    }
}
