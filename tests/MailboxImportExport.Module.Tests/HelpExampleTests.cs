using System.Text.RegularExpressions;
using MailboxImportExport.Emulator;
using MailboxImportExport.Packaging.Help;

namespace MailboxImportExport.Module.Tests;

/// <summary>
/// Every example of every cmdlet's help runs, as typed, against a fresh demo tenant of the emulator, in a session
/// connected to it, through the whole PowerShell engine (Select-Object, Export-Csv … included). The rules:
/// <list type="bullet">
/// <item>Lines after a <c>PS …&gt;</c> prompt are commands; the other lines of such an example are its output, not run.
/// An example without prompts is a script and runs whole.</item>
/// <item>https://127.0.0.1:5001/ and https://localhost:5001/ stand for the emulator. C:\ and D:\ are drives rooted in a
/// folder of the test's own (where no such drive exists), which is also the current location; it holds users.csv
/// (a UserPrincipalName column: alice and bob).</item>
/// <item>$firstId and $secondId are two items of alice's Inbox, $folderId the id of alice's /Inbox/Projects/2026.</item>
/// <item>An example that needs what the emulator cannot give (a tenant, a browser, a certificate store, a second
/// machine) says, in a remarks paragraph starting "Against the emulator:", the command to run in its place, in
/// backticks; the test runs that.</item>
/// <item>An example may write errors only of the ids its remarks name.</item>
/// </list>
/// </summary>
public class HelpExampleTests
{
    private const string SubstituteMarker = "Against the emulator:";

    public static IEnumerable<object[]> Examples() =>
        Directory.EnumerateFiles(Path.Combine(ModuleUnderTest.RepoRoot, "docs", "en-US"), "*-*.md")
            .OrderBy(p => p, StringComparer.Ordinal)
            .SelectMany(path =>
            {
                var help = CommandHelpParser.ParseFile(path);
                return help.Examples.Select((_, index) => new object[] { help.Name, index + 1 });
            });

    [Fact]
    public void Every_cmdlet_has_examples_to_run()
    {
        var examples = Examples().ToList();
        Assert.Equal(13, examples.Select(e => (string)e[0]).Distinct().Count());
        Assert.True(examples.Count >= 70, $"{examples.Count} examples");
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task Runs_as_typed(string cmdlet, int number)
    {
        var help = CommandHelpParser.ParseFile(Path.Combine(ModuleUnderTest.RepoRoot, "docs", "en-US", cmdlet + ".md"));
        var example = help.Examples[number - 1];
        var remarks = string.Join("\n", example.Remarks);
        var script = Substitute(example.Remarks) ?? Commands(example.Code);

        await using var emulator = await EmulatorServer.StartAsync(new EmulatorOptions { Seed = "demo" });
        using var folder = new TemporaryDirectory("mie-help-");
        File.WriteAllText(Path.Combine(folder.Path, "users.csv"), "UserPrincipalName\nalice@contoso.test\nbob@contoso.test\n");
        using var session = new PowerShellSession();
        var setup = session.Run("""
            param($emulator, $folder)
            Connect-ExMailboxService -Emulator $emulator -ErrorAction Stop
            foreach ($drive in 'C', 'D') {
                if (-not (Get-PSDrive $drive -ErrorAction Ignore)) { $null = New-PSDrive -Name $drive -PSProvider FileSystem -Root $folder -Scope Global }
            }
            Set-Location $folder
            $inbox = Get-ExMailbox alice@contoso.test | Get-ExMailboxFolder -WellKnownName inbox
            $global:firstId, $global:secondId = @($inbox | Get-ExMailboxItem -First 2).Id
            $global:folderId = (Get-ExMailboxFolder -MailboxId alice@contoso.test -LiteralPath /Inbox/Projects/2026).Id
            """, emulator.BaseUri, folder.Path);
        Assert.True(setup.Errors.Count == 0, string.Join("\n", setup.Errors));

        var emulatorUri = emulator.BaseUri.ToString();
        var run = session.Run(script.Replace("https://127.0.0.1:5001/", emulatorUri).Replace("https://localhost:5001/", emulatorUri));

        var unexpected = run.Errors.Where(e => !remarks.Contains(e.FullyQualifiedErrorId.Split(',')[0], StringComparison.Ordinal)).ToList();
        Assert.True(unexpected.Count == 0,
            $"{cmdlet} example {number} wrote errors its remarks do not name:\n{string.Join("\n", unexpected.Select(e => $"{e.FullyQualifiedErrorId}: {e}"))}\n--- script ---\n{script}");
        session.Run("Set-Location /; Remove-PSDrive C, D -ErrorAction Ignore");
    }

    /// <summary>The commands of an example: the lines after a prompt, or the whole block when it has none.</summary>
    internal static string Commands(string code)
    {
        var lines = code.Split('\n');
        var prompt = new Regex(@"^PS [^>]*> ?");
        if (!lines.Any(l => prompt.IsMatch(l))) return code;
        return string.Join("\n", lines.Where(l => prompt.IsMatch(l)).Select(l => prompt.Replace(l, "")));
    }

    /// <summary>The command of a remarks paragraph "Against the emulator: `...`", when the example has one.</summary>
    internal static string? Substitute(IReadOnlyList<string> remarks) =>
        remarks.FirstOrDefault(r => r.StartsWith(SubstituteMarker, StringComparison.Ordinal)) is { } paragraph
            ? Regex.Match(paragraph, "`([^`]+)`").Groups[1].Value is { Length: > 0 } command
                ? command
                : throw new InvalidOperationException($"'{paragraph}' gives no command in backticks.")
            : null;
}
