using System.Reflection;
using MailboxImportExport.Emulator;
using MailboxImportExport.Engine.Auth;

namespace MailboxImportExport.Module.Tests;

/// <summary>
/// The module beside another module's Microsoft.Identity.Client (Az and Microsoft.Graph load their own): each
/// test starts the bare test host, so the only assemblies loaded are the ones its script loads, in that order.
/// </summary>
/// <remarks>Without the private load context the same first script fails at Connect-ExMailboxService with a
/// FileLoadException for Microsoft.Identity.Client 4.92 (measured by importing the cmdlet assembly from a flat
/// folder); that failure is not asserted here, only the behaviour the module promises.</remarks>
public sealed class AssemblyIsolationTests : IClassFixture<EmulatorFixture>, IDisposable
{
    private const string ContextName = "MailboxImportExport";
    private readonly EmulatorFixture _emulator;
    private readonly string _scripts = Directory.CreateTempSubdirectory("mie-isolation-").FullName;

    public AssemblyIsolationTests(EmulatorFixture emulator) => _emulator = emulator;

    public void Dispose() => Directory.Delete(_scripts, recursive: true);

    private static string ConflictingMsal => Path.Combine(ScriptProcess.BareHostFolder, "ConflictingMsal", "Microsoft.Identity.Client.dll");

    private static Version VersionOf(string assemblyPath) => AssemblyName.GetAssemblyName(assemblyPath).Version!;

    private string Script(string name, string text)
    {
        var path = Path.Combine(_scripts, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void A_session_that_loaded_another_msal_first_imports_the_module_and_signs_in()
    {
        var script = Script("other-msal-first.ps1", """
            param([string] $ConflictingMsal, [string] $Manifest, [uri] $Emulator, [string] $Secret)
            $null = [System.Reflection.Assembly]::LoadFrom($ConflictingMsal)
            Import-Module $Manifest -ErrorAction Stop
            $secure = [System.Net.NetworkCredential]::new('', $Secret).SecurePassword
            Connect-ExMailboxService -Emulator $Emulator -ClientSecret $secure -PassThru -ErrorAction Stop | ForEach-Object { "CONNECTED $($_.AuthMethod)" }
            $mailbox = Get-ExMailbox alice@contoso.test -ErrorAction Stop
            "MAILBOX $($mailbox.UserId) $($mailbox -is [MailboxImportExport.Engine.Models.ExMailbox])"
            $exported = $mailbox | Get-ExMailboxFolder -WellKnownName inbox | Get-ExMailboxItem -First 1 | Export-ExMailboxItem -ErrorAction Stop
            "EXPORTED $([bool]$exported.Subject)"
            foreach ($assembly in [AppDomain]::CurrentDomain.GetAssemblies()) {
                if ($assembly.GetName().Name -in 'Microsoft.Identity.Client', 'MailboxImportExport.Engine', 'MailboxImportExport.Fts') {
                    'LOADED {0} {1} {2}' -f $assembly.GetName().Name, $assembly.GetName().Version, [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($assembly).Name
                }
            }
            """);

        var run = ScriptProcess.RunInBareHost(script, ConflictingMsal, ModuleUnderTest.ManifestPath, _emulator.BaseUri.ToString(), EmulatorDemoApp.ClientSecret);

        Assert.True(run.ExitCode == 0, run.AllText);
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains("CONNECTED ClientSecret", lines);
        Assert.Contains("MAILBOX alice@contoso.test True", lines);
        // The export read its subject with the FastTransfer codec, which loads beside the engine.
        Assert.Contains("EXPORTED True", lines);
        var dependencies = Path.Combine(ModuleUnderTest.ModuleFolder, "Dependencies");
        var moduleMsal = VersionOf(Path.Combine(dependencies, "Microsoft.Identity.Client.dll"));
        Assert.NotEqual(VersionOf(ConflictingMsal), moduleMsal);
        string[] expected =
        [
            $"LOADED MailboxImportExport.Engine {VersionOf(Path.Combine(dependencies, "MailboxImportExport.Engine.dll"))} {ContextName}",
            $"LOADED MailboxImportExport.Fts {VersionOf(Path.Combine(dependencies, "MailboxImportExport.Fts.dll"))} {ContextName}",
            $"LOADED Microsoft.Identity.Client {VersionOf(ConflictingMsal)} Default",
            $"LOADED Microsoft.Identity.Client {moduleMsal} {ContextName}",
        ];
        Assert.Equal(expected, lines.Where(line => line.StartsWith("LOADED ", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Runspaces_importing_the_module_at_the_same_time_share_one_load_context()
    {
        var script = Script("parallel-imports.ps1", """
            param([string] $Manifest, [uri] $Emulator)
            $runs = foreach ($i in 1..4) {
                $shell = [powershell]::Create([initialsessionstate]::CreateDefault2()).AddScript({
                    param($Manifest, $Emulator)
                    Import-Module $Manifest -ErrorAction Stop
                    Connect-ExMailboxService -Emulator $Emulator -ErrorAction Stop
                    (Get-ExMailbox alice@contoso.test -ErrorAction Stop).UserId
                }).AddArgument($Manifest).AddArgument($Emulator)
                [pscustomobject]@{ Shell = $shell; Handle = $shell.BeginInvoke() }
            }
            foreach ($run in $runs) { "RESULT $($run.Shell.EndInvoke($run.Handle))" }
            'CONTEXTS {0}' -f @([System.Runtime.Loader.AssemblyLoadContext]::All | Where-Object Name -eq 'MailboxImportExport').Count
            """);

        var run = ScriptProcess.RunInBareHost(script, ModuleUnderTest.ManifestPath, _emulator.BaseUri.ToString());

        Assert.True(run.ExitCode == 0, run.AllText);
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(Enumerable.Repeat("RESULT alice@contoso.test", 4), lines.Where(line => line.StartsWith("RESULT ", StringComparison.Ordinal)));
        Assert.Contains("CONTEXTS 1", lines);
    }

    [Fact]
    public void A_second_copy_of_the_module_from_another_folder_is_refused_with_what_to_do()
    {
        var copy = Path.Combine(_scripts, "copy");
        foreach (var file in Directory.GetFiles(ModuleUnderTest.ModuleFolder, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy, Path.GetRelativePath(ModuleUnderTest.ModuleFolder, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        var script = Script("two-copies.ps1", """
            param([string] $First, [string] $Second)
            Import-Module $First -ErrorAction Stop
            try {
                Import-Module $Second -ErrorAction Stop
                'SECOND IMPORTED'
            }
            catch {
                "REFUSED $($_.Exception.Message)"
            }
            "IN USE $((Get-Command Connect-ExMailboxService).Module.ModuleBase)"
            """);

        var run = ScriptProcess.RunInBareHost(script, ModuleUnderTest.ManifestPath, Path.Combine(copy, "MailboxImportExport.psd1"));

        Assert.True(run.ExitCode == 0, run.AllText);
        Assert.DoesNotContain("SECOND IMPORTED", run.Output);
        Assert.Contains($"MailboxImportExport was already loaded from {ModuleUnderTest.ModuleFolder}", run.Output);
        Assert.Contains("start a new PowerShell session", run.Output);
        Assert.Contains($"IN USE {ModuleUnderTest.ModuleFolder}", run.Output);
    }
}
