using System.Management.Automation.Language;

namespace MailboxImportExport.Packaging.Tests;

/// <summary>The scripts that ship or that users run (the module's psm1, build.ps1, examples, every script module
/// under src) keep to what Windows PowerShell 5.1 has.</summary>
public class WindowsPowerShellCompatibilityTests
{
    public static TheoryData<string> ShippedScripts() => new(ShippedScriptPaths());

    private static IEnumerable<string> ShippedScriptPaths()
    {
        var root = TestPaths.RepoRoot;
        var scripts = new[] { Path.Combine(root, "build.ps1") }
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "examples"), "*.ps1"))
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "src"), "*.ps*1", SearchOption.AllDirectories)
                .Where(path => path.EndsWith(".ps1", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".psm1", StringComparison.OrdinalIgnoreCase)))
            .Where(path => !path.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .Select(path => Path.GetRelativePath(root, path))
            .Order(StringComparer.Ordinal);
        return scripts;
    }

    [Theory]
    [MemberData(nameof(ShippedScripts))]
    public void Uses_only_what_Windows_PowerShell_5_1_has(string relativePath)
    {
        var script = Parser.ParseFile(Path.Combine(TestPaths.RepoRoot, relativePath), out _, out var errors);
        Assert.Empty(errors.Select(error => $"{error.Extent.StartLineNumber}: {error.Message}"));

        var problems = WindowsPowerShell51.Problems(script);

        Assert.True(problems.Count == 0, $"{relativePath} uses what Windows PowerShell 5.1 lacks:\n{string.Join("\n", problems)}");
    }

    [Fact]
    public void The_module_s_own_script_and_the_examples_are_among_those_checked()
    {
        var scripts = ShippedScriptPaths().ToList();

        Assert.Contains(Path.Combine("src", "MailboxImportExport", "MailboxImportExport.psm1"), scripts);
        Assert.Contains("build.ps1", scripts);
        Assert.Contains(scripts, script => script.StartsWith("examples", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("$a = $b ? 1 : 2", "ternary")]
    [InlineData("dotnet build && dotnet test", "&& or ||")]
    [InlineData("$a = $b ?? 'x'", "??")]
    [InlineData("$a ??= 1", "??=")]
    [InlineData("${a}?.Name", "?. or ?[]")]
    [InlineData("function f { process { } clean { } }", "clean block")]
    [InlineData("1..3 | ForEach-Object -Parallel { $_ }", "ForEach-Object -Parallel")]
    [InlineData("Microsoft.PowerShell.Utility\\Invoke-RestMethod -Uri $u -SkipCertificateCheck", "Invoke-RestMethod -SkipCertificateCheck")]
    [InlineData("Get-Content $p -Raw | ConvertFrom-Json -AsHashtable", "ConvertFrom-Json -AsHashtable")]
    [InlineData("Set-Content -Path $p -Value 1 -Encoding utf8NoBOM", "-Encoding utf8NoBOM")]
    [InlineData("Join-Path a b c", "")]
    [InlineData("Join-Path a b -AdditionalChildPath c", "Join-Path -AdditionalChildPath")]
    [InlineData("Get-Error", "Get-Error is not")]
    [InlineData("if ($IsWindows) { }", "$IsWindows")]
    [InlineData("$PSStyle.OutputRendering = 'PlainText'", "$PSStyle")]
    [InlineData("$start.ArgumentList.Add('x')", "ArgumentList")]
    [InlineData("[System.IO.Path]::GetRelativePath($a, $b)", "GetRelativePath")]
    [InlineData("[System.Text.Json.JsonSerializer]::Serialize($x)", "System.Text.Json.JsonSerializer")]
    public void Finds_what_Windows_PowerShell_5_1_lacks(string script, string expected)
    {
        var problems = WindowsPowerShell51.Problems(Parser.ParseInput(script, out _, out _));

        if (expected.Length == 0)
        {
            Assert.Empty(problems);
        }
        else
        {
            Assert.Contains(problems, problem => problem.Contains(expected, StringComparison.Ordinal));
        }
    }
}
