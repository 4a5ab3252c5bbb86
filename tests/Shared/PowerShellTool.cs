using System.Diagnostics;
using MailboxImportExport.Packaging.Layout;

namespace MailboxImportExport.Tests;

/// <summary>
/// pwsh as the repository's local .NET tool (.config/dotnet-tools.json pins PowerShell 7.6.10), restored by the
/// test run itself, once: a clean clone with only the .NET SDK needs no other step.
/// </summary>
public static class PowerShellTool
{
    private static readonly string RepoRoot = RepositoryRoot.Find(AppContext.BaseDirectory);
    private static readonly Lazy<string> Restored = new(() => ChildProcess.RunToSuccess(
        new ProcessStartInfo("dotnet", ["tool", "restore"]) { WorkingDirectory = RepoRoot }, TimeSpan.FromMinutes(10)));

    /// <summary>Runs <c>dotnet pwsh -NoProfile -NonInteractive ARGUMENTS</c> in the repository root, where the tool
    /// manifest is found, to its end.</summary>
    public static ChildProcessResult Run(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?> environment, TimeSpan timeout)
    {
        _ = Restored.Value;
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = RepoRoot };
        foreach (var argument in new[] { "pwsh", "-NoProfile", "-NonInteractive" }.Concat(arguments)) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        // Plain text: no ANSI colours in what the test shows.
        start.Environment["NO_COLOR"] = "1";
        return ChildProcess.Run(start, timeout);
    }
}
