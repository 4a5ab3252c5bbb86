using System.Diagnostics;

namespace MailboxImportExport.Module.Tests;

/// <summary>What a script run in a separate process printed, and how it ended.</summary>
public sealed record ScriptProcessResult(int ExitCode, string Output, string Error)
{
    public string AllText => Output + "\n" + Error;
}

/// <summary>Runs a script in a new process: what a second PowerShell window or a scheduled task would do.</summary>
public static class ScriptProcess
{
    /// <summary>The bare test host's build output: PowerShell and nothing of the module, nor of the engine.</summary>
    public static string BareHostFolder { get; } = Path.Combine(ModuleUnderTest.RepoRoot, "tests", "MailboxImportExport.TestHost", "bin",
        ModuleUnderTest.BuildConfiguration, "net10.0");

    /// <summary>Runs the script through the example runner (a text PowerShell host with the module imported),
    /// against an emulator that is already running.</summary>
    public static ScriptProcessResult Run(Uri emulator, string scriptPath, IReadOnlyDictionary<string, string>? environment = null) =>
        Start(Path.Combine(AppContext.BaseDirectory, "MailboxImportExport.ExampleRunner.dll"), ["--emulator", emulator.ToString(), scriptPath], environment);

    /// <summary>Runs the script in the bare test host, which imports nothing: the script does, after whatever
    /// it loads first. Its arguments arrive as $args.</summary>
    public static ScriptProcessResult RunInBareHost(string scriptPath, params string[] arguments) =>
        RunInBareHost(scriptPath, arguments, environment: null);

    public static ScriptProcessResult RunInBareHost(string scriptPath, string[] arguments, IReadOnlyDictionary<string, string>? environment) =>
        Start(Path.Combine(BareHostFolder, "MailboxImportExport.TestHost.dll"), [scriptPath, .. arguments], environment);

    /// <summary>Starts the script in the bare test host and returns at once, for tests that kill the process midway.
    /// Its output is not read: write what the test needs to files.</summary>
    public static Process StartInBareHost(string scriptPath, params string[] arguments)
    {
        var start = StartInfo(Path.Combine(BareHostFolder, "MailboxImportExport.TestHost.dll"), [scriptPath, .. arguments], environment: null);
        start.RedirectStandardOutput = start.RedirectStandardError = false;
        return Process.Start(start)!;
    }

    private static ScriptProcessResult Start(string hostAssembly, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment)
    {
        using var process = Process.Start(StartInfo(hostAssembly, arguments, environment))!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return new ScriptProcessResult(process.ExitCode, output, error.Result);
    }

    private static ProcessStartInfo StartInfo(string hostAssembly, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments.Prepend(hostAssembly)) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        return start;
    }
}
