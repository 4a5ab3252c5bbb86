using System.Diagnostics;
using System.IO.Compression;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using MailboxImportExport.Packaging.Layout;
using MailboxImportExport.Tests;

namespace MailboxImportExport.Packaging.Tests;

/// <summary>
/// The packages of <c>build.ps1 -Task Package</c>, made the same way from this build (the packager's layout,
/// <c>dotnet pack</c> of the emulator, Publish-ModulePackage.ps1 in the repository's pwsh), in a temp folder of their
/// own; and the emulator installed from them as an admin installs it, with <c>dotnet tool install --tool-path</c> from
/// the package folder and no other source.
/// </summary>
public sealed class BuiltPackages : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);
    private readonly TempDirectory _root = new();

    public BuiltPackages()
    {
        try
        {
            var configuration = typeof(BuiltPackages).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
            Version = ModuleManifest.ReadVersion(Path.Combine(TestPaths.RepoRoot, "Directory.Build.props"));
            var layout = _root.Combine("out");
            ModuleLayout.Create(new ModuleLayoutOptions { RepoRoot = TestPaths.RepoRoot, Configuration = configuration, OutputRoot = layout });

            RunDotnet(TestPaths.RepoRoot, "pack", Path.Combine(TestPaths.RepoRoot, "src", "MailboxImportExport.Emulator"),
                "--configuration", configuration, "--no-build", "--nologo", "--output", ToolFeed);

            var publishHome = IsolatedHome("publish");
            var publish = PowerShellTool.Run(
                ["-File", Path.Combine(TestPaths.RepoRoot, "src", "MailboxImportExport.Packaging", "Publish-ModulePackage.ps1"),
                 "-LayoutPath", layout, "-RepositoryPath", ModuleRepository, "-Version", Version],
                publishHome, Timeout);
            Assert.True(publish.ExitCode == 0, $"Publish-ModulePackage.ps1 failed:\n{publish.Output}");
            PublishRepositories = File.ReadAllText(Path.Combine(publishHome["XDG_DATA_HOME"]!, "PSResourceGet", "PSResourceRepository.xml"));

            // No package source but the package folder: the install reaches no feed on the network.
            var config = _root.Combine("nuget.config");
            File.WriteAllText(config, "<configuration><packageSources><clear /></packageSources></configuration>");
            ToolInstallOutput = RunDotnet(_root.Path, "tool", "install", "--tool-path", ToolPath, "--configfile", config,
                "--add-source", ToolFeed, "MailboxImportExport.Emulator", "--version", Version);
        }
        catch
        {
            _root.Dispose();
            throw;
        }
    }

    public string Version { get; }
    public string ModuleRepository => _root.Combine("packages", "modules");
    public string ToolFeed => _root.Combine("packages", "tools");
    public string ToolPath => _root.Combine("tool");
    public string ToolInstallOutput { get; }

    /// <summary>The publishing pwsh's list of repositories after the script ended.</summary>
    public string PublishRepositories { get; }

    public string EmulatorCommand => Path.Combine(ToolPath, OperatingSystem.IsWindows() ? "mailbox-emulator.exe" : "mailbox-emulator");

    /// <summary>
    /// The environment of a pwsh with a fresh, empty home folder of its own under this fixture's folder: there,
    /// PSResourceGet keeps its list of repositories and installs CurrentUser modules, and pwsh looks for the user's
    /// modules (HOME and the XDG folders, as on Linux and macOS). dotnet keeps the real user's tool cache, so that
    /// <c>dotnet pwsh</c> still finds the restored tool.
    /// </summary>
    public Dictionary<string, string?> IsolatedHome(string name)
    {
        var home = _root.Combine(name + "-home");
        // Each folder must exist: .NET answers "" for a missing one, and PSResourceGet then writes into the current folder.
        var config = Directory.CreateDirectory(Path.Combine(home, ".config")).FullName;
        var data = Directory.CreateDirectory(Path.Combine(home, ".local", "share")).FullName;
        var cache = Directory.CreateDirectory(Path.Combine(home, ".cache")).FullName;
        var userHome = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return new Dictionary<string, string?>
        {
            ["HOME"] = home,
            ["XDG_CONFIG_HOME"] = config,
            ["XDG_DATA_HOME"] = data,
            ["XDG_CACHE_HOME"] = cache,
            ["DOTNET_CLI_HOME"] = Environment.GetEnvironmentVariable("DOTNET_CLI_HOME") ?? userHome,
            ["NUGET_PACKAGES"] = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(userHome, ".nuget", "packages"),
            // The installed modules must find the installed emulator, not a build named by the Pester suites' variable.
            ["MAILBOXIMPORTEXPORT_EMULATOR_PATH"] = null,
        };
    }

    public void Dispose() => _root.Dispose();

    private static string RunDotnet(string workingDirectory, params string[] arguments) =>
        ChildProcess.RunToSuccess(new ProcessStartInfo("dotnet", arguments) { WorkingDirectory = workingDirectory }, Timeout);
}

