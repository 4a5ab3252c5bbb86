using System.Reflection;
using MailboxImportExport.Packaging;

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

    public static string RepoRoot { get; } = FindRepoRoot();

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MailboxImportExport.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("MailboxImportExport.sln not found above the test output folder.");
    }
}
