using System.Text;
using MailboxImportExport.Packaging.Help;

namespace MailboxImportExport.Packaging.Layout;

/// <summary>
/// Lays out the publishable module folder, <c>&lt;OutputRoot&gt;/MailboxImportExport/&lt;ModuleVersion&gt;/</c>,
/// from the module project's existing build output. It builds nothing: "dotnet build" has already run.
/// </summary>
/// <remarks>
/// Layout is a step of its own, in C#, rather than a task in build.ps1, because the team's machines and CI
/// may have only the .NET SDK: no pwsh, no platyPS. The same code runs from build.ps1, from
/// "dotnet build -t:LayoutModule", and in-process from tests.
/// </remarks>
public static class ModuleLayout
{
    public const string ModuleName = "MailboxImportExport";
    public const string ManifestFileName = ModuleName + ".psd1";
    public const string FormatFileName = ModuleName + ".format.ps1xml";
    public const string HelpCulture = "en-US";
    public const string MamlFileName = ModuleName + ".dll-Help.xml";
    public const string AboutFileName = "about_" + ModuleName + ".help.txt";
    private const string TargetFramework = "netstandard2.0";

    public const string ScriptModuleFileName = ModuleName + ".psm1";
    public const string DepsFileName = ModuleName + ".deps.json";
    /// <summary>The engine and its dependencies, where the loader looks for them.</summary>
    public const string DependencyFolder = ModuleFolderNames.Dependencies;
    public const string LoaderFileName = ModuleName + ".Loader.dll";

    /// <summary>The loader builds, by the PowerShell edition that loads them from Loader/&lt;edition&gt;/.</summary>
    public static readonly IReadOnlyList<(string Edition, string TargetFramework)> LoaderBuilds =
    [
        ("Core", "net8.0"),
        ("Desktop", "netstandard2.0"),
    ];

    private static readonly string[] Configurations = ["Debug", "Release"];

    /// <summary>The module project's build output folder for <paramref name="configuration"/>.</summary>
    public static string BuildOutputFolder(string repoRoot, string configuration) =>
        Path.Combine(repoRoot, "src", ModuleName, "bin", configuration, TargetFramework);

    /// <summary>The loader project's build output folder for <paramref name="configuration"/> and <paramref name="targetFramework"/>.</summary>
    public static string LoaderBuildOutputFolder(string repoRoot, string configuration, string targetFramework) =>
        Path.Combine(repoRoot, "src", ModuleName + ".Loader", "bin", configuration, targetFramework);

