using System.Reflection;
using MailboxImportExport.Packaging.Layout;

namespace MailboxImportExport.Module.Tests;

/// <summary>The module as users get it: laid out once per test run from this build's output, into a private folder.</summary>
public static class ModuleUnderTest
{
    private static readonly Lazy<string> Folder = new(() => ModuleLayout.Create(new ModuleLayoutOptions
    {
        RepoRoot = RepoRoot,
        Configuration = Assembly.GetExecutingAssembly().GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug",
        OutputRoot = Path.Combine(Path.GetTempPath(), "mie-module-tests-" + Guid.NewGuid().ToString("N")),
    }));

    public static string ModuleFolder => Folder.Value;
    public static string ManifestPath => Path.Combine(ModuleFolder, "MailboxImportExport.psd1");

    public static string RepoRoot { get; } = RepositoryRoot.Find(AppContext.BaseDirectory);
}
