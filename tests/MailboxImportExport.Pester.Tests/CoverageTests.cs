using System.Text.RegularExpressions;

namespace MailboxImportExport.Pester.Tests;

/// <summary>Pester is where admins read how the module behaves: every cmdlet the manifest exports has a Describe
/// of its own in tests/pester, named after it ("Describe 'Get-ExMailbox'" or "Describe 'Get-ExMailbox -Archive'").</summary>
public sealed partial class CoverageTests
{
    [GeneratedRegex(@"CmdletsToExport\s*=\s*@\((?<list>[^)]*)\)", RegexOptions.IgnoreCase)]
    private static partial Regex CmdletList();

    [GeneratedRegex(@"'(?<name>[A-Za-z]+-[A-Za-z]+)'")]
    private static partial Regex QuotedCmdlet();

    [GeneratedRegex(@"^\s*Describe\s+['""](?<name>[A-Za-z]+-[A-Za-z]+)\b", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex DescribeOfCmdlet();

    private static IReadOnlyList<string> ExportedCmdlets()
    {
        var manifest = File.ReadAllText(Path.Combine(ModuleUnderTest.RepoRoot, "MailboxImportExport.psd1"));
        return QuotedCmdlet().Matches(CmdletList().Match(manifest).Groups["list"].Value).Select(match => match.Groups["name"].Value).ToList();
    }

    [Fact]
    public void Every_exported_cmdlet_has_a_Describe_in_the_Pester_suites()
    {
        var described = Directory.EnumerateFiles(PesterSuiteTests.SuiteFolder, "*.Tests.ps1")
            .SelectMany(file => DescribeOfCmdlet().Matches(File.ReadAllText(file)))
            .Select(match => match.Groups["name"].Value)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var cmdlets = ExportedCmdlets();

        Assert.Contains("Get-ExMailbox", cmdlets);
        var missing = cmdlets.Where(cmdlet => !described.Contains(cmdlet)).ToList();
        Assert.True(missing.Count == 0, $"No Describe in tests/pester for: {string.Join(", ", missing)}");
    }
}