    /// <summary>Lays out the module and returns the full path of its version folder. An existing folder for
    /// the same version is replaced. Runs into different output roots are independent of each other.</summary>
    /// <exception cref="PackagingException">An input is missing or malformed; the message names it.</exception>
    public static string Create(ModuleLayoutOptions options)
    {
        if (!Configurations.Contains(options.Configuration, StringComparer.Ordinal))
        {
            throw new PackagingException($"Configuration '{options.Configuration}' is not one of {string.Join(", ", Configurations)}.");
        }
        var repoRoot = Path.GetFullPath(options.RepoRoot ?? RepositoryRoot.Find(AppContext.BaseDirectory));
        var outputRoot = Path.GetFullPath(options.OutputRoot ?? Path.Combine(repoRoot, "out"));
        var version = ModuleManifest.ReadVersion(Path.Combine(repoRoot, "Directory.Build.props"));
        var releaseNotes = ChangeLog.ReleaseNotes(Path.Combine(repoRoot, ChangeLog.FileName), version);
        var buildOutput = BuildOutputFolder(repoRoot, options.Configuration);
        var filesToCopy = CheckBuildOutput(repoRoot, buildOutput, options.Configuration);

        var moduleFolder = Path.Combine(outputRoot, ModuleName);
        var target = Path.Combine(moduleFolder, version);
        // Assemble beside the target and swap it in at the end, so a failed run never leaves half a module.
        var staging = Path.Combine(moduleFolder, $".{version}.{Guid.NewGuid():N}.staging");
        Directory.CreateDirectory(staging);
        try
        {
            foreach (var (source, destination) in filesToCopy)
            {
                var path = Path.Combine(staging, destination);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.Copy(source, path);
            }
            WriteManifest(repoRoot, version, releaseNotes, staging);
            CompileHelp(repoRoot, staging);

            ReplaceFolder(staging, target);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
        CreateTestSupport(repoRoot, version, releaseNotes, outputRoot);
        return target;
    }

    public const string TestSupportName = ModuleName + ".TestSupport";

    /// <summary>The companion module MailboxImportExport.TestSupport (script only: it starts the emulator for
    /// tests), laid out beside the module as &lt;OutputRoot&gt;/MailboxImportExport.TestSupport/&lt;version&gt;/.</summary>
    public static string TestSupportFolder(string outputRoot, string version) => Path.Combine(outputRoot, TestSupportName, version);

    private static void CreateTestSupport(string repoRoot, string version, string releaseNotes, string outputRoot)
    {
        var source = Path.Combine(repoRoot, "src", TestSupportName);
        var manifest = Path.Combine(source, TestSupportName + ".psd1");
        var script = Path.Combine(source, TestSupportName + ".psm1");
        foreach (var file in new[] { manifest, script })
        {
            if (!File.Exists(file)) throw new PackagingException($"The test-support module lacks {file}.");
        }
        var staging = Path.Combine(outputRoot, TestSupportName, $".{version}.{Guid.NewGuid():N}.staging");
        Directory.CreateDirectory(staging);
        try
        {
            var utf8Bom = new UTF8Encoding(encoderShouldEmitUTF8Identifier: true);
            File.WriteAllText(Path.Combine(staging, TestSupportName + ".psd1"), ModuleManifest.Stamp(File.ReadAllText(manifest), version, releaseNotes, manifest), utf8Bom);
            File.WriteAllText(Path.Combine(staging, TestSupportName + ".psm1"), File.ReadAllText(script), utf8Bom);
            ReplaceFolder(staging, TestSupportFolder(outputRoot, version));
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }

    private static void ReplaceFolder(string source, string target)
    {
        try
        {
            if (Directory.Exists(target))
            {
                Directory.Delete(target, recursive: true);
            }
            Directory.Move(source, target);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // On Windows a PowerShell session that imported the module from here holds its DLLs open.
            throw new PackagingException($"Cannot replace {target}: {exception.Message} Close any PowerShell session that imported the module from there.");
        }
    }

    /// <summary>The files to copy, as (source path, path in the module); fails naming every one that is missing.
    /// Assemblies of the build output that deps.json does not name, such as PowerShellStandard.Library's
    /// System.Management.Automation.dll reference assembly, are not shipped.</summary>
    private static List<(string Source, string Destination)> CheckBuildOutput(string repoRoot, string buildOutput, string configuration)
    {
        if (!Directory.Exists(buildOutput))
        {
            throw new PackagingException($"Module build output not found: {buildOutput}. Build it first: dotnet build src/{ModuleName} -c {configuration}");
        }
        var assemblies = ModuleAssemblies.Read(Path.Combine(buildOutput, DepsFileName));
        List<(string Source, string Destination)> files =
        [
            .. new[] { assemblies.Cmdlets, ScriptModuleFileName, FormatFileName }.Concat(assemblies.Shared)
                .Select(file => (Path.Combine(buildOutput, file), file)),
            .. assemblies.Private.Select(file => (Path.Combine(buildOutput, file), Path.Combine(DependencyFolder, file))),
            .. LoaderBuilds.Select(build => (
                Path.Combine(LoaderBuildOutputFolder(repoRoot, configuration, build.TargetFramework), LoaderFileName),
                Path.Combine("Loader", build.Edition, LoaderFileName))),
            .. NativeLibraries(buildOutput),
        ];
        var missing = files.Where(file => !File.Exists(file.Source)).Select(file => Path.GetRelativePath(repoRoot, file.Source)).ToList();
        if (missing.Count > 0)
        {
            throw new PackagingException($"The module's build output lacks files the module ships: {string.Join(", ", missing)}.");
        }
        return files;
    }

    /// <summary>
    /// The engine's native libraries (SQLite's e_sqlite3) for every runtime the module supports, into
    /// Dependencies/runtimes/&lt;rid&gt;/native/, where the loader's load context finds them. The build copies the
    /// packages' runtimes/&lt;rid&gt;/native/ folders (CopyLocalRuntimeTargetAssets); runtimes the module does not
    /// support (Android, iOS, s390x …) are left out.
    /// </summary>
    private static IEnumerable<(string Source, string Destination)> NativeLibraries(string buildOutput) =>
        ModuleFolderNames.SupportedRuntimes
            .Select(runtime => Path.Combine(ModuleFolderNames.NativeRuntimes, runtime, "native"))
            .Where(folder => Directory.Exists(Path.Combine(buildOutput, folder)))
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(buildOutput, folder))
                .Select(file => (file, Path.Combine(DependencyFolder, folder, Path.GetFileName(file)))));

    private static void WriteManifest(string repoRoot, string version, string releaseNotes, string moduleFolder)
    {
        var source = Path.Combine(repoRoot, ManifestFileName);
        if (!File.Exists(source))
        {
            throw new PackagingException($"Module manifest not found: {source}");
        }
        var stamped = ModuleManifest.Stamp(File.ReadAllText(source), version, releaseNotes, source);
        // With a BOM, Windows PowerShell 5.1 reads the manifest as UTF-8 rather than the ANSI code page.
        File.WriteAllText(Path.Combine(moduleFolder, ManifestFileName), stamped, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
    }

    private static void CompileHelp(string repoRoot, string moduleFolder)
    {
        var docs = Path.Combine(repoRoot, "docs", HelpCulture);
        var helpFolder = Path.Combine(moduleFolder, HelpCulture);
        var written = HelpCompiler.CompileFolder(docs, helpFolder).Select(path => Path.GetFileName(path)).ToList();
        var missing = new[] { MamlFileName, AboutFileName }.Except(written, StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            throw new PackagingException(
                $"Help compiled from {docs} lacks {string.Join(", ", missing)} (it produced: {string.Join(", ", written)}). " +
                $"Command docs need 'external help file: {MamlFileName}' and the module needs about_{ModuleName}.md.");
        }
    }
}
