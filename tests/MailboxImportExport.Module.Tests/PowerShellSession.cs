using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using MailboxImportExport.ExampleRunner;

namespace MailboxImportExport.Module.Tests;

/// <summary>What one pipeline produced, stream by stream, plus what the host rendered.</summary>
public sealed class RunResult
{
    public required IReadOnlyList<PSObject> Output { get; init; }
    public required IReadOnlyList<ErrorRecord> Errors { get; init; }
    public required IReadOnlyList<string> Verbose { get; init; }
    public required IReadOnlyList<string> Debug { get; init; }
    public required IReadOnlyList<string> Warnings { get; init; }
    /// <summary>The information stream: Write-Information, and what cmdlets show the user through the host (PSHOST).</summary>
    public required IReadOnlyList<string> Information { get; init; }
    public required IReadOnlyList<ProgressRecord> Progress { get; init; }
    public required string HostText { get; init; }

    /// <summary>Everything a user or a log could ever see of this run, for secret scans.</summary>
    public string AllText => string.Join("\n", Output.Select(Describe)
        .Concat(Errors.Select(e => $"{e} {e.FullyQualifiedErrorId} {e.TargetObject} {e.ErrorDetails} {e.Exception}"))
        .Concat(Verbose).Concat(Debug).Concat(Warnings).Concat(Information).Append(HostText));

    public override string ToString() => AllText;

    private static string Describe(PSObject o) =>
        o + " " + string.Join(" ", o.Properties.Select(p => { try { return $"{p.Name}={p.Value}"; } catch (Exception e) { return e.Message; } }));
}

/// <summary>A script started by <see cref="PowerShellSession.Start"/>.</summary>
public sealed class RunningScript : IDisposable
{
    private readonly PowerShell _ps;

    internal RunningScript(PowerShell ps, Task<RunResult> result)
    {
        _ps = ps;
        Result = result;
    }

    public Task<RunResult> Result { get; }

    public void Stop() => _ps.Stop();

    public void Dispose() => _ps.Dispose();
}

/// <summary>A runspace of the real PowerShell engine with the module imported, rendering to a text host.</summary>
public sealed class PowerShellSession : IDisposable
{
    private readonly StringWriter _hostOutput = new();
    private readonly Runspace _runspace;

    /// <param name="hostWidth">Columns of the host's console, as an SSH window or a wide terminal has.</param>
    public PowerShellSession(bool importModule = true, int hostWidth = 120)
    {
        _runspace = RunspaceFactory.CreateRunspace(new TextHost(_hostOutput, hostWidth), InitialSessionState.CreateDefault2());
        _runspace.Open();
        if (importModule)
        {
            var import = Run("Import-Module $args[0] -ErrorAction Stop", ModuleUnderTest.ManifestPath);
            if (import.Errors.Count > 0) throw new InvalidOperationException("Import-Module failed: " + import.Errors[0]);
        }
    }

    public Runspace Runspace => _runspace;

    /// <summary>Runs a script; its arguments arrive as $args. Terminating errors are captured as errors, not thrown.</summary>
    public RunResult Run(string script, params object[] arguments)
    {
        using var ps = PowerShell.Create(_runspace);
        ps.AddScript(script);
        foreach (var argument in arguments) ps.AddArgument(argument);
        return Invoke(ps);
    }

    /// <summary>
    /// Starts a script without waiting, for tests that act while it runs (approve a sign-in, press Ctrl+C):
    /// <see cref="RunningScript.Stop"/> is what Ctrl+C does at a console.
    /// </summary>
    public RunningScript Start(string script, params object[] arguments)
    {
        var ps = PowerShell.Create(_runspace);
        ps.AddScript(script);
        foreach (var argument in arguments) ps.AddArgument(argument);
        return new RunningScript(ps, Task.Run(() => Invoke(ps)));
    }

    /// <summary>Runs a script and renders its output through Out-Default, as the console would show it.</summary>
    public RunResult Render(string script, params object[] arguments) => Run($"& {{ {script} }} @args | Out-Default", arguments);

    public RunResult Invoke(PowerShell ps)
    {
        var start = _hostOutput.GetStringBuilder().Length;
        var output = new List<PSObject>();
        try
        {
            output.AddRange(ps.Invoke());
        }
        catch (RuntimeException e)
        {
            ps.Streams.Error.Add(e.ErrorRecord);
        }
        return new RunResult
        {
            Output = output,
            Errors = ps.Streams.Error.ToList(),
            Verbose = ps.Streams.Verbose.Select(v => v.Message).ToList(),
            Debug = ps.Streams.Debug.Select(d => d.Message).ToList(),
            Warnings = ps.Streams.Warning.Select(w => w.Message).ToList(),
            Information = ps.Streams.Information.Select(i => i.MessageData?.ToString() ?? "").ToList(),
            Progress = ps.Streams.Progress.ToList(),
            HostText = _hostOutput.GetStringBuilder().ToString(start, _hostOutput.GetStringBuilder().Length - start),
        };
    }

    public void Dispose() => _runspace.Dispose();
}
