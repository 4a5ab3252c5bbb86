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

    /// <summary>
    /// The assemblies shipped with the module: the module, the engine and their netstandard2.0 dependencies,
    /// which Windows PowerShell 5.1 needs and PowerShell 7 unifies with its own newer copies. Listed by name
    /// so that a dependency added or dropped upstream is noticed here, not by a user at import time.
    /// </summary>
    public static readonly IReadOnlyList<string> ModuleAssemblies =
    [
        "MailboxImportExport.dll",
        "MailboxImportExport.Engine.dll",
        "Microsoft.Identity.Client.dll",
        "Microsoft.Identity.Client.Extensions.Msal.dll",
        "Microsoft.IdentityModel.Abstractions.dll",
        "Microsoft.Bcl.AsyncInterfaces.dll",
        "System.Buffers.dll",
        "System.Diagnostics.DiagnosticSource.dll",
        "System.Formats.Asn1.dll",
        "System.IO.FileSystem.AccessControl.dll",
        "System.Memory.dll",
        "System.Numerics.Vectors.dll",
        "System.Runtime.CompilerServices.Unsafe.dll",
        "System.Security.AccessControl.dll",
        "System.Security.Cryptography.Cng.dll",
        "System.Security.Cryptography.ProtectedData.dll",
        "System.Security.Principal.Windows.dll",
        "System.Text.Encodings.Web.dll",
        "System.Text.Json.dll",
        "System.Threading.Tasks.Extensions.dll",
    ];

    private static readonly string[] Configurations = ["Debug", "Release"];

    /// <summary>True for assemblies that PowerShell itself provides and a module must never ship. The build
    /// output holds a System.Management.Automation.dll: PowerShellStandard.Library's reference assembly.</summary>
    public static bool IsShippedByPowerShell(string assemblyFileName) =>
        assemblyFileName.Equals("System.Management.Automation.dll", StringComparison.OrdinalIgnoreCase)
        || assemblyFileName.StartsWith("Microsoft.PowerShell.", StringComparison.OrdinalIgnoreCase)
        || assemblyFileName.StartsWith("Microsoft.Management.Infrastructure", StringComparison.OrdinalIgnoreCase);

    /// <summary>The module project's build output folder for <paramref name="configuration"/>.</summary>
    public static string BuildOutputFolder(string repoRoot, string configuration) =>
        Path.Combine(repoRoot, "src", ModuleName, "bin", configuration, TargetFramework);

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
        var buildOutput = BuildOutputFolder(repoRoot, options.Configuration);
        var filesToCopy = CheckBuildOutput(buildOutput, options.Configuration);

        var moduleFolder = Path.Combine(outputRoot, ModuleName);
        var target = Path.Combine(moduleFolder, version);
        // Assemble beside the target and swap it in at the end, so a failed run never leaves half a module.
        var staging = Path.Combine(moduleFolder, $".{version}.{Guid.NewGuid():N}.staging");
        Directory.CreateDirectory(staging);
        try
        {
            foreach (var file in filesToCopy)
            {
                File.Copy(Path.Combine(buildOutput, file), Path.Combine(staging, file));
            }
            WriteManifest(repoRoot, version, staging);
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
        return target;
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

    /// <summary>The files to copy from the build output; fails naming every allowed file that is missing and
    /// every assembly that is neither allowed nor PowerShell's.</summary>
    private static List<string> CheckBuildOutput(string buildOutput, string configuration)
    {
        if (!Directory.Exists(buildOutput))
        {
            throw new PackagingException($"Module build output not found: {buildOutput}. Build it first: dotnet build src/{ModuleName} -c {configuration}");
        }
        var expected = ModuleAssemblies.Append(FormatFileName).ToList();
        var missing = expected.Where(file => !File.Exists(Path.Combine(buildOutput, file))).ToList();
        if (missing.Count > 0)
        {
            throw new PackagingException($"Module build output {buildOutput} lacks files the module ships: {string.Join(", ", missing)}.");
        }
        var unlisted = Directory.GetFiles(buildOutput, "*.dll")
            .Select(path => Path.GetFileName(path))
            .Where(file => !ModuleAssemblies.Contains(file, StringComparer.OrdinalIgnoreCase) && !IsShippedByPowerShell(file))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (unlisted.Count > 0)
        {
            throw new PackagingException(
                $"Module build output {buildOutput} has assemblies that are not on the ship list: {string.Join(", ", unlisted)}. " +
                $"Add each one the module needs at run time to {nameof(ModuleLayout)}.{nameof(ModuleAssemblies)}.");
        }
        return expected;
    }

    private static void WriteManifest(string repoRoot, string version, string moduleFolder)
    {
        var source = Path.Combine(repoRoot, ManifestFileName);
        if (!File.Exists(source))
        {
            throw new PackagingException($"Module manifest not found: {source}");
        }
        var stamped = ModuleManifest.StampVersion(File.ReadAllText(source), version, source);
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
