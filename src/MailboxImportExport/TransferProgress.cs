using System.Diagnostics;
using System.Management.Automation;

namespace MailboxImportExport;

/// <summary>
/// Write-Progress for a transfer whose total is not known up front (items stream in): counts, bytes and rate,
/// refreshed at most a few times a second, and always closed with a Completed record so no bar is left behind.
/// </summary>
internal sealed class TransferProgress
{
    private readonly Cmdlet _cmdlet;
    private readonly string _activity;
    private readonly int _activityId;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan? _lastShown;
    private bool _shown;

    public TransferProgress(Cmdlet cmdlet, string activity, int activityId)
    {
        _cmdlet = cmdlet;
        _activity = activity;
        _activityId = activityId;
    }

    public int Succeeded { get; private set; }
    public int Failed { get; private set; }
    public int Skipped { get; private set; }
    public long Bytes { get; private set; }

    public void Success(long bytes, string? current) { Succeeded++; Bytes += bytes; Show(current); }
    public void Failure(string? current) { Failed++; Show(current); }
    public void Skip(string? current) { Skipped++; Show(current); }

    private void Show(string? current)
    {
        if (_lastShown is { } last && _clock.Elapsed - last < TimeSpan.FromMilliseconds(250)) return;
        _lastShown = _clock.Elapsed;
        var seconds = Math.Max(_clock.Elapsed.TotalSeconds, 0.001);
        var record = new ProgressRecord(_activityId, _activity,
            $"{Succeeded} done, {Skipped} skipped, {Failed} failed; {Bytes / 1048576.0:0.0} MiB at {Succeeded / seconds:0.0} items/s")
        {
            CurrentOperation = current ?? string.Empty,
        };
        _cmdlet.WriteProgress(record);
        _shown = true;
    }

    public string Summary => $"{Succeeded} done, {Skipped} skipped, {Failed} failed, {Bytes:N0} bytes in {_clock.Elapsed.TotalSeconds:0.0} s.";

    public void Complete()
    {
        if (!_shown) return;
        _cmdlet.WriteProgress(new ProgressRecord(_activityId, _activity, "Done") { RecordType = ProgressRecordType.Completed });
        _shown = false;
    }
}
