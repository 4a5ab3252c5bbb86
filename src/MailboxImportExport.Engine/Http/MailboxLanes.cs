using System.Collections.Concurrent;
using System.Diagnostics;

namespace MailboxImportExport.Engine.Http;

/// <summary>
/// Outlook's limits per app and mailbox (graph-api-notes §8.2). A lane paces its calls to stay just under them
/// rather than react to 429s.
/// </summary>
public sealed class LaneLimits
{
    /// <summary>The service's 10,000 requests and 150 MB are spent to this fraction, so arrival jitter never tips a window over.</summary>
    internal const double Headroom = 0.98;

    /// <summary>
    /// A lane counts a request from when it lets it go, the service from when it arrives; arrivals spread by the network
    /// and the machine's load could put two requests a window apart here less than a window apart there. So each
    /// request counts for its window plus this margin: 5% of the window, at most a second.
    /// </summary>
    internal static TimeSpan MarginOf(TimeSpan window) => TimeSpan.FromTicks(Math.Min(TimeSpan.TicksPerSecond, window.Ticks / 20));

    /// <summary>Requests in flight at once per app and mailbox (Outlook: 4).</summary>
    public int MaxInFlight { get; set; } = 4;
    /// <summary>Requests per <see cref="RequestWindow"/> per app and mailbox (Outlook: 10,000 per 10 minutes).</summary>
    public int RequestsPerWindow { get; set; } = 10_000;
    public TimeSpan RequestWindow { get; set; } = TimeSpan.FromMinutes(10);
    /// <summary>Bytes uploaded (request bodies) per <see cref="UploadWindow"/> per app and mailbox (Outlook: 150 MB per 5 minutes).</summary>
    public long UploadBytesPerWindow { get; set; } = 150L * 1024 * 1024;
    public TimeSpan UploadWindow { get; set; } = TimeSpan.FromMinutes(5);

    internal void Validate()
    {
        if (MaxInFlight < 1) throw new ArgumentOutOfRangeException(nameof(MaxInFlight), "At least one request must be allowed in flight.");
        if (RequestsPerWindow < 1 || RequestWindow <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(RequestsPerWindow), "The request budget must be positive.");
        if (UploadBytesPerWindow < 1 || UploadWindow <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(UploadBytesPerWindow), "The upload budget must be positive.");
    }
}

/// <summary>Monotonic time and waiting, replaceable in tests.</summary>
public interface ILaneClock
{
    TimeSpan Now { get; }
    Task Delay(TimeSpan wait, CancellationToken ct);
}

internal sealed class SystemLaneClock : ILaneClock
{
    public static readonly SystemLaneClock Instance = new();
    private static readonly Stopwatch Clock = Stopwatch.StartNew();
    public TimeSpan Now => Clock.Elapsed;
    public Task Delay(TimeSpan wait, CancellationToken ct) => Task.Delay(wait, ct);
}

/// <summary>
/// The process-wide set of lanes, one per (app, mailbox): every call for a mailbox, from any command or runspace
/// of the process, passes through that mailbox's lane (<see cref="GraphClient"/> routes it there by its URL).
/// </summary>
public sealed class MailboxLanes
{
    private readonly ConcurrentDictionary<string, MailboxLane> _lanes = new(StringComparer.OrdinalIgnoreCase);
    private readonly LaneLimits _limits;
    private readonly ILaneClock _clock;

    public MailboxLanes(LaneLimits? limits = null, ILaneClock? clock = null)
    {
        _limits = limits ?? new LaneLimits();
        _limits.Validate();
        _clock = clock ?? SystemLaneClock.Instance;
    }

    /// <summary>The lanes every connection of the process shares unless its options name others.</summary>
    public static MailboxLanes Shared { get; } = new();

    public LaneLimits Limits => _limits;

