using System.Diagnostics;

namespace MailboxImportExport.Pester.Tests;

/// <summary>
/// pwsh as the repository's local .NET tool (.config/dotnet-tools.json pins PowerShell 7.6.10), restored by the
/// test run itself, once: a clean clone with only the .NET SDK needs no other step.
/// </summary>
public static class PowerShellTool
{
    private static readonly Lazy<string> Restored = new(Restore);

    /// <summary>Starts <c>dotnet pwsh -NoProfile -NonInteractive ARGUMENTS</c> in the repository root, where the
    /// tool manifest is found, with its output and error streams redirected.</summary>
    public static Process Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?> environment)
    {
        _ = Restored.Value;
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = ModuleUnderTest.RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var argument in new[] { "pwsh", "-NoProfile", "-NonInteractive" }.Concat(arguments)) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        // Plain text: no ANSI colours in what the test shows.
        start.Environment["NO_COLOR"] = "1";
        var process = Process.Start(start)!;
        process.StandardInput.Close();
        return process;
    }

    private static string Restore()
    {
        var start = new ProcessStartInfo("dotnet", ["tool", "restore"])
        {
            WorkingDirectory = ModuleUnderTest.RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet tool restore failed with exit code {process.ExitCode}:\n{output}\n{error.Result}");
        }
        return output;
    }
}
