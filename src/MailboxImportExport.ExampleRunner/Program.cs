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
    Console.WriteLine("Usage: dotnet run --project src/MailboxImportExport.ExampleRunner [-- <script.ps1> ...]");
    Console.WriteLine("Runs examples/*.ps1 (or the given scripts) with the module imported, each with -Emulator <url> of a fresh demo emulator.");
    return 0;
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
await using var emulator = await EmulatorServer.StartAsync(new EmulatorOptions { Seed = "demo" });
Console.WriteLine($"Module:   {moduleFolder}");
Console.WriteLine($"Emulator: {emulator.BaseUri} (demo tenant)");

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
    Console.WriteLine($"PS> {Path.GetRelativePath(repoRoot, script)} -Emulator {emulator.BaseUri}");
    using var ps = PowerShell.Create(runspace);
    // As pwsh does at the prompt: errors are rendered by Out-Default along with the output.
    ps.AddCommand(script).AddParameter("Emulator", emulator.BaseUri);
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
