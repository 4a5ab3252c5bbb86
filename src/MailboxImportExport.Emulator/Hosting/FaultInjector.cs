using MailboxImportExport.Emulator.Graph;

namespace MailboxImportExport.Emulator.Hosting;

/// <summary>Queued failures: the next N requests a rule matches fail with its status and Graph's error body.</summary>
internal sealed class FaultInjector
{
    private sealed class Rule(Func<EmulatorRequestInfo, bool> matches, int remaining, int statusCode, double? retryAfterSeconds)
    {
        public Func<EmulatorRequestInfo, bool> Matches { get; } = matches;
        public int Remaining { get; set; } = remaining;
        public GraphException Error() => GraphException.Fault(statusCode, retryAfterSeconds);
    }

    private readonly List<Rule> _rules = new();

    public void Add(int count, Func<EmulatorRequestInfo, bool> matches, int statusCode, double? retryAfterSeconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        if (statusCode is < 400 or > 599) throw new ArgumentOutOfRangeException(nameof(statusCode), "Faults are HTTP error statuses.");
        lock (_rules) _rules.Add(new Rule(matches, count, statusCode, retryAfterSeconds));
    }

    /// <summary>The error for this request when a rule matches it (using up one of its failures), else null.</summary>
    public GraphException? TryTake(EmulatorRequestInfo request)
    {
        lock (_rules)
        {
            var rule = _rules.FirstOrDefault(r => r.Matches(request));
            if (rule is null) return null;
            if (--rule.Remaining == 0) _rules.Remove(rule);
            return rule.Error();
        }
    }
}
