using System.Diagnostics;

namespace MailboxImportExport.Module.Tests;

/// <summary>What a script run in a separate process printed, and how it ended.</summary>
public sealed record ScriptProcessResult(int ExitCode, string Output, string Error)
{
    public string AllText => Output + "\n" + Error;
}

/// <summary>
/// Runs a script in a new process through the example runner (a text PowerShell host with the module imported),
/// against an emulator that is already running: what a second PowerShell window or a scheduled task would do.
/// </summary>
public static class ScriptProcess
{
    public static ScriptProcessResult Run(Uri emulator, string scriptPath, IReadOnlyDictionary<string, string>? environment = null)
    {
        var runner = Path.Combine(AppContext.BaseDirectory, "MailboxImportExport.ExampleRunner.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { runner, "--emulator", emulator.ToString(), scriptPath }) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return new ScriptProcessResult(process.ExitCode, output, error.Result);
    }
}
