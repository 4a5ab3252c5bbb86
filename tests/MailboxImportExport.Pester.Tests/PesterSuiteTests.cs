using System.Reflection;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace MailboxImportExport.Pester.Tests;

/// <summary>
/// Every suite under tests/pester, under each pinned Pester release, in a pwsh process of its own against the
/// laid-out module: what an admin's CI would run. A failed Pester test, block or file fails the xunit test, with
/// Pester's own account of it. One process per release: each file still imports the module and starts its own
/// emulator, but pwsh and Pester start once.
/// </summary>
public sealed class PesterSuiteTests(ITestOutputHelper output, PesterReport report) : IClassFixture<PesterReport>
{
    public static string SuiteFolder => Path.Combine(ModuleUnderTest.RepoRoot, "tests", "pester");

    public static TheoryData<string> PesterVersions() => new(PesterRun.PesterVersions);

    /// <summary>The worked example of docs/testing-with-pester.md: an admin's script and its tests.</summary>
    public static string ExampleFolder => Path.Combine(ModuleUnderTest.RepoRoot, "examples", "pester");

    private static IReadOnlyList<string> Suites() =>
        Directory.EnumerateFiles(SuiteFolder, "*.Tests.ps1").Concat(Directory.EnumerateFiles(ExampleFolder, "*.Tests.ps1"))
            .Order(StringComparer.Ordinal).ToList();

    [Theory]
    [MemberData(nameof(PesterVersions))]
    public void Every_suite_passes(string pesterVersion)
    {
        var suites = Suites();
        var run = PesterRun.Run(pesterVersion, suites);

        // The counts show in the test command's output; Pester's whole log only when something failed.
        foreach (var file in run.Summary.Files ?? [])
        {
            report.Write($"Pester {pesterVersion} {file.Name}: {file.Passed} passed, {file.Failed} failed, {file.Skipped} skipped, {file.NotRun} not run ({file.DurationSeconds:0.0} s)");
        }
        report.Write($"Pester {pesterVersion} total: {run.Summary.Counts}");
        if (!run.Summary.Succeeded) output.WriteLine(run.Log);
        Assert.True(run.Summary.Succeeded, run.Summary.Describe());
        var ran = (run.Summary.Files ?? []).Where(file => file.Passed > 0).Select(file => file.Name);
        Assert.Equal(suites.Select(Path.GetFileName), ran);
    }

    [Fact]
    public void The_repository_has_suites_and_pins_Pester_5_7_1()
    {
        Assert.Contains("5.7.1", PesterRun.PesterVersions);
        Assert.NotEmpty(Suites());
    }
}

/// <summary>
/// Lines for the test command's own output, whether the test passes or fails: xunit's diagnostic messages
/// (xunit.runner.json turns them on; VSTestVerbosity detailed shows them), since vstest shows a passing test's
/// output nowhere.
/// </summary>
public sealed class PesterReport(IMessageSink sink)
{
    public void Write(string line) => sink.OnMessage(new DiagnosticMessage(line));
}

/// <summary>What Invoke-PesterSuite.ps1 wrote about one run.</summary>
public sealed record PesterSummary(
    string PesterVersion, string Result, int Total, int Passed, int Failed, int Skipped, int NotRun,
    int FailedBlocks, int FailedContainers, double DurationSeconds, IReadOnlyList<PesterFileSummary>? Files,
    IReadOnlyList<PesterFailure>? Failures)
{
    public bool Succeeded => Failed == 0 && FailedBlocks == 0 && FailedContainers == 0 && Result == "Passed";

    public string Counts =>
        $"{Passed} passed, {Failed} failed, {Skipped} skipped, {NotRun} not run ({Total} tests, {DurationSeconds:0.0} s, Pester {PesterVersion})";

    public string Describe()
    {
        var text = new StringBuilder(Counts);
        foreach (var failure in Failures ?? [])
        {
            text.Append("\n\n[-] ").Append(failure.Name).Append('\n').Append(failure.Error);
        }
        return text.ToString();
    }
}

public sealed record PesterFailure(string Name, string Error);

public sealed record PesterFileSummary(string Name, string Result, int Passed, int Failed, int Skipped, int NotRun, double DurationSeconds);

/// <summary>One run's summary and everything pwsh printed.</summary>
public sealed record PesterRunResult(PesterSummary Summary, string Log);

/// <summary>Starts pwsh with Invoke-PesterSuite.ps1 and reads back its summary.</summary>
public static class PesterRun
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(20);

    /// <summary>The Pester releases restored by this project's PackageDownload.</summary>
    public static IReadOnlyList<string> PesterVersions => Metadata("PesterVersions").Split(';');

    public static string PesterManifest(string version) =>
        Path.Combine(Metadata("NuGetPackageRoot"), "pester", version, "tools", "Pester.psd1");

    /// <summary>The emulator's build, started by the suites (TestEmulator.psm1).</summary>
    public static string EmulatorAssembly =>
        Path.Combine(ModuleUnderTest.RepoRoot, "src", "MailboxImportExport.Emulator", "bin", ModuleUnderTest.BuildConfiguration, "net10.0", "MailboxImportExport.Emulator.dll");

    private static string Metadata(string key) =>
        typeof(PesterRun).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(attribute => attribute.Key == key).Value!;

    public static PesterRunResult Run(string pesterVersion, IReadOnlyList<string> paths, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var summaryFile = Path.Combine(Path.GetTempPath(), $"mie-pester-{Guid.NewGuid():N}.json");
        try
        {
            string[] arguments =
            [
                "-File", Path.Combine(AppContext.BaseDirectory, "Invoke-PesterSuite.ps1"),
                "-PesterManifest", PesterManifest(pesterVersion),
                "-SummaryPath", summaryFile,
                "-Path", string.Join(Path.PathSeparator, paths),
            ];
            var variables = new Dictionary<string, string?>
            {
                ["MAILBOXIMPORTEXPORT_MODULE_PATH"] = ModuleUnderTest.ManifestPath,
                ["MAILBOXIMPORTEXPORT_EMULATOR_PATH"] = EmulatorAssembly,
                ["MAILBOXIMPORTEXPORT_CONFIGURATION"] = ModuleUnderTest.BuildConfiguration,
            };
            foreach (var (name, value) in environment ?? new Dictionary<string, string?>()) variables[name] = value;

            var run = PowerShellTool.Run(arguments, variables, Timeout);
            if (!File.Exists(summaryFile))
            {
                throw new InvalidOperationException($"pwsh exited with code {run.ExitCode} before Pester wrote its summary:\n{run.Output}");
            }
            return new PesterRunResult(JsonSerializer.Deserialize<PesterSummary>(File.ReadAllText(summaryFile))!, run.Output);
        }
        finally
        {
            File.Delete(summaryFile);
        }
    }
}
