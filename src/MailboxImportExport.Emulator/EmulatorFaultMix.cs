using System.Globalization;

namespace MailboxImportExport.Emulator;

/// <summary>
/// Faults by route, written as on the command line (<c>--faults</c>):
/// <code>
/// SPEC   = GROUP *(";" GROUP)
/// GROUP  = ROUTE ":" ENTRY *("," ENTRY)
/// ENTRY  = FAULT "=" (PERCENT "%" | COUNT)
/// </code>
/// ROUTE is a route name of <see cref="EmulatorRoutes"/> (import, export, session, items, folders, mailbox, settings,
/// identity, other) or <c>any</c>; FAULT an <see cref="EmulatorFault.Name"/>. A COUNT scripts the next COUNT requests of
/// that route (in the order written, before any percentage applies); a PERCENT is the chance that a request of that
/// route gets the fault. Example: <c>import:503-after-commit=10%,503=10%,drop-after-commit=5%;export:drop=1</c>.
/// The draws are reproducible: the n-th request of a group gets the same fault for the same <see cref="Seed"/>.
/// </summary>
public sealed class EmulatorFaultMix
{
    private EmulatorFaultMix(IReadOnlyList<Group> groups, IReadOnlyList<Scripted> scripted, int seed)
    {
        Groups = groups;
        ScriptedFaults = scripted;
        Seed = seed;
    }

    /// <summary>A route's random faults: each with its chance in percent (they add up to at most 100).</summary>
    public sealed record Group(string Route, IReadOnlyList<(EmulatorFault Fault, double Percent)> Faults);

    /// <summary>The next <see cref="Count"/> requests of a route get the fault.</summary>
    public sealed record Scripted(string Route, EmulatorFault Fault, int Count);

    public IReadOnlyList<Group> Groups { get; }
    public IReadOnlyList<Scripted> ScriptedFaults { get; }
    public int Seed { get; }

    /// <summary>
    /// Parses a spec (see the type's summary). <paramref name="lateCommitDelay"/> is the delay of <c>late-commit</c>.
    /// Throws <see cref="FormatException"/> with one line naming the problem.
    /// </summary>
    public static EmulatorFaultMix Parse(string spec, int seed = 1, TimeSpan? lateCommitDelay = null)
    {
        var groups = new List<Group>();
        var scripted = new List<Scripted>();
        foreach (var groupText in (spec ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = groupText.IndexOf(':');
            var route = colon < 0 ? "" : groupText[..colon].Trim().ToLowerInvariant();
            if (!EmulatorRoutes.Selectors.Contains(route))
            {
                throw new FormatException($"--faults: '{groupText}' must start with a route ({string.Join(", ", EmulatorRoutes.Selectors)}) and a colon.");
            }
            var faults = new List<(EmulatorFault, double)>();
            foreach (var entry in groupText[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var parts = entry.Split('=', 2, StringSplitOptions.TrimEntries);
                if (parts.Length != 2) throw new FormatException($"--faults: '{entry}' must be FAULT=PERCENT% or FAULT=COUNT, e.g. 503=10% or drop-after-commit=3.");
                var fault = EmulatorFault.Parse(parts[0], lateCommitDelay);
                if (parts[1].EndsWith('%'))
                {
                    if (!double.TryParse(parts[1][..^1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var percent) || percent is <= 0 or > 100)
                    {
                        throw new FormatException($"--faults: '{entry}' needs a percentage above 0 and at most 100.");
                    }
                    faults.Add((fault, percent));
                }
                else if (int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0)
                {
                    scripted.Add(new Scripted(route, fault, count));
                }
                else
                {
                    throw new FormatException($"--faults: '{entry}' needs a percentage (10%) or a count of requests (3).");
                }
            }
            if (faults.Sum(f => f.Item2) > 100) throw new FormatException($"--faults: the percentages for '{route}' add up to more than 100.");
            if (faults.Count > 0) groups.Add(new Group(route, faults));
        }
        if (groups.Count == 0 && scripted.Count == 0) throw new FormatException("--faults needs at least one ROUTE:FAULT=PERCENT% or ROUTE:FAULT=COUNT.");
        return new EmulatorFaultMix(groups, scripted, seed);
    }

    /// <summary>The fault (or none) the <paramref name="n"/>-th request of group <paramref name="groupIndex"/> draws.</summary>
    internal EmulatorFault? Draw(int groupIndex, long n)
    {
        var roll = Uniform(Seed, groupIndex, n) * 100;
        foreach (var (fault, percent) in Groups[groupIndex].Faults)
        {
            if (roll < percent) return fault;
            roll -= percent;
        }
        return null;
    }

    // SplitMix64 of (seed, group, n): a fixed number in [0, 1) per request index, whatever thread asks.
    private static double Uniform(int seed, int group, long n)
    {
        var z = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)group * 0xD1B54A32D192ED03UL + (ulong)n * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53));
    }

    public override string ToString() => string.Join(";", ScriptedFaults.Select(s => $"{s.Route}:{s.Fault.Name}={s.Count}")
        .Concat(Groups.Select(g => $"{g.Route}:" + string.Join(",", g.Faults.Select(f => $"{f.Fault.Name}={f.Percent.ToString(CultureInfo.InvariantCulture)}%")))));
}
