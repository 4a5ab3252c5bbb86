namespace MailboxImportExport.Engine.Http;

/// <summary>
/// A budget of <c>limit</c> units (requests, bytes) per sliding <c>window</c>, as Outlook counts them. Usage is kept
/// in buckets of 1/600 of the window, and a bucket counts until its end has left the window: the budget is never
/// overspent, at the cost of up to one bucket's width of idle time. Not thread-safe: the lane locks around it.
/// </summary>
internal sealed class SlidingBudget
{
    private const int BucketsPerWindow = 600;

    private readonly long _limit;
    private readonly long _window;
    private readonly long _bucketWidth;
    private readonly LinkedList<Bucket> _buckets = new();
    private long _used;

    /// <param name="limit">Units allowed per window.</param>
    /// <param name="window">The window, in the same ticks as the times passed in.</param>
    public SlidingBudget(long limit, long window)
    {
        if (limit < 1) throw new ArgumentOutOfRangeException(nameof(limit), "A budget must allow at least one unit per window.");
        if (window < 1) throw new ArgumentOutOfRangeException(nameof(window), "The window must be positive.");
        _limit = limit;
        _window = window;
        _bucketWidth = Math.Max(1, window / BucketsPerWindow);
    }

    /// <summary>
    /// How long to wait before <paramref name="amount"/> units fit (zero: now). An amount larger than the whole
    /// budget goes as soon as nothing else is in the window, or it could never go.
    /// </summary>
    public long DelayFor(long amount, long now)
    {
        Expire(now);
        if (_used + amount <= _limit || _used == 0) return 0;
        // Oldest first: the first bucket whose expiry frees enough says how long to wait.
        var remaining = _used;
        foreach (var bucket in _buckets)
        {
            remaining -= bucket.Used;
            if (remaining + amount <= _limit || remaining == 0) return Math.Max(1, ExpiryOf(bucket) - now);
        }
        return 1;
    }

    public void Spend(long amount, long now)
    {
        if (amount <= 0) return;
        var start = now - now % _bucketWidth;
        if (_buckets.Last is { } last && last.Value.Start == start) last.Value.Used += amount;
        else _buckets.AddLast(new Bucket(start, amount));
        _used += amount;
    }

    private long ExpiryOf(Bucket bucket) => bucket.Start + _bucketWidth + _window;

    private void Expire(long now)
    {
        while (_buckets.First is { } first && ExpiryOf(first.Value) <= now)
        {
            _used -= first.Value.Used;
            _buckets.RemoveFirst();
        }
    }

    private sealed class Bucket
    {
        public Bucket(long start, long used)
        {
            Start = start;
            Used = used;
        }

        public long Start { get; }
        public long Used { get; set; }
    }
}
