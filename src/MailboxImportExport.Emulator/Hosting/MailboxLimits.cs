using System.Diagnostics;
using MailboxImportExport.Emulator.Graph;

namespace MailboxImportExport.Emulator.Hosting;

/// <summary>
/// Outlook's limits per app and mailbox (graph-api-notes §8.2), one lane per (app, mailbox): requests in flight
/// (MailboxConcurrency), requests per window (RequestRate) and request-body bytes per window (IncomingBytes). Also
/// what tests observe: the most requests ever in flight in each lane, and how often each limit answered 429.
/// Windows slide and run on a monotonic clock, so a skewed service clock does not move them.
/// </summary>
internal sealed class MailboxLimits
{
    private sealed class Lane
    {
        public int InFlight;
        public int MaxInFlight;
        public readonly Queue<long> Requests = new();
        public readonly Queue<(long Time, long Bytes)> Uploads = new();
        public long UploadedBytes;
    }

    private readonly Dictionary<EmulatorLane, Lane> _lanes = new();
    private readonly Dictionary<string, int> _throttled = new(StringComparer.Ordinal);

    /// <summary>
    /// Admits a request into its lane, or throws 429 ApplicationThrottled naming the limit it is over, with the
    /// Retry-After that would admit it. Requests refused are not counted against the rate or byte windows. A single
    /// body larger than the whole byte budget passes once the window is empty (it could never pass otherwise).
    /// </summary>
    public IDisposable Admit(EmulatorLane key, long uploadBytes, int? concurrencyLimit, EmulatorRateLimit? requestLimit, EmulatorRateLimit? uploadLimit)
    {
        var now = Stopwatch.GetTimestamp();
        lock (_lanes)
        {
            if (!_lanes.TryGetValue(key, out var lane)) _lanes[key] = lane = new Lane();
            if (concurrencyLimit is { } maxInFlight && lane.InFlight >= maxInFlight)
            {
                // Not time-based: a slot frees when one of the app's requests for the mailbox ends.
                throw Throttle("MailboxConcurrency", 1);
            }
            if (requestLimit is { } rate)
            {
                while (lane.Requests.Count > 0 && Elapsed(lane.Requests.Peek(), now) >= rate.Window) lane.Requests.Dequeue();
                if (lane.Requests.Count >= rate.Amount)
                {
                    throw Throttle("RequestRate", SecondsUntil(lane.Requests.ElementAt((int)(lane.Requests.Count - rate.Amount)), rate.Window, now));
                }
            }
            if (uploadLimit is { } bytes && uploadBytes > 0)
            {
                while (lane.Uploads.Count > 0 && Elapsed(lane.Uploads.Peek().Time, now) >= bytes.Window) lane.UploadedBytes -= lane.Uploads.Dequeue().Bytes;
                if (lane.UploadedBytes > 0 && lane.UploadedBytes + uploadBytes > bytes.Amount)
                {
                    throw Throttle("IncomingBytes", SecondsUntilRoomFor(lane, uploadBytes, bytes, now));
                }
            }
            lane.Requests.Enqueue(now);
            if (uploadBytes > 0)
            {
                lane.Uploads.Enqueue((now, uploadBytes));
                lane.UploadedBytes += uploadBytes;
            }
            lane.InFlight++;
            lane.MaxInFlight = Math.Max(lane.MaxInFlight, lane.InFlight);
            // Without a rate limit the queue would only grow.
            if (requestLimit is null) lane.Requests.Clear();
            if (uploadLimit is null) { lane.Uploads.Clear(); lane.UploadedBytes = 0; }
            return new Slot(this, lane);
        }
    }

    private GraphException Throttle(string limit, double retryAfterSeconds)
    {
        _throttled[limit] = _throttled.GetValueOrDefault(limit) + 1;
        return GraphException.ApplicationThrottled(limit, retryAfterSeconds);
    }

    private static TimeSpan Elapsed(long from, long now) => Stopwatch.GetElapsedTime(from, now);

    // Retry-After as Graph writes it: seconds, fractional to the millisecond, never below one millisecond.
    private static double SecondsUntil(long start, TimeSpan window, long now) =>
        Math.Max(0.001, Math.Ceiling((window - Elapsed(start, now)).TotalMilliseconds) / 1000);

    private static double SecondsUntilRoomFor(Lane lane, long uploadBytes, EmulatorRateLimit limit, long now)
    {
        var remaining = lane.UploadedBytes;
        foreach (var (time, bytes) in lane.Uploads)
        {
            remaining -= bytes;
            if (remaining == 0 || remaining + uploadBytes <= limit.Amount) return SecondsUntil(time, limit.Window, now);
        }
        return SecondsUntil(now, limit.Window, now);
    }

    /// <summary>The most requests seen in flight at once, per (app, mailbox) lane.</summary>
    public IReadOnlyDictionary<EmulatorLane, int> MaxInFlight()
    {
        lock (_lanes) return _lanes.Where(l => l.Value.MaxInFlight > 0).ToDictionary(l => l.Key, l => l.Value.MaxInFlight);
    }

    /// <summary>429s answered so far, by limit name.</summary>
    public IReadOnlyDictionary<string, int> Throttled()
    {
        lock (_lanes) return new Dictionary<string, int>(_throttled, StringComparer.Ordinal);
    }

    /// <summary>Forgets the observed maxima and throttle counts (not the windows: the service would not forget them).</summary>
    public void ResetObservations()
    {
        lock (_lanes)
        {
            foreach (var lane in _lanes.Values) lane.MaxInFlight = lane.InFlight;
            _throttled.Clear();
        }
    }

    private void Leave(Lane lane)
    {
        lock (_lanes) lane.InFlight--;
    }

    private sealed class Slot(MailboxLimits owner, Lane lane) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) owner.Leave(lane);
        }
    }
}
