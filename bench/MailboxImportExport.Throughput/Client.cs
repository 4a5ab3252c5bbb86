using System.Diagnostics;
using MailboxImportExport.Engine.Auth;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Journal;
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
        var shrink = int.Parse(Arg(args, "--shrink-windows"), System.Globalization.CultureInfo.InvariantCulture);
        var lanes = new MailboxLanes(Arg(args, "--limits") == "none"
            ? new LaneLimits { RequestsPerWindow = int.MaxValue, UploadBytesPerWindow = long.MaxValue }
            : new LaneLimits
            {
                RequestsPerWindow = (int)Math.Round(10_000.0 / shrink),
                RequestWindow = TimeSpan.FromMinutes(10) / shrink,
                UploadBytesPerWindow = (long)Math.Round(150.0 * 1024 * 1024 / shrink),
                UploadWindow = TimeSpan.FromMinutes(5) / shrink,
            });
        var pairs = Arg(args, "--pairs").Split(',').Select(p => p.Split('>')).Select(p => (Source: p[0], Target: p[1])).ToList();
        using var sampler = new HeapSampler();
        ClientResult result;
        try
        {
            result = mode == ClientMode.Serial
                ? await SerialAsync(emulator, lanes, pairs, Environment.GetEnvironmentVariable(Scenario.TokenVariable)!)
                : await CopyAsync(emulator, lanes, pairs, Environment.GetEnvironmentVariable(Scenario.TokenVariable)!);
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
            Rss = sampler.Rss,
            Collections = new[] { GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2) },
            AllocatedBytes = GC.GetTotalAllocatedBytes(),
            GcPauseSeconds = GC.GetTotalPauseDuration().TotalSeconds,
        }).ToJson());
        return 0;
    }

    private static string Arg(string[] args, string name) => args[Array.IndexOf(args, name) + 1];

    /// <summary>
    /// The engine core that Copy-ExMailbox drives: one <see cref="MailboxCopyRun"/> of every pair side by side
    /// (-ThrottleLimit = the number of pairs), with a journal in a temporary file (deleted after the run), the process's
    /// per-(app, mailbox) lanes, and the export and import batchers; timed from resolving the mailboxes to the run's end.
    /// </summary>
    private static async Task<ClientResult> CopyAsync(Uri emulator, MailboxLanes lanes, List<(string Source, string Target)> pairs, string token)
    {
        using var graph = new GraphClient(new GraphClientOptions { GraphRoot = emulator, Lanes = lanes }, new StaticTokenProvider(token),
            new LoopbackCertificatePin(emulator).CreateHandler());
        var journalPath = Path.Combine(Path.GetTempPath(), $"mie-bench-{Guid.NewGuid():N}.journal");
        try
        {
            using var journal = SqliteTransferJournal.Open(journalPath);
            var counters = new TransferCounters();
            var run = new MailboxCopyRun(graph, journal, counters, throttleLimit: pairs.Count);
            var mailboxes = new MailboxService(graph);
            var cpu = Machine.CpuSeconds();
            var clock = Stopwatch.StartNew();
            var requests = new List<MailboxCopyRequest>();
            foreach (var (source, target) in pairs)
            {
                requests.Add(new MailboxCopyRequest(
                    (await mailboxes.GetMailboxAsync(source, Engine.Models.MailboxKind.Primary, CancellationToken.None))!.MailboxId,
                    (await mailboxes.GetMailboxAsync(target, Engine.Models.MailboxKind.Primary, CancellationToken.None))!.MailboxId) { TargetRootPath = TargetRoot });
            }
            await run.RunAsync(requests, CancellationToken.None);
            clock.Stop();
            cpu = Machine.CpuSeconds() - cpu;

            // What the run still holds at its end (its journal, counters, caches): what would grow with the item count.
            var live = GC.GetTotalMemory(forceFullCollection: true);
            GC.KeepAlive(run);
            var errors = new List<string>();
            while (run.TryTakeFailure(out var failure)) errors.Add($"{failure}: {failure.Error.Message}");
            errors.AddRange(run.Pairs.Where(p => p.Error is not null).Select(p => $"{p.Request}: {p.Error!.Message}"));
            return new ClientResult
            {
                Items = counters.Copied,
                Bytes = counters.Bytes,
                Errors = errors.Count,
                FirstErrors = errors.Count == 0 ? null : string.Join(" | ", errors.Take(3)),
                Seconds = clock.Elapsed.TotalSeconds,
                CpuSeconds = cpu,
                LiveHeapAtEnd = live,
            };
        }
        finally
        {
            foreach (var file in new[] { journalPath, journalPath + "-wal", journalPath + "-shm" }) File.Delete(file);
        }
    }

    /// <summary>
    /// The naive baseline: one request at a time through the engine's services: list a page, export one item, import
    /// it, and so on, pair after pair.
    /// </summary>
    private static async Task<ClientResult> SerialAsync(Uri emulator, MailboxLanes lanes, List<(string Source, string Target)> pairs, string token)
    {
        using var graph = new GraphClient(new GraphClientOptions { GraphRoot = emulator, Lanes = lanes }, new StaticTokenProvider(token),
            new LoopbackCertificatePin(emulator).CreateHandler());
        var mailboxes = new MailboxService(graph);
        var folders = new FolderService(graph);
        var items = new ItemService(graph);
        var exports = new ExportService(graph);
        var imports = new ImportService(graph);
        var ct = CancellationToken.None;
        int copied = 0, failed = 0;
        long bytes = 0;
        var cpu = Machine.CpuSeconds();
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
        return new ClientResult { Items = copied, Bytes = bytes, Errors = failed, Seconds = clock.Elapsed.TotalSeconds, CpuSeconds = Machine.CpuSeconds() - cpu };
    }

    /// <summary>
    /// The managed heap's size, sampled every 50 ms: the peak of what the copy keeps alive at once (and its garbage); and
    /// the process's RSS once a second, to show when it stops growing.
    /// </summary>
    private sealed class HeapSampler : IDisposable
    {
        private const int TicksPerSecond = 20;
        private readonly Timer _timer;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly List<RssSample> _rss = new();
        private long _peak;
        private int _ticks;

        public HeapSampler() => _timer = new Timer(_ => Tick(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(1000 / TicksPerSecond));

        public long Peak
        {
            get
            {
                Sample();
                return Interlocked.Read(ref _peak);
            }
        }

        /// <summary>RSS about once a second (timer ticks stretch on a loaded machine: each sample has its own time).</summary>
        public RssSample[] Rss
        {
            get
            {
                lock (_rss) return _rss.ToArray();
            }
        }

        private void Tick()
        {
            Sample();
            if (Interlocked.Increment(ref _ticks) % TicksPerSecond != 1) return;
            lock (_rss) _rss.Add(new RssSample(_clock.Elapsed.TotalSeconds, Environment.WorkingSet));
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
