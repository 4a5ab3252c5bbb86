using System.Collections.Concurrent;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Models;

namespace MailboxImportExport.Engine.Transfer;

/// <summary>How one item of a run ended.</summary>
public enum TransferItemResult
{
    Copied,
    Updated,
    Skipped,
    Failed,
}

/// <summary>
/// The live counts of a run, per source folder, updated from any thread and read for progress and the summary.
/// Its <see cref="Meter"/> collects the time the run spent throttled. When totals are known (after listing), progress
/// has a real percentage.
/// </summary>
public sealed class TransferCounters
{
    private readonly ConcurrentDictionary<(string Mailbox, string Folder), FolderCounts> _folders = new();
    private readonly TransferCounters? _parent;
    private readonly ThrottleMeter _meter = new();
    private int _copied, _updated, _skipped, _failed, _resolved, _deleted, _expected = -1;
    private long _bytes, _expectedBytes;

    public TransferCounters(DateTimeOffset? startTime = null) => StartTime = startTime ?? DateTimeOffset.UtcNow;

    /// <summary>Counts of a part of a run (a mailbox pair): everything recorded here is recorded in the run's too.</summary>
    public TransferCounters(TransferCounters parent)
    {
        _parent = parent ?? throw new ArgumentNullException(nameof(parent));
        StartTime = DateTimeOffset.UtcNow;
    }

    public DateTimeOffset StartTime { get; }
    /// <summary>The run's throttle meter (a part shares its run's).</summary>
    public ThrottleMeter Meter => _parent?.Meter ?? _meter;
    public int Copied => Volatile.Read(ref _copied);
    public int Updated => Volatile.Read(ref _updated);
    public int Skipped => Volatile.Read(ref _skipped);
    public int Failed => Volatile.Read(ref _failed);
    public int Resolved => Volatile.Read(ref _resolved);
    public int Deleted => Volatile.Read(ref _deleted);
    public long Bytes => Interlocked.Read(ref _bytes);
    public int Finished => Copied + Updated + Skipped + Failed;
    /// <summary>Items the run will handle, once listing has counted them; -1 while unknown.</summary>
    public int Expected => Volatile.Read(ref _expected);
    public long ExpectedBytes => Interlocked.Read(ref _expectedBytes);

    /// <summary>Adds listed items to the expected total.</summary>
    public void Expect(int items, long bytes)
    {
        Interlocked.CompareExchange(ref _expected, 0, -1);
        Interlocked.Add(ref _expected, items);
        Interlocked.Add(ref _expectedBytes, bytes);
        _parent?.Expect(items, bytes);
    }

    public void Record(TransferItemResult result, string sourceMailboxId, string? folderPath, long bytes)
    {
        var folder = _folders.GetOrAdd((sourceMailboxId, folderPath ?? ""), _ => new FolderCounts());
        switch (result)
        {
            case TransferItemResult.Copied: Interlocked.Increment(ref _copied); Interlocked.Increment(ref folder.Copied); break;
            case TransferItemResult.Updated: Interlocked.Increment(ref _updated); Interlocked.Increment(ref folder.Updated); break;
            case TransferItemResult.Skipped: Interlocked.Increment(ref _skipped); Interlocked.Increment(ref folder.Skipped); break;
            case TransferItemResult.Failed: Interlocked.Increment(ref _failed); Interlocked.Increment(ref folder.Failed); break;
        }
        if (result is TransferItemResult.Copied or TransferItemResult.Updated)
        {
            Interlocked.Add(ref _bytes, bytes);
            Interlocked.Add(ref folder.Bytes, bytes);
        }
        _parent?.Record(result, sourceMailboxId, folderPath, bytes);
    }

    public void RecordResolved()
    {
        Interlocked.Increment(ref _resolved);
        _parent?.RecordResolved();
    }

    public void RecordDeleted()
    {
        Interlocked.Increment(ref _deleted);
        _parent?.RecordDeleted();
    }

    /// <summary>Items per second over the run so far.</summary>
    public double Rate(DateTimeOffset now)
    {
        var seconds = (now - StartTime).TotalSeconds;
        return seconds <= 0 ? 0 : (Copied + Updated + Skipped + Failed) / seconds;
    }

    public ExTransferSummary Summary(string status, string? journalPath, IReadOnlyList<ExTransferPairSummary>? pairs = null) => new()
    {
        Status = status,
        Copied = Copied,
        Updated = Updated,
        Skipped = Skipped,
        Failed = Failed,
        Retried = Meter.Retries,
        Resolved = Resolved,
        Bytes = Bytes,
        StartTime = StartTime,
        EndTime = DateTimeOffset.UtcNow,
        ThrottledTime = Meter.ThrottledTime,
        JournalPath = journalPath,
        Folders = _folders.OrderBy(f => f.Key.Mailbox, StringComparer.OrdinalIgnoreCase).ThenBy(f => f.Key.Folder, StringComparer.OrdinalIgnoreCase)
            .Select(f => new ExTransferFolderSummary
            {
                SourceMailboxId = f.Key.Mailbox,
                FolderPath = f.Key.Folder,
                Copied = f.Value.Copied,
                Updated = f.Value.Updated,
                Skipped = f.Value.Skipped,
                Failed = f.Value.Failed,
                Bytes = f.Value.Bytes,
            }).ToList(),
        Pairs = pairs ?? Array.Empty<ExTransferPairSummary>(),
    };

    private sealed class FolderCounts
    {
        public int Copied, Updated, Skipped, Failed;
        public long Bytes;
    }
}
