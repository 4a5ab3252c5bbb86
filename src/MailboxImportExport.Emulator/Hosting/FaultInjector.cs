namespace MailboxImportExport.Emulator.Hosting;

/// <summary>
/// Which fault, if any, a request gets: first the scripted rules (the next N requests a rule matches, oldest rule
/// first), then the random mix. Counts what it handed out, by fault name.
/// </summary>
internal sealed class FaultInjector
{
    private sealed class Rule(Func<EmulatorRequestInfo, bool> matches, int remaining, EmulatorFault fault)
    {
        public Func<EmulatorRequestInfo, bool> Matches { get; } = matches;
        public int Remaining { get; set; } = remaining;
        public EmulatorFault Fault { get; } = fault;
    }

    private sealed record Mix(EmulatorFaultMix Spec, long[] Drawn);

    private readonly List<Rule> _rules = new();
    private readonly Dictionary<string, int> _injected = new(StringComparer.Ordinal);
    private Mix? _mix;

    public void Add(int count, Func<EmulatorRequestInfo, bool> matches, EmulatorFault fault)
    {
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count));
        ArgumentNullException.ThrowIfNull(matches);
        ArgumentNullException.ThrowIfNull(fault);
        lock (_rules) _rules.Add(new Rule(matches, count, fault));
    }

    /// <summary>Queues the mix's scripted faults and makes its percentages apply from now on (replacing an earlier mix).</summary>
    public void SetMix(EmulatorFaultMix spec)
    {
        lock (_rules)
        {
            foreach (var scripted in spec.ScriptedFaults)
            {
                var route = scripted.Route;
                _rules.Add(new Rule(request => EmulatorRoutes.Matches(route, request.Route), scripted.Count, scripted.Fault));
            }
            _mix = new Mix(spec, new long[spec.Groups.Count]);
        }
    }

    public EmulatorFaultMix? CurrentMix
    {
        get
        {
            lock (_rules) return _mix?.Spec;
        }
    }

    /// <summary>Removes every scripted rule and the mix.</summary>
    public void Clear()
    {
        lock (_rules)
        {
            _rules.Clear();
            _mix = null;
        }
    }

    /// <summary>The fault for this request (using up one of a rule's requests, or drawing from the mix), else null.</summary>
    public EmulatorFault? TryTake(EmulatorRequestInfo request)
    {
        lock (_rules)
        {
            var fault = TakeScripted(request) ?? DrawFromMix(request);
            if (fault is not null) _injected[fault.Name] = _injected.GetValueOrDefault(fault.Name) + 1;
            return fault;
        }
    }

    private EmulatorFault? TakeScripted(EmulatorRequestInfo request)
    {
        var rule = _rules.FirstOrDefault(r => r.Matches(request));
        if (rule is null) return null;
        if (--rule.Remaining == 0) _rules.Remove(rule);
        return rule.Fault;
    }

    private EmulatorFault? DrawFromMix(EmulatorRequestInfo request)
    {
        if (_mix is not { } mix) return null;
        for (var i = 0; i < mix.Spec.Groups.Count; i++)
        {
            // The first group whose route matches decides, so "import:…;any:…" gives imports only the import group's odds.
            if (EmulatorRoutes.Matches(mix.Spec.Groups[i].Route, request.Route)) return mix.Spec.Draw(i, mix.Drawn[i]++);
        }
        return null;
    }

    public IReadOnlyDictionary<string, int> Injected()
    {
        lock (_rules) return new Dictionary<string, int>(_injected, StringComparer.Ordinal);
    }

    public void ResetCounts()
    {
        lock (_rules) _injected.Clear();
    }
}
