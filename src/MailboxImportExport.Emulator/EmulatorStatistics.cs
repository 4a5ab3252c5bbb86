namespace MailboxImportExport.Emulator;

/// <summary>The unit Outlook's limits count in: one app's requests for one mailbox.</summary>
public readonly record struct EmulatorLane(string AppId, string MailboxId);

/// <summary>At most <see cref="Amount"/> (requests, or bytes) in any <see cref="Window"/>.</summary>
public sealed record EmulatorRateLimit
{
    public EmulatorRateLimit(long amount, TimeSpan window)
    {
        if (amount <= 0) throw new ArgumentOutOfRangeException(nameof(amount), "A limit allows at least one.");
        if (window <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(window), "A window lasts longer than zero.");
        Amount = amount;
        Window = window;
    }

    public long Amount { get; }
    public TimeSpan Window { get; }

    /// <summary>Outlook's request budget: 10,000 requests per 10 minutes per app and mailbox.</summary>
    public static EmulatorRateLimit OutlookRequests { get; } = new(10_000, TimeSpan.FromMinutes(10));

    /// <summary>Outlook's upload budget: 150 MB (taken as 150 × 2^20 bytes) of request bodies per 5 minutes per app and mailbox.</summary>
    public static EmulatorRateLimit OutlookUploadBytes { get; } = new(150L * 1024 * 1024, TimeSpan.FromMinutes(5));

    /// <summary>The sustained rate the limit allows, per second.</summary>
    public double PerSecond => Amount / Window.TotalSeconds;
}

/// <summary>
/// What the emulator counted since it started (or since <see cref="EmulatorControl.ResetStatistics"/>): what tests
/// assert exactly-once and throttling outcomes with.
/// </summary>
public sealed record EmulatorStatistics
{
    /// <summary>Faults handed out, by <see cref="EmulatorFault.Name"/>.</summary>
    public required IReadOnlyDictionary<string, int> FaultsInjected { get; init; }

    /// <summary>429s answered by the enforced limits, by limit: MailboxConcurrency, RequestRate, IncomingBytes.</summary>
    public required IReadOnlyDictionary<string, int> Throttled { get; init; }

    /// <summary>The most requests in flight at once in each (app, mailbox) lane.</summary>
    public required IReadOnlyDictionary<EmulatorLane, int> MaxInFlight { get; init; }

    /// <summary>Items created by imports (create mode), per target folder id; late commits count when they land.</summary>
    public required IReadOnlyDictionary<string, int> ImportsCreated { get; init; }

    /// <summary>Items overwritten by imports (update mode), per folder id.</summary>
    public required IReadOnlyDictionary<string, int> ImportsUpdated { get; init; }

    /// <summary>Late commits answered 504 and not carried out yet.</summary>
    public int LateCommitsPending { get; init; }

    /// <summary>Late commits carried out (whatever their outcome).</summary>
    public int LateCommitsLanded { get; init; }

    /// <summary>Every item created by import, all folders together.</summary>
    public int TotalImportsCreated => ImportsCreated.Values.Sum();

    /// <summary>The highest <see cref="MaxInFlight"/> of any lane (0 before any mailbox request).</summary>
    public int MaxInFlightAnyLane => MaxInFlight.Count == 0 ? 0 : MaxInFlight.Values.Max();
}
