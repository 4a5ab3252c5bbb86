using System.Reflection;
using MailboxImportExport.Packaging.Layout;

namespace MailboxImportExport.Tests;

/// <summary>The module as users get it: laid out once per test run from this build's output, into the test
/// project's own output folder (not the temp folder: the hosted engine keeps its DLLs loaded, and on Windows
/// open, until the process ends, so a folder in temp could never be cleaned up).</summary>
public static class ModuleUnderTest
{
    public static string RepoRoot { get; } = RepositoryRoot.Find(AppContext.BaseDirectory);

    /// <summary>Debug or Release: the configuration this test assembly, and so the module, was built in.</summary>
    public static string BuildConfiguration { get; } =
        Assembly.GetExecutingAssembly().GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    private static readonly Lazy<string> Folder = new(() => ModuleLayout.Create(new ModuleLayoutOptions
    {
        RepoRoot = RepoRoot,
        Configuration = BuildConfiguration,
        OutputRoot = Path.Combine(AppContext.BaseDirectory, "module-under-test"),
    }));

    public static string ModuleFolder => Folder.Value;
    public static string ManifestPath => Path.Combine(ModuleFolder, "MailboxImportExport.psd1");
}
