namespace MailboxImportExport.Emulator.Hosting;

/// <summary>
/// The service's clock: the machine's plus a skew (exactly-once-notes §6.7). Item times, session expiry, error dates
/// and the Date header read it, so a client that estimates the service's time from Date sees a consistent service.
/// </summary>
internal sealed class ServiceClock : TimeProvider
{
    private long _skewTicks;

    public TimeSpan Skew
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _skewTicks));
        set => Interlocked.Exchange(ref _skewTicks, value.Ticks);
    }

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Skew;
}
