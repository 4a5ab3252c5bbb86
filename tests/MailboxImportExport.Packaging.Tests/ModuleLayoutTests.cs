using System.Text;
using MailboxImportExport.Packaging.Layout;

namespace MailboxImportExport.Packaging.Tests;

/// <summary>Layout from a fake repository: real docs and a stand-in manifest, and a "build output" of
/// placeholder files, including the System.Management.Automation.dll that the real build output holds.</summary>
public sealed class ModuleLayoutTests : IDisposable
{
    private const string Version = "3.2.1";
    private readonly TempDirectory _repo = new();

    public ModuleLayoutTests()
    {
        File.WriteAllText(_repo.Combine("Directory.Build.props"),
            $"<Project><PropertyGroup><ModuleVersion>{Version}</ModuleVersion></PropertyGroup></Project>");
        File.Copy(TestPaths.TestData(ModuleLayout.ManifestFileName), _repo.Combine(ModuleLayout.ManifestFileName));
        var docs = Directory.CreateDirectory(_repo.Combine("docs", ModuleLayout.HelpCulture)).FullName;
        foreach (var doc in Directory.GetFiles(TestPaths.RepoDocs, "*.md"))
        {
            File.Copy(doc, Path.Combine(docs, Path.GetFileName(doc)));
        }
        Directory.CreateDirectory(BuildOutput);
        foreach (var file in ModuleLayout.ModuleAssemblies.Concat([ModuleLayout.FormatFileName, "System.Management.Automation.dll", "MailboxImportExport.pdb"]))
        {
            File.WriteAllText(Path.Combine(BuildOutput, file), "built " + file);
        }
    }

    private string BuildOutput => ModuleLayout.BuildOutputFolder(_repo.Path, "Release");

    private string OutputRoot => _repo.Combine("artifacts");

    public void Dispose() => _repo.Dispose();

    private string Create(string? outputRoot = null) =>
        ModuleLayout.Create(new ModuleLayoutOptions { RepoRoot = _repo.Path, Configuration = "Release", OutputRoot = outputRoot ?? OutputRoot });

    [Fact]
    public void Lays_out_the_shipped_assemblies_format_manifest_and_compiled_help_in_a_version_folder()
    {
        var moduleFolder = Create();

        Assert.Equal(Path.Combine(OutputRoot, "MailboxImportExport", Version), moduleFolder);
        var expected = ModuleLayout.ModuleAssemblies
            .Concat([ModuleLayout.FormatFileName, ModuleLayout.ManifestFileName, "en-US/MailboxImportExport.dll-Help.xml", "en-US/about_MailboxImportExport.help.txt"])
            .Order(StringComparer.Ordinal);
        Assert.Equal(expected, FilesUnder(moduleFolder));
        Assert.Equal("built MailboxImportExport.Engine.dll", File.ReadAllText(Path.Combine(moduleFolder, "MailboxImportExport.Engine.dll")));
        Assert.Contains("<command:name>Get-ExMailbox</command:name>", File.ReadAllText(Path.Combine(moduleFolder, "en-US", ModuleLayout.MamlFileName)));
    }

    [Fact]
    public void Never_ships_what_PowerShell_provides()
    {
        var moduleFolder = Create();

        Assert.False(File.Exists(Path.Combine(moduleFolder, "System.Management.Automation.dll")));
        Assert.DoesNotContain(ModuleLayout.ModuleAssemblies, ModuleLayout.IsShippedByPowerShell);
        Assert.True(ModuleLayout.IsShippedByPowerShell("Microsoft.PowerShell.Commands.Utility.dll"));
    }

    [Fact]
    public void Stamps_the_version_from_Directory_Build_props_into_the_manifest_and_changes_nothing_else()
    {
        var manifestPath = Path.Combine(Create(), ModuleLayout.ManifestFileName);

        var source = File.ReadAllText(TestPaths.TestData(ModuleLayout.ManifestFileName));
        var expected = source.Replace("ModuleVersion        = '0.1.0'", $"ModuleVersion        = '{Version}'");
        Assert.NotEqual(source, expected);
        Assert.Equal(expected, File.ReadAllText(manifestPath));
        Assert.Equal(Encoding.UTF8.Preamble.ToArray(), File.ReadAllBytes(manifestPath)[..3]);
    }

