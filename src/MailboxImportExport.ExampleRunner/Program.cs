using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;
using MailboxImportExport.Emulator;
using MailboxImportExport.ExampleRunner;
using MailboxImportExport.Packaging.Layout;

// The README's "main job": lay out the built module, start an emulator with the demo tenant, and run
// examples/*.ps1 (or the scripts named on the command line) through the real PowerShell engine.
if (args.Any(a => a is "-h" or "--help" or "-?"))
{
    Console.WriteLine("Usage: dotnet run --project src/MailboxImportExport.ExampleRunner [-- [--emulator <url>] <script.ps1> ...]");
    Console.WriteLine("Runs examples/*.ps1 (or the given scripts) with the module imported, each with -Emulator <url>:");
    Console.WriteLine("a fresh demo emulator, or with --emulator one that is already running.");
    return 0;
}

Uri? existingEmulator = null;
var emulatorOption = Array.IndexOf(args, "--emulator");
if (emulatorOption >= 0)
{
    if (emulatorOption + 1 >= args.Length || !Uri.TryCreate(args[emulatorOption + 1], UriKind.Absolute, out existingEmulator))
    {
        Console.Error.WriteLine("--emulator needs the emulator's base URL, e.g. --emulator https://127.0.0.1:5123/");
        return 2;
    }
    args = args.Where((_, i) => i != emulatorOption && i != emulatorOption + 1).ToArray();
}

var repoRoot = RepositoryRoot.Find(AppContext.BaseDirectory);
var configuration = Assembly.GetExecutingAssembly().GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
var scripts = args.Length > 0
    ? args.Select(Path.GetFullPath).ToArray()
    : Directory.GetFiles(Path.Combine(repoRoot, "examples"), "*.ps1").OrderBy(p => p, StringComparer.Ordinal).ToArray();
var missing = scripts.Where(s => !File.Exists(s)).ToArray();
if (missing.Length > 0)
{
    Console.Error.WriteLine($"No such script: {string.Join(", ", missing)}");
    return 2;
}

var moduleFolder = ModuleLayout.Create(new ModuleLayoutOptions
{
    RepoRoot = repoRoot,
    Configuration = configuration,
    OutputRoot = Path.Combine(repoRoot, "out"),
});
await using var startedEmulator = existingEmulator is null ? await EmulatorServer.StartAsync(new EmulatorOptions { Seed = "demo" }) : null;
var emulatorUri = existingEmulator ?? startedEmulator!.BaseUri;
Console.WriteLine($"Module:   {moduleFolder}");
Console.WriteLine($"Emulator: {emulatorUri}{(startedEmulator is null ? "" : " (demo tenant)")}");

// Colour table headers as pwsh does on a terminal; plain text when the output goes to a file or a pipe.
var host = new TextHost(Console.Out, supportsColor: !Console.IsOutputRedirected);
using var runspace = RunspaceFactory.CreateRunspace(host, InitialSessionState.CreateDefault2());
runspace.Open();
using (var import = PowerShell.Create(runspace))
{
    import.AddCommand("Import-Module").AddParameter("Name", Path.Combine(moduleFolder, "MailboxImportExport.psd1")).AddParameter("ErrorAction", "Stop");
    import.Invoke();
}

var failures = 0;
foreach (var script in scripts)
{
    Console.WriteLine();
    Console.WriteLine($"PS> {Path.GetRelativePath(repoRoot, script)} -Emulator {emulatorUri}");
    using var ps = PowerShell.Create(runspace);
    // As pwsh does at the prompt: errors are rendered by Out-Default along with the output.
    ps.AddCommand(script).AddParameter("Emulator", emulatorUri);
    ps.Commands.Commands[0].MergeMyResults(PipelineResultTypes.Error, PipelineResultTypes.Output);
    ps.AddCommand("Out-Default");
    try
    {
        ps.Invoke();
    }
    catch (RuntimeException e)
    {
        failures++;
        Console.WriteLine($"{Path.GetFileName(script)} failed: {e.ErrorRecord}");
    }
}

return failures == 0 ? 0 : 1;
