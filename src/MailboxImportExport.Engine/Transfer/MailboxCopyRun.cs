using System.Collections.Concurrent;
using MailboxImportExport.Engine.Diagnostics;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Journal;
using MailboxImportExport.Engine.Models;
using MailboxImportExport.Engine.Services;

namespace MailboxImportExport.Engine.Transfer;

/// <summary>A pair of a run, as progress and the summary show it.</summary>
public sealed class MailboxCopyPair
{
    internal MailboxCopyPair(MailboxCopyRequest request, TransferCounters counters)
    {
        Request = request;
        Counters = counters;
    }

    public MailboxCopyRequest Request { get; }
    public TransferCounters Counters { get; }
    /// <summary>Queued, Running, Completed, CompletedWithErrors, BadItemLimitExceeded, Failed or Stopped.</summary>
    public string Status { get; internal set; } = "Queued";
    public Exception? Error { get; internal set; }
    public DateTimeOffset? Started { get; internal set; }
    public DateTimeOffset? Ended { get; internal set; }

    internal ExTransferPairSummary Summary() => new()
    {
        SourceMailboxId = Request.SourceMailboxId,
        TargetMailboxId = Request.TargetMailboxId,
        Status = Status,
        Copied = Counters.Copied,
        Updated = Counters.Updated,
        Skipped = Counters.Skipped,
        Failed = Counters.Failed,
        Deleted = Counters.Deleted,
        Bytes = Counters.Bytes,
        Duration = Started is { } start ? (Ended ?? DateTimeOffset.UtcNow) - start : TimeSpan.Zero,
        Error = Error?.Message,
    };
}

/// <summary>
/// Runs mailbox pairs side by side, at most <c>throttleLimit</c> at once, each with its own lanes (the target and
/// source mailboxes' lanes in <see cref="GraphClient"/>) and journal rows. A pair that fails (its -BadItemLimit, a
/// mailbox that does not exist) does not stop the others.
/// </summary>
public sealed class MailboxCopyRun
{
    private readonly GraphClient _graph;
    private readonly ITransferJournal _journal;
    private readonly TransferCounters _counters;
    private readonly int _throttleLimit;
    private readonly MailboxCopyOptions? _options;
    private readonly List<MailboxCopyPair> _pairs = new();
    private readonly ConcurrentQueue<CopyItemFailure> _failures = new();

    public MailboxCopyRun(GraphClient graph, ITransferJournal journal, TransferCounters counters, int throttleLimit, MailboxCopyOptions? options = null)
    {
        if (throttleLimit < 1) throw new ArgumentOutOfRangeException(nameof(throttleLimit), "At least one pair must run at a time.");
        _graph = graph;
        _journal = journal;
        _counters = counters;
        _throttleLimit = throttleLimit;
        _options = options;
    }

    /// <summary>The pairs, in the order given; safe to read while the run goes.</summary>
    public IReadOnlyList<MailboxCopyPair> Pairs
    {
        get
        {
            lock (_pairs) return _pairs.ToList();
        }
    }

    public async Task RunAsync(IReadOnlyList<MailboxCopyRequest> requests, CancellationToken ct)
    {
        var pairs = requests.Select(r => new MailboxCopyPair(r, new TransferCounters(_counters))).ToList();
        lock (_pairs) _pairs.AddRange(pairs);
        // Every pair's names at once, so the job can be read by them while pairs still wait for a slot.
        foreach (var request in requests)
        {
            NameMailbox(request.SourceMailboxId, request.SourceName);
            NameMailbox(request.TargetMailboxId, request.TargetName);
        }
        using var slots = new SemaphoreSlim(_throttleLimit);
        var copier = new MailboxCopier(_graph, _journal, _options);
        await Task.WhenAll(pairs.Select(async pair =>
        {
            await slots.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                await RunPairAsync(copier, pair, ct).ConfigureAwait(false);
            }
            finally
            {
                slots.Release();
            }
        })).ConfigureAwait(false);
    }

    /// <summary>Takes the next item failure of any pair, for the caller to report on its own thread.</summary>
    public bool TryTakeFailure(out CopyItemFailure failure)
    {
        var taken = _failures.TryDequeue(out var next);
        failure = next!;
        return taken;
    }

    private async Task RunPairAsync(MailboxCopier copier, MailboxCopyPair pair, CancellationToken ct)
    {
        pair.Started = DateTimeOffset.UtcNow;
        pair.Status = "Running";
        try
        {
            await copier.CopyAsync(pair.Request, pair.Counters, ct, _failures.Enqueue).ConfigureAwait(false);
            pair.Status = pair.Counters.Failed > 0 ? "CompletedWithErrors" : "Completed";
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            pair.Status = "Stopped";
            throw;
        }
        catch (BadItemLimitExceededException e)
        {
            pair.Status = "BadItemLimitExceeded";
            pair.Error = e;
        }
        catch (Exception e) when (e is GraphException or ArgumentException or InvalidOperationException or IOException)
        {
            EngineLog.Verbose($"The copy of {pair.Request} failed: {e.Message}");
            pair.Status = "Failed";
            pair.Error = e;
        }
        finally
        {
            pair.Ended = DateTimeOffset.UtcNow;
        }
    }

    private void NameMailbox(string mailboxId, string? name)
    {
        // An id given for a mailbox is no other name for it (and mailbox ids are resolved trimmed, so names are too).
        if (string.IsNullOrWhiteSpace(name) || MailboxService.IsMailboxId(name!)) return;
        _journal.NameMailbox(mailboxId, name!.Trim());
    }

    /// <summary>One row per pair, for the run's summary.</summary>
    public IReadOnlyList<ExTransferPairSummary> PairSummaries() => Pairs.Select(p => p.Summary()).ToList();
}
