using System.Management.Automation.Language;

namespace MailboxImportExport.Module.Tests;

/// <summary>Every script and data file in the repository parses (the Pester suites also run, in MailboxImportExport.Pester.Tests).</summary>
public class ScriptSyntaxTests
{
    public static IEnumerable<object[]> Scripts() =>
        Directory.EnumerateFiles(ModuleUnderTest.RepoRoot, "*.*", SearchOption.AllDirectories)
            .Where(p => p.EndsWith(".ps1", StringComparison.OrdinalIgnoreCase) || p.EndsWith(".psd1", StringComparison.OrdinalIgnoreCase) ||
                        p.EndsWith(".psm1", StringComparison.OrdinalIgnoreCase))
            .Where(p => !p.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj" or "out" or ".git"))
            .Select(p => new object[] { Path.GetRelativePath(ModuleUnderTest.RepoRoot, p) });

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Parses_without_errors(string relativePath)
    {
        Parser.ParseFile(Path.Combine(ModuleUnderTest.RepoRoot, relativePath), out _, out var errors);
        Assert.True(errors.Length == 0, string.Join("\n", errors.Select(e => $"{relativePath}:{e.Extent.StartLineNumber}: {e.Message}")));
    }

    [Fact]
    public void The_repository_has_scripts_to_check()
    {
        var scripts = Scripts().Select(s => (string)s[0]).ToList();
        Assert.Contains(scripts, s => s.EndsWith("MailboxImportExport.psd1"));
        Assert.Contains(scripts, s => s.EndsWith("build.ps1"));
        Assert.Contains(scripts, s => s.EndsWith(".Tests.ps1"));
    }
}
