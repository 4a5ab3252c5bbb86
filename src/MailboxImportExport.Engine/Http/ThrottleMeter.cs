namespace MailboxImportExport.Engine.Http;

/// <summary>
/// What one run spent waiting on the service's limits: pacing under the budgets and the waits the service asked
/// for (Retry-After). A run installs its meter with <see cref="Use"/>; it flows through every await of the run,
/// including work the run starts in the background, the way the engine's log does.
/// </summary>
public sealed class ThrottleMeter
{
    private static readonly AsyncLocal<ThrottleMeter?> Current = new();
    private long _throttledTicks;
    private int _retries;

    public TimeSpan ThrottledTime => TimeSpan.FromTicks(Interlocked.Read(ref _throttledTicks));
    /// <summary>Calls sent again after a 429/503/504 or a dropped connection.</summary>
    public int Retries => Volatile.Read(ref _retries);

    public static IDisposable Use(ThrottleMeter meter)
    {
        var previous = Current.Value;
        Current.Value = meter;
        return new Restore(previous);
    }

    internal static void AddThrottled(TimeSpan wait)
    {
        if (Current.Value is { } meter && wait > TimeSpan.Zero) Interlocked.Add(ref meter._throttledTicks, wait.Ticks);
    }

    internal static void AddRetry()
    {
        if (Current.Value is { } meter) Interlocked.Increment(ref meter._retries);
    }

    private sealed class Restore : IDisposable
    {
        private readonly ThrottleMeter? _previous;
        public Restore(ThrottleMeter? previous) => _previous = previous;
        public void Dispose() => Current.Value = _previous;
    }
}
