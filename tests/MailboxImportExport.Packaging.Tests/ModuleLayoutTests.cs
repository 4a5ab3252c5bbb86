using System.Text;
using System.Text.Json.Nodes;
using MailboxImportExport.Packaging.Layout;

namespace MailboxImportExport.Packaging.Tests;

/// <summary>Layout from a fake repository: real docs and a stand-in manifest, and a "build output" of
/// placeholder files with a deps.json like the real one, including the System.Management.Automation.dll
/// reference assembly that the real build output holds.</summary>
public sealed class ModuleLayoutTests : IDisposable
{
    private const string Version = "3.2.1";
    private const string ReleaseNotes = "### Added\n\n- Get-ExMailbox lists 'archive' mailboxes.";
    private readonly TempDirectory _repo = new();

    /// <summary>The fake module's dependency graph, as deps.json describes it: library → (dependencies, runtime file).</summary>
    private readonly Dictionary<string, (string[] Dependencies, string? File)> _libraries = new()
    {
        ["MailboxImportExport"] = (["MailboxImportExport.Engine", "Microsoft.Bcl.AsyncInterfaces"], "MailboxImportExport.dll"),
        ["MailboxImportExport.Engine"] = (["MailboxImportExport.Fts", "Microsoft.Identity.Client", "System.Text.Json", "Microsoft.Bcl.AsyncInterfaces"], "MailboxImportExport.Engine.dll"),
        ["MailboxImportExport.Fts"] = ([], "MailboxImportExport.Fts.dll"),
        ["Microsoft.Identity.Client"] = (["Microsoft.IdentityModel.Abstractions", "System.Text.Json"], "Microsoft.Identity.Client.dll"),
        ["Microsoft.IdentityModel.Abstractions"] = ([], "Microsoft.IdentityModel.Abstractions.dll"),
        ["System.Text.Json"] = (["Microsoft.Bcl.AsyncInterfaces"], "System.Text.Json.dll"),
        ["Microsoft.Bcl.AsyncInterfaces"] = (["System.Threading.Tasks.Extensions"], "Microsoft.Bcl.AsyncInterfaces.dll"),
        ["System.Threading.Tasks.Extensions"] = ([], "System.Threading.Tasks.Extensions.dll"),
        ["PowerShellStandard.Library"] = ([], null),
    };