/// <summary>The install route of issue 15's "done when": the packages install the way the README says, on a machine
/// that has only the package folders, and work there.</summary>
public sealed class InstallRouteTests(BuiltPackages packages) : IClassFixture<BuiltPackages>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    [Fact]
    public async Task The_packed_emulator_installs_from_the_package_folder_alone_and_serves_the_demo_tenant()
    {
        Assert.Equal([$"MailboxImportExport.Emulator.{packages.Version}.nupkg"], Directory.GetFiles(packages.ToolFeed).Select(Path.GetFileName));
        Assert.Contains("mailbox-emulator", packages.ToolInstallOutput, StringComparison.Ordinal);

        await using var emulator = await CommandLineEmulator.StartAsync(new ProcessStartInfo(packages.EmulatorCommand, ["--seed", "demo"]));
        var demoApp = JsonNode.Parse(await emulator.Http.GetStringAsync(new Uri(emulator.BaseUri, "emulator/demo-app")))!;
        var token = await emulator.ClientCredentialsTokenAsync((string)demoApp["tenantId"]!, (string)demoApp["clientId"]!, (string)demoApp["clientSecret"]!);
        using var response = await emulator.GetAsync("v1.0/users", token);

        response.EnsureSuccessStatusCode();
        var users = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["value"]!.AsArray()
            .Select(user => (string?)user!["userPrincipalName"]);
        Assert.Contains("alice@contoso.test", users);
    }

    [Fact]
    public void Publishes_both_modules_as_Gallery_packages_and_leaves_the_list_of_repositories_as_it_was()
    {
        Assert.Equal([$"MailboxImportExport.{packages.Version}.nupkg", $"MailboxImportExport.TestSupport.{packages.Version}.nupkg"],
            Directory.GetFiles(packages.ModuleRepository).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var releaseNotes = ChangeLog.ReleaseNotes(Path.Combine(TestPaths.RepoRoot, ChangeLog.FileName), packages.Version);
        foreach (var name in new[] { "MailboxImportExport", "MailboxImportExport.TestSupport" })
        {
            var metadata = Nuspec(name).Root!.Elements().Single(element => element.Name.LocalName == "metadata");
            string Value(string field) => metadata.Elements().Single(element => element.Name.LocalName == field).Value;

            Assert.Equal(packages.Version, Value("version"));
            Assert.Equal("https://github.com/MailboxImportExport/MailboxImportExport", Value("projectUrl"));
            Assert.Equal("https://github.com/MailboxImportExport/MailboxImportExport/blob/main/LICENSE", Value("licenseUrl"));
            Assert.Contains("PSModule", Value("tags").Split(' '));
            Assert.Equal(releaseNotes, Value("releaseNotes").ReplaceLineEndings("\n"));
        }
        var dependency = Nuspec("MailboxImportExport.TestSupport").Descendants().Single(element => element.Name.LocalName == "dependency");
        Assert.Equal(("MailboxImportExport", packages.Version), ((string?)dependency.Attribute("id"), (string?)dependency.Attribute("version")));
        Assert.DoesNotContain("MailboxImportExport-build-", packages.PublishRepositories, StringComparison.Ordinal);
    }

    private XDocument Nuspec(string name)
    {
        using var package = ZipFile.OpenRead(Path.Combine(packages.ModuleRepository, $"{name}.{packages.Version}.nupkg"));
        using var stream = package.GetEntry($"{name}.nuspec")!.Open();
        return XDocument.Load(stream);
    }

    [Fact]
    public void The_module_installs_with_Install_PSResource_into_an_empty_module_path_and_lists_alice_s_mailbox_from_Start_ExEmulator()
    {
        var home = packages.IsolatedHome("install");
        var modulePath = Path.Combine(home["XDG_DATA_HOME"]!, "powershell", "Modules");
        Assert.False(Directory.Exists(modulePath) && Directory.EnumerateFileSystemEntries(modulePath).Any(), $"{modulePath} is not empty");

        var install = PowerShellTool.Run(["-File", TestPaths.TestData("Install-FromLocalRepository.ps1"), "-RepositoryPath", packages.ModuleRepository], home, Timeout);

        Assert.True(install.ExitCode == 0, $"Install-PSResource failed:\n{install.Output}");
        Assert.Equal(["MailboxImportExport", "MailboxImportExport.TestSupport"],
            Directory.GetDirectories(modulePath).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.True(File.Exists(Path.Combine(modulePath, "MailboxImportExport", packages.Version, "MailboxImportExport.psd1")));
        Assert.DoesNotContain("MailboxImportExportTest", File.ReadAllText(Path.Combine(home["XDG_DATA_HOME"]!, "PSResourceGet", "PSResourceRepository.xml")), StringComparison.Ordinal);

        // A new pwsh: the installed modules alone on the module path, the installed emulator on PATH.
        home["PATH"] = packages.ToolPath + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
        var run = PowerShellTool.Run(["-File", TestPaths.TestData("Get-AliceMailbox.ps1"), "-ModulePath", modulePath], home, Timeout);

        Assert.True(run.ExitCode == 0, $"listing alice's mailbox failed:\n{run.Output}");
        var line = run.Output.Split('\n').Select(text => text.Trim()).LastOrDefault(text => text.StartsWith('{'));
        Assert.True(line is not null, $"no result line in:\n{run.Output}");
        var result = JsonNode.Parse(line)!;
        Assert.Equal("alice@contoso.test", (string?)result["UserId"]);
        Assert.StartsWith("MBX:", (string?)result["MailboxId"], StringComparison.Ordinal);
        Assert.Equal(Path.Combine(modulePath, "MailboxImportExport", packages.Version), (string?)result["Module"]);
        Assert.Equal(Path.Combine(modulePath, "MailboxImportExport.TestSupport", packages.Version), (string?)result["TestSupport"]);
        Assert.Equal(packages.EmulatorCommand, (string?)result["Emulator"]);
    }
}
