using System.Collections;
using System.Management.Automation.Language;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace MailboxImportExport.Module.Tests;

public class ModuleManifestTests
{
    private static Hashtable SourceManifest()
    {
        var ast = Parser.ParseFile(Path.Combine(ModuleUnderTest.RepoRoot, "MailboxImportExport.psd1"), out _, out var errors);
        Assert.Empty(errors);
        return (Hashtable)ast.Find(a => a is HashtableAst, false)!.SafeGetValue();
    }

    private static string[] DeclaredCmdlets() => ((object[])SourceManifest()["CmdletsToExport"]!).Cast<string>().ToArray();

    [Fact]
    public void Importing_the_module_exports_exactly_the_manifest_cmdlets()
    {
        using var session = new PowerShellSession();
        var exported = session.Run("(Get-Module MailboxImportExport).ExportedCommands.Keys").Output.Select(o => o.ToString()).ToList();

        Assert.Equal(DeclaredCmdlets().OrderBy(c => c), exported.OrderBy(c => c));
    }

    [Fact]
    public void The_manifest_declares_editions_version_and_no_wildcards()
    {
        var manifest = SourceManifest();
        Assert.Equal(new[] { "Core", "Desktop" }, ((object[])manifest["CompatiblePSEditions"]!).Cast<string>());
        Assert.Equal("5.1", manifest["PowerShellVersion"]);
        Assert.DoesNotContain(DeclaredCmdlets(), c => c.Contains('*'));
        foreach (var key in new[] { "FunctionsToExport", "VariablesToExport", "AliasesToExport" })
            Assert.Empty((object[])manifest[key]!);
        var psData = (Hashtable)((Hashtable)manifest["PrivateData"]!)["PSData"]!;
        Assert.NotEmpty((object[])psData["Tags"]!);
        Assert.NotNull(psData["LicenseUri"]);
        Assert.NotNull(psData["ProjectUri"]);
        Assert.NotNull(psData["ReleaseNotes"]);
    }

    [Fact]
    public void The_manifest_version_is_the_one_version_of_the_build()
    {
        var props = System.Xml.Linq.XDocument.Load(Path.Combine(ModuleUnderTest.RepoRoot, "Directory.Build.props"));
        var version = props.Descendants("ModuleVersion").Single().Value;
        Assert.Equal(version, SourceManifest()["ModuleVersion"]);
        using var session = new PowerShellSession();
        Assert.Equal(version, session.Run("(Get-Module MailboxImportExport).Version.ToString()").Output.Single().ToString());
    }

    [Fact]
    public void Test_ModuleManifest_passes_on_the_laid_out_module()
    {
        using var session = new PowerShellSession(importModule: false);
        var result = session.Run("Test-ModuleManifest -Path $args[0]", ModuleUnderTest.ManifestPath);
        Assert.Empty(result.Errors);
        Assert.Equal("MailboxImportExport", result.Output.Single().Properties["Name"].Value);
    }

    [Fact]
    public void Every_cmdlet_has_help_with_a_synopsis_an_example_and_every_parameter_described()
    {
        using var session = new PowerShellSession();
        foreach (var cmdlet in DeclaredCmdlets())
        {
            var help = session.Run("Get-Help $args[0] -Full", cmdlet).Output.Single();
            var synopsis = help.Properties["Synopsis"].Value?.ToString()?.Trim();
            Assert.False(string.IsNullOrEmpty(synopsis) || synopsis.StartsWith(cmdlet), $"{cmdlet} has no synopsis");
            var examples = session.Run("@((Get-Help $args[0]).examples.example).Count", cmdlet).Output.Single();
            Assert.True((int)examples.BaseObject >= 1, $"{cmdlet} has no example");

            var undocumented = session.Run("""
                $help = Get-Help $args[0]
                $documented = @($help.parameters.parameter | Where-Object { $_.description } | ForEach-Object { $_.name })
                (Get-Command $args[0]).Parameters.Keys |
                    Where-Object { $_ -notin [System.Management.Automation.PSCmdlet]::CommonParameters -and
                                   $_ -notin [System.Management.Automation.PSCmdlet]::OptionalCommonParameters -and
                                   $_ -notin $documented }
                """, cmdlet).Output.Select(o => o.ToString()).ToList();
            Assert.True(undocumented.Count == 0, $"{cmdlet}: parameters without help: {string.Join(", ", undocumented)}");
        }
    }

    [Fact]
    public void Help_syntax_matches_each_cmdlets_parameter_sets()
    {
        // For every cmdlet: each parameter set the help shows, with its parameters and which are mandatory,
        // must be what the cmdlet really declares (common parameters aside).
        using var session = new PowerShellSession();
        var mismatches = session.Run("""
            function Join-Sorted([string[]] $names) { [Array]::Sort($names); $names -join ',' }
            $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
            foreach ($name in $args[0]) {
                $actual = foreach ($set in (Get-Command $name).ParameterSets) {
                    $params = $set.Parameters | Where-Object { $_.Name -notin $common } | ForEach-Object { '{0}{1}' -f $_.Name, $(if ($_.IsMandatory) { '*' } else { '' }) }
                    '{0}: {1}' -f $name, (Join-Sorted @($params))
                }
                $documented = foreach ($item in (Get-Help $name).syntax.syntaxItem) {
                    $params = @($item.parameter) | Where-Object { $_ -and $_.name -notin $common } | ForEach-Object { '{0}{1}' -f $_.name, $(if ($_.required -eq 'true') { '*' } else { '' }) }
                    '{0}: {1}' -f $name, (Join-Sorted @($params))
                }
                $missing = @($actual | Where-Object { $_ -notin $documented })
                $extra = @($documented | Where-Object { $_ -notin $actual })
                foreach ($m in $missing) { "not in help: $m" }
                foreach ($e in $extra) { "help only: $e" }
            }
            """, (object)DeclaredCmdlets());

        Assert.Empty(mismatches.Errors);
        var lines = mismatches.Output.Select(o => o.ToString()).ToList();
        Assert.True(lines.Count == 0, string.Join("\n", lines));
    }

    [Fact]
    public void The_cmdlet_assembly_does_not_reference_msal_nor_the_engines_other_dependencies()
    {
        // Keeps MSAL (and the codec, MimeKit, OpenMcdf) out of the cmdlets' surface so the engine and its dependencies
        // load in a private context: the default context, where the cmdlets live, cannot find them.
        using var pe = new PEReader(File.OpenRead(Path.Combine(ModuleUnderTest.ModuleFolder, "MailboxImportExport.dll")));
        var metadata = pe.GetMetadataReader();
        var references = metadata.AssemblyReferences.Select(h => metadata.GetString(metadata.GetAssemblyReference(h).Name)).ToList();

        Assert.Contains("MailboxImportExport.Engine", references);
        Assert.DoesNotContain(references, r => r.StartsWith("Microsoft.Identity", StringComparison.Ordinal));
        Assert.DoesNotContain(references, r => r is "MailboxImportExport.Fts" or "MimeKit" or "OpenMcdf" or "BouncyCastle.Cryptography");
    }
}
