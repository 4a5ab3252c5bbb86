using System.Diagnostics;
using System.Management.Automation;
using MailboxImportExport.Engine.Transfer;

namespace MailboxImportExport;

/// <summary>
/// Write-Progress for a transfer: counts, bytes, rate, and once the totals are known a real percentage and the time
/// left. Reads the engine's <see cref="TransferCounters"/>, refreshed at most a few times a second from the pipeline
/// thread, and always closed with a Completed record so no bar is left behind.
/// </summary>
internal sealed class TransferProgress
{
    private readonly Cmdlet _cmdlet;
    private readonly string _activity;
    private readonly int _activityId;
    private readonly int _parentId;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan? _lastShown;
    private bool _shown;

    public TransferProgress(Cmdlet cmdlet, string activity, int activityId, TransferCounters counters, int parentId = -1)
    {
        _cmdlet = cmdlet;
        _activity = activity;
        _activityId = activityId;
        _parentId = parentId;
        Counters = counters;
    }

    public TransferCounters Counters { get; }

    /// <summary>Shows the current counts, unless shown less than a quarter of a second ago (or <paramref name="force"/>).</summary>
    public void Show(string? current = null, bool force = false)
    {
        if (!force && _lastShown is { } last && _clock.Elapsed - last < TimeSpan.FromMilliseconds(250)) return;
        _lastShown = _clock.Elapsed;
        _cmdlet.WriteProgress(Record(Counters, _activityId, _activity, current, _parentId));
        _shown = true;
    }

    /// <summary>A progress record for counters: percentage and time left when the expected total is known.</summary>
    public static ProgressRecord Record(TransferCounters counters, int activityId, string activity, string? current, int parentId = -1)
    {
        var done = counters.Finished;
        var rate = counters.Rate(DateTimeOffset.UtcNow);
        var expected = counters.Expected;
        var status = $"{counters.Copied} copied, {counters.Updated} updated, {counters.Skipped} skipped, {counters.Failed} failed" +
                     (expected >= 0 ? $" of {expected}" : "") + $"; {counters.Bytes / 1048576.0:0.0} MiB at {rate:0.0} items/s";
        var record = new ProgressRecord(activityId, activity, status)
        {
            CurrentOperation = current ?? string.Empty,
            ParentActivityId = parentId,
        };
        if (expected > 0)
        {
            record.PercentComplete = Math.Min(100, (int)(100L * done / expected));
            if (rate > 0 && expected > done) record.SecondsRemaining = (int)Math.Ceiling((expected - done) / rate);
        }
        return record;
    }

    public void Complete()
    {
        if (!_shown) return;
        _cmdlet.WriteProgress(new ProgressRecord(_activityId, _activity, "Done") { RecordType = ProgressRecordType.Completed, ParentActivityId = _parentId });
        _shown = false;
    }
}