    [Fact]
    public void The_laid_out_manifest_passes_Test_ModuleManifest()
    {
        var manifestPath = Path.Combine(Create(), ModuleLayout.ManifestFileName);

        var manifest = HostedPowerShell.Invoke("param($Path) Test-ModuleManifest -Path $Path", new() { ["Path"] = manifestPath }).Single();

        Assert.Equal(Version, manifest.Properties["Version"].Value.ToString());
        Assert.Equal("MailboxImportExport", manifest.Properties["Name"].Value);
    }

    [Fact]
    public void Fails_naming_every_missing_file_of_the_ship_list()
    {
        File.Delete(Path.Combine(BuildOutput, "Microsoft.Identity.Client.dll"));
        File.Delete(Path.Combine(BuildOutput, ModuleLayout.FormatFileName));

        var error = Assert.Throws<PackagingException>(() => Create());

        Assert.Contains("lacks files the module ships: Microsoft.Identity.Client.dll, MailboxImportExport.format.ps1xml.", error.Message);
        Assert.False(Directory.Exists(Path.Combine(OutputRoot, "MailboxImportExport", Version)));
    }

    [Fact]
    public void Fails_on_an_assembly_that_is_not_on_the_ship_list()
    {
        File.WriteAllText(Path.Combine(BuildOutput, "Some.New.Dependency.dll"), "new dependency");

        var error = Assert.Throws<PackagingException>(() => Create());

        Assert.Contains("not on the ship list: Some.New.Dependency.dll", error.Message);
    }

    [Fact]
    public void Fails_when_the_module_was_not_built_and_says_how_to_build_it()
    {
        Directory.Delete(BuildOutput, recursive: true);

        var error = Assert.Throws<PackagingException>(() => Create());

        Assert.Contains("dotnet build src/MailboxImportExport -c Release", error.Message);
    }

    [Fact]
    public void Rejects_a_configuration_other_than_Debug_or_Release()
    {
        var error = Assert.Throws<PackagingException>(() =>
            ModuleLayout.Create(new ModuleLayoutOptions { RepoRoot = _repo.Path, Configuration = "../Release" }));

        Assert.Contains("'../Release' is not one of Debug, Release", error.Message);
    }

    [Fact]
    public void Running_again_replaces_the_folder_cleanly()
    {
        var moduleFolder = Create();
        File.WriteAllText(Path.Combine(moduleFolder, "left-over.txt"), "from an earlier layout");

        Assert.Equal(moduleFolder, Create());

        Assert.False(File.Exists(Path.Combine(moduleFolder, "left-over.txt")));
        Assert.Equal([Version], Directory.GetDirectories(Path.GetDirectoryName(moduleFolder)!).Select(Path.GetFileName));
    }

    [Fact]
    public void A_failed_run_leaves_the_previous_layout_and_no_staging_folder()
    {
        var moduleFolder = Create();
        var before = FilesUnder(moduleFolder);
        File.WriteAllText(_repo.Combine("docs", "en-US", "Get-ExMailbox.md"), "# Get-ExMailbox\n");

        Assert.Throws<Help.HelpFormatException>(() => Create());

        Assert.Equal(before, FilesUnder(moduleFolder));
        Assert.Equal([Version], Directory.GetDirectories(Path.GetDirectoryName(moduleFolder)!).Select(Path.GetFileName));
    }

    [Fact]
    public void Runs_into_different_output_roots_can_go_in_parallel()
    {
        var roots = Enumerable.Range(0, 4).Select(i => _repo.Combine($"parallel-{i}")).ToList();

        var folders = roots.AsParallel().Select(root => Create(root)).ToList();

        Assert.All(folders, folder => Assert.Equal(FilesUnder(folders[0]), FilesUnder(folder)));
    }

    [Fact]
    public void The_default_output_root_is_the_out_folder_of_the_repository()
    {
        var moduleFolder = ModuleLayout.Create(new ModuleLayoutOptions { RepoRoot = _repo.Path, Configuration = "Release" });

        Assert.Equal(_repo.Combine("out", "MailboxImportExport", Version), moduleFolder);
    }

    private static List<string> FilesUnder(string folder) =>
        Directory.GetFiles(folder, "*", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(folder, path).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();
}