    public ModuleLayoutTests()
    {
        File.WriteAllText(_repo.Combine("Directory.Build.props"),
            $"<Project><PropertyGroup><ModuleVersion>{Version}</ModuleVersion></PropertyGroup></Project>");
        File.Copy(TestPaths.TestData(ModuleLayout.ManifestFileName), _repo.Combine(ModuleLayout.ManifestFileName));
        File.WriteAllText(_repo.Combine(ChangeLog.FileName), $"""
            # Changelog

            ## [{Version}] - 2026-12-06

            {ReleaseNotes}

            ## [3.2.0] - 2026-11-01

            ### Fixed

            - Something older.

            [{Version}]: https://example.test/compare/v3.2.0...v{Version}
            """);
        var docs = Directory.CreateDirectory(_repo.Combine("docs", ModuleLayout.HelpCulture)).FullName;
        foreach (var doc in Directory.GetFiles(TestPaths.RepoDocs, "*.md"))
        {
            File.Copy(doc, Path.Combine(docs, Path.GetFileName(doc)));
        }
        var testSupport = Directory.CreateDirectory(_repo.Combine("src", ModuleLayout.TestSupportName)).FullName;
        foreach (var file in Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "src", ModuleLayout.TestSupportName)))
        {
            File.Copy(file, Path.Combine(testSupport, Path.GetFileName(file)));
        }
        Directory.CreateDirectory(BuildOutput);
        var builtFiles = _libraries.Values.Select(library => library.File).OfType<string>()
            .Concat([ModuleLayout.FormatFileName, ModuleLayout.ScriptModuleFileName, "System.Management.Automation.dll", "MailboxImportExport.pdb"]);
        foreach (var file in builtFiles)
        {
            File.WriteAllText(Path.Combine(BuildOutput, file), "built " + file);
        }
        WriteDepsJson();
        foreach (var (edition, targetFramework) in ModuleLayout.LoaderBuilds)
        {
            var loaderOutput = Directory.CreateDirectory(ModuleLayout.LoaderBuildOutputFolder(_repo.Path, "Release", targetFramework)).FullName;
            File.WriteAllText(Path.Combine(loaderOutput, ModuleLayout.LoaderFileName), "loader for " + edition);
        }
    }

    private void WriteDepsJson()
    {
        var target = new JsonObject();
        foreach (var (name, (dependencies, file)) in _libraries)
        {
            var library = new JsonObject { ["dependencies"] = new JsonObject(dependencies.Select(d => KeyValuePair.Create(d, (JsonNode?)"1.0.0"))) };
            if (file is not null) library["runtime"] = new JsonObject { [$"lib/netstandard2.0/{file}"] = new JsonObject() };
            target[$"{name}/1.0.0"] = library;
        }
        var deps = new JsonObject
        {
            ["runtimeTarget"] = new JsonObject { ["name"] = ".NETStandard,Version=v2.0/" },
            ["targets"] = new JsonObject { [".NETStandard,Version=v2.0/"] = target },
        };
        File.WriteAllText(Path.Combine(BuildOutput, ModuleLayout.DepsFileName), deps.ToJsonString());
    }

    private string BuildOutput => ModuleLayout.BuildOutputFolder(_repo.Path, "Release");

    private string OutputRoot => _repo.Combine("artifacts");

    public void Dispose() => _repo.Dispose();

    [Fact]
    public void The_test_support_module_is_laid_out_beside_the_module_with_the_same_version()
    {
        Create();

        var folder = ModuleLayout.TestSupportFolder(OutputRoot, Version);
        Assert.Equal([ModuleLayout.TestSupportName + ".psd1", ModuleLayout.TestSupportName + ".psm1"],
            Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var manifest = File.ReadAllText(Path.Combine(folder, ModuleLayout.TestSupportName + ".psd1"));
        Assert.Contains($"ModuleVersion        = '{Version}'", manifest, StringComparison.Ordinal);
        Assert.Contains($"ReleaseNotes = @'\n{ReleaseNotes}\n'@", manifest, StringComparison.Ordinal);
    }

    private string Create(string? outputRoot = null) =>
        ModuleLayout.Create(new ModuleLayoutOptions { RepoRoot = _repo.Path, Configuration = "Release", OutputRoot = outputRoot ?? OutputRoot });

    [Fact]
    public void Lays_out_the_cmdlets_beside_their_own_dependencies_and_the_engine_with_the_rest_in_Dependencies()
    {
        var moduleFolder = Create();

        Assert.Equal(Path.Combine(OutputRoot, "MailboxImportExport", Version), moduleFolder);
        string[] expected =
        [
            "Dependencies/MailboxImportExport.Engine.dll",
            "Dependencies/MailboxImportExport.Fts.dll",
            "Dependencies/Microsoft.Identity.Client.dll",
            "Dependencies/Microsoft.IdentityModel.Abstractions.dll",
            "Dependencies/System.Text.Json.dll",
            "Loader/Core/MailboxImportExport.Loader.dll",
            "Loader/Desktop/MailboxImportExport.Loader.dll",
            "MailboxImportExport.dll",
            "MailboxImportExport.format.ps1xml",
            "MailboxImportExport.psd1",
            "MailboxImportExport.psm1",
            "Microsoft.Bcl.AsyncInterfaces.dll",
            "System.Threading.Tasks.Extensions.dll",
            "en-US/MailboxImportExport.dll-Help.xml",
            "en-US/about_MailboxImportExport.help.txt",
        ];
        Assert.Equal(expected, FilesUnder(moduleFolder));
        Assert.Equal("built MailboxImportExport.Engine.dll", File.ReadAllText(Path.Combine(moduleFolder, "Dependencies", "MailboxImportExport.Engine.dll")));
        Assert.Equal("loader for Desktop", File.ReadAllText(Path.Combine(moduleFolder, "Loader", "Desktop", ModuleLayout.LoaderFileName)));
        Assert.Contains("<command:name>Get-ExMailbox</command:name>", File.ReadAllText(Path.Combine(moduleFolder, "en-US", ModuleLayout.MamlFileName)));
    }

    [Fact]
    public void Lays_out_the_native_libraries_of_the_supported_runtimes_in_Dependencies_runtimes()
    {
        foreach (var runtime in new[] { "linux-x64", "win-arm64", "osx-arm64", "android-arm64", "linux-s390x" })
        {
            var native = Directory.CreateDirectory(Path.Combine(BuildOutput, "runtimes", runtime, "native")).FullName;
            File.WriteAllText(Path.Combine(native, runtime.StartsWith("win", StringComparison.Ordinal) ? "e_sqlite3.dll" : "libe_sqlite3.so"), "sqlite for " + runtime);
        }
        // Managed runtime-specific assets are not native libraries: deps.json decides those.
        Directory.CreateDirectory(Path.Combine(BuildOutput, "runtimes", "win", "lib", "netstandard2.0"));
        File.WriteAllText(Path.Combine(BuildOutput, "runtimes", "win", "lib", "netstandard2.0", "System.Other.dll"), "managed");

        var moduleFolder = Create();

        var natives = FilesUnder(moduleFolder).Where(file => file.Contains("/runtimes/", StringComparison.Ordinal)).ToList();
        Assert.Equal(
        [
            "Dependencies/runtimes/linux-x64/native/libe_sqlite3.so",
            "Dependencies/runtimes/osx-arm64/native/libe_sqlite3.so",
            "Dependencies/runtimes/win-arm64/native/e_sqlite3.dll",
        ], natives);
        Assert.Equal("sqlite for win-arm64", File.ReadAllText(Path.Combine(moduleFolder, "Dependencies", "runtimes", "win-arm64", "native", "e_sqlite3.dll")));
    }

    [Fact]
    public void Never_ships_what_deps_json_does_not_name()
    {
        var moduleFolder = Create();

        Assert.DoesNotContain(FilesUnder(moduleFolder), file => file.EndsWith("System.Management.Automation.dll", StringComparison.Ordinal));
        Assert.DoesNotContain(FilesUnder(moduleFolder), file => file.EndsWith(".pdb", StringComparison.Ordinal));
    }

    [Fact]
    public void Stamps_the_version_from_Directory_Build_props_and_its_changelog_section_into_the_manifest_and_changes_nothing_else()
    {
        var manifestPath = Path.Combine(Create(), ModuleLayout.ManifestFileName);

        var source = File.ReadAllText(TestPaths.TestData(ModuleLayout.ManifestFileName));
        var expected = source.Replace("ModuleVersion        = '0.1.0'", $"ModuleVersion        = '{Version}'")
            .Replace("ReleaseNotes = ''", $"ReleaseNotes = @'\n{ReleaseNotes}\n'@");
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
        Assert.Equal(ReleaseNotes, manifest.Properties["ReleaseNotes"].Value);
    }

    [Fact]
    public void Fails_naming_the_changelog_section_when_the_version_has_none()
    {
        File.WriteAllText(_repo.Combine(ChangeLog.FileName), "# Changelog\n\n## [3.2.0] - 2026-11-01\n\n- Something older.\n");

        var error = Assert.Throws<PackagingException>(() => Create());

        Assert.Contains($"has no section '## [{Version}]'", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(OutputRoot, "MailboxImportExport")));
    }

    [Fact]
    public void Fails_naming_every_missing_file_the_module_ships()
    {
        File.Delete(Path.Combine(BuildOutput, "Microsoft.Identity.Client.dll"));
        File.Delete(Path.Combine(BuildOutput, ModuleLayout.FormatFileName));

        var error = Assert.Throws<PackagingException>(() => Create());

        var buildOutput = Path.Combine("src", "MailboxImportExport", "bin", "Release", "netstandard2.0");
        Assert.Contains($"lacks files the module ships: {Path.Combine(buildOutput, "MailboxImportExport.format.ps1xml")}, {Path.Combine(buildOutput, "Microsoft.Identity.Client.dll")}.", error.Message);
        Assert.False(Directory.Exists(Path.Combine(OutputRoot, "MailboxImportExport", Version)));
    }

    [Fact]
    public void A_dependency_the_engine_gains_ships_in_Dependencies_with_no_list_to_update()
    {
        _libraries["MailboxImportExport.Engine"] = ([.. _libraries["MailboxImportExport.Engine"].Dependencies, "Some.New.Dependency"], "MailboxImportExport.Engine.dll");
        _libraries["Some.New.Dependency"] = ([], "Some.New.Dependency.dll");
        WriteDepsJson();
        File.WriteAllText(Path.Combine(BuildOutput, "Some.New.Dependency.dll"), "new dependency");

        var moduleFolder = Create();

        Assert.True(File.Exists(Path.Combine(moduleFolder, "Dependencies", "Some.New.Dependency.dll")));
    }

    [Fact]
    public void Fails_when_deps_json_does_not_describe_a_dependency_it_names()
    {
        _libraries.Remove("Microsoft.IdentityModel.Abstractions");
        WriteDepsJson();

        var error = Assert.Throws<PackagingException>(() => Create());

        Assert.Contains("names the dependency Microsoft.IdentityModel.Abstractions but does not describe it", error.Message);
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
