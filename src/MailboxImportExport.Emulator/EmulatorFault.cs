using System.Globalization;

namespace MailboxImportExport.Emulator;

/// <summary>What an injected fault does to the request it hits.</summary>
public enum EmulatorFaultKind
{
    /// <summary>An error status before the request is carried out: nothing is committed.</summary>
    Status,

    /// <summary>The request is carried out (an import commits its item), then its answer is replaced by an error status.</summary>
    StatusAfterCommit,

    /// <summary>The connection is reset before the request is carried out: no response, nothing committed.</summary>
    Drop,

    /// <summary>The request is carried out, then the connection is reset: no response, but the work is committed.</summary>
    DropAfterCommit,

    /// <summary>504 at once; the request is carried out later (a commit that lands after the client gave up).</summary>
    LateCommit,

    /// <summary>
    /// 401: the credential the request came with has expired (the import session of an importUrl, the bearer token of a
    /// Graph call), for this and every later request that uses it. Nothing is committed.
    /// </summary>
    ExpiredCredential,
}

/// <summary>
/// One injected fault, as <see cref="EmulatorControl.InjectNext(int, Func{EmulatorRequestInfo, bool}, EmulatorFault)"/>
/// and the fault mix (<see cref="EmulatorFaultMix"/>) use it. Its <see cref="Name"/> is what the command line and the
/// counters call it: <c>429</c>, <c>503</c>, <c>504</c>, <c>503-after-commit</c>, <c>504-after-commit</c>,
/// <c>drop</c>, <c>drop-after-commit</c>, <c>late-commit</c>, <c>401</c>.
/// </summary>
public sealed record EmulatorFault
{
    private EmulatorFault(EmulatorFaultKind kind, int statusCode, double? retryAfterSeconds, TimeSpan delay)
    {
        Kind = kind;
        StatusCode = statusCode;
        RetryAfterSeconds = retryAfterSeconds;
        Delay = delay;
    }

    public EmulatorFaultKind Kind { get; }

    /// <summary>The status answered (0 for dropped connections).</summary>
    public int StatusCode { get; }

    /// <summary>Retry-After of the answer, in seconds; 429 and 503 always carry one (1 second unless given).</summary>
    public double? RetryAfterSeconds { get; }

    /// <summary>For <see cref="EmulatorFaultKind.LateCommit"/>: how long after the 504 the request is carried out.</summary>
    public TimeSpan Delay { get; }

    /// <summary>The default delay of a late commit.</summary>
    public static readonly TimeSpan DefaultLateCommitDelay = TimeSpan.FromSeconds(2);

    /// <summary>
    /// An error status before any work: 429 (TooManyRequests), 503 (serviceNotAvailable), 504 (gatewayTimeout) or any
    /// other error status, with Graph's error body.
    /// </summary>
    public static EmulatorFault Status(int statusCode, double? retryAfterSeconds = null)
    {
        if (statusCode is < 400 or > 599) throw new ArgumentOutOfRangeException(nameof(statusCode), "Faults are HTTP error statuses (400-599).");
        return new(EmulatorFaultKind.Status, statusCode, retryAfterSeconds, TimeSpan.Zero);
    }

    /// <summary>The request is carried out, then answered with <paramref name="statusCode"/> (503 or 504 as a front end would).</summary>
    public static EmulatorFault StatusAfterCommit(int statusCode, double? retryAfterSeconds = null)
    {
        if (statusCode is < 500 or > 599) throw new ArgumentOutOfRangeException(nameof(statusCode), "An answer lost after the commit is a 5xx status.");
        return new(EmulatorFaultKind.StatusAfterCommit, statusCode, retryAfterSeconds, TimeSpan.Zero);
    }

    /// <summary>The connection is reset before the request is carried out.</summary>
    public static EmulatorFault Drop() => new(EmulatorFaultKind.Drop, 0, null, TimeSpan.Zero);

    /// <summary>The request is carried out, then the connection is reset without an answer.</summary>
    public static EmulatorFault DropAfterCommit() => new(EmulatorFaultKind.DropAfterCommit, 0, null, TimeSpan.Zero);

    /// <summary>504 now; the request is carried out <paramref name="delay"/> later (default 2 seconds).</summary>
    public static EmulatorFault LateCommit(TimeSpan? delay = null)
    {
        var after = delay ?? DefaultLateCommitDelay;
        if (after < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(delay));
        return new(EmulatorFaultKind.LateCommit, 504, null, after);
    }

    /// <summary>401: the request's import session (or bearer token) expires now.</summary>
    public static EmulatorFault ExpiredCredential() => new(EmulatorFaultKind.ExpiredCredential, 401, null, TimeSpan.Zero);

    /// <summary>The fault's name on the command line and in <see cref="EmulatorStatistics.FaultsInjected"/>.</summary>
    public string Name => Kind switch
    {
        EmulatorFaultKind.Status => StatusCode.ToString(CultureInfo.InvariantCulture),
        EmulatorFaultKind.StatusAfterCommit => $"{StatusCode.ToString(CultureInfo.InvariantCulture)}-after-commit",
        EmulatorFaultKind.Drop => "drop",
        EmulatorFaultKind.DropAfterCommit => "drop-after-commit",
        EmulatorFaultKind.LateCommit => "late-commit",
        _ => "401",
    };

    /// <summary>Whether the request is carried out (now or later) although the client gets no success answer.</summary>
    public bool Commits => Kind is EmulatorFaultKind.StatusAfterCommit or EmulatorFaultKind.DropAfterCommit or EmulatorFaultKind.LateCommit;

    /// <summary>
    /// A fault by its command-line name; <paramref name="lateCommitDelay"/> is the delay of <c>late-commit</c>.
    /// Throws <see cref="FormatException"/> naming the known faults.
    /// </summary>
    public static EmulatorFault Parse(string name, TimeSpan? lateCommitDelay = null)
    {
        var text = name.Trim().ToLowerInvariant();
        switch (text)
        {
            case "drop": return Drop();
            case "drop-after-commit": return DropAfterCommit();
            case "late-commit": return LateCommit(lateCommitDelay);
            case "401": return ExpiredCredential();
        }
        const string afterCommit = "-after-commit";
        var after = text.EndsWith(afterCommit, StringComparison.Ordinal);
        var digits = after ? text[..^afterCommit.Length] : text;
        if (int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var status)
            && (after ? status is >= 500 and <= 599 : status is >= 400 and <= 599 && status != 401))
        {
            return after ? StatusAfterCommit(status) : Status(status);
        }
        throw new FormatException(
            $"Unknown fault '{name}': use 429, 503, 504 (or another 4xx/5xx status), 503-after-commit, 504-after-commit, drop, drop-after-commit, late-commit or 401.");
    }
}