    /// <summary>The lane of a mailbox for an app (the app's identity includes the service it signed in to).</summary>
    public MailboxLane For(string app, string mailboxId) =>
        _lanes.GetOrAdd(app + "\n" + mailboxId, _ => new MailboxLane(mailboxId, _limits, _clock));
}

/// <summary>
/// One (app, mailbox): at most <see cref="LaneLimits.MaxInFlight"/> calls at once, started no faster than the request
/// and upload budgets allow, and held back as a whole while the service asked this mailbox to wait (429/503).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "A lane lives as long as the process's lane registry, like its semaphore; nothing ever releases one early.")]
public sealed class MailboxLane
{
    private readonly LaneLimits _limits;
    private readonly ILaneClock _clock;
    private readonly SemaphoreSlim _slots;
    private readonly object _gate = new();
    private readonly SlidingBudget _requests;
    private readonly SlidingBudget _uploads;
    private TimeSpan _pausedUntil;
    private int _inFlight;
    private int _maxInFlight;

    internal MailboxLane(string mailboxId, LaneLimits limits, ILaneClock clock)
    {
        MailboxId = mailboxId;
        _limits = limits;
        _clock = clock;
        _slots = new SemaphoreSlim(limits.MaxInFlight, limits.MaxInFlight);
        _requests = new SlidingBudget(Math.Max(1, (long)(limits.RequestsPerWindow * LaneLimits.Headroom)), (limits.RequestWindow + LaneLimits.MarginOf(limits.RequestWindow)).Ticks);
        _uploads = new SlidingBudget(Math.Max(1, (long)(limits.UploadBytesPerWindow * LaneLimits.Headroom)), (limits.UploadWindow + LaneLimits.MarginOf(limits.UploadWindow)).Ticks);
    }

    public string MailboxId { get; }
    /// <summary>The most calls this lane has had in flight at once.</summary>
    public int MaxObservedInFlight => Volatile.Read(ref _maxInFlight);
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>
    /// Waits for a slot and for the budgets to allow one more request carrying <paramref name="uploadBytes"/>, then
    /// spends them. Dispose the lease when the response has been read. Time spent waiting for the service's
    /// budget (not for a slot) is added to the current <see cref="ThrottleMeter"/>.
    /// </summary>
    public async Task<IDisposable> AcquireAsync(long uploadBytes, CancellationToken ct)
    {
        await _slots.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            while (true)
            {
                TimeSpan wait;
                lock (_gate)
                {
                    var now = _clock.Now;
                    var ticks = Math.Max(Math.Max((_pausedUntil - now).Ticks, _requests.DelayFor(1, now.Ticks)),
                        _uploads.DelayFor(uploadBytes, now.Ticks));
                    if (ticks <= 0)
                    {
                        _requests.Spend(1, now.Ticks);
                        _uploads.Spend(uploadBytes, now.Ticks);
                        var inFlight = Interlocked.Increment(ref _inFlight);
                        if (inFlight > _maxInFlight) _maxInFlight = inFlight;
                        return new Lease(this);
                    }
                    wait = TimeSpan.FromTicks(ticks);
                }
                ThrottleMeter.AddThrottled(wait);
                await _clock.Delay(wait, ct).ConfigureAwait(false);
            }
        }
        catch
        {
            _slots.Release();
            throw;
        }
    }

    /// <summary>The service asked this mailbox to slow down: no call of the lane starts before <paramref name="wait"/> has passed.</summary>
    public void Defer(TimeSpan wait)
    {
        lock (_gate)
        {
            var until = _clock.Now + wait;
            if (until > _pausedUntil) _pausedUntil = until;
        }
    }

    private void Release()
    {
        Interlocked.Decrement(ref _inFlight);
        _slots.Release();
    }

    private sealed class Lease : IDisposable
    {
        private MailboxLane? _lane;
        public Lease(MailboxLane lane) => _lane = lane;
        public void Dispose() => Interlocked.Exchange(ref _lane, null)?.Release();
    }
}
