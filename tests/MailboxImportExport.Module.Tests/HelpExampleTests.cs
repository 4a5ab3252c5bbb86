using System.Text;
using System.Text.RegularExpressions;
using MailboxImportExport.Emulator;
using MailboxImportExport.Fts;
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
/// <item>$firstId and $secondId are two items of alice's Inbox, $folderId the id of alice's /Inbox/Projects/2026,
/// $draft a draft in alice's Drafts, $meeting an event in bob's Calendar.</item>
/// <item>What an example works on is there when the example names it (<see cref="GivenState"/>): files to attach
/// under C:\Reports, C:\Images and C:\Docs; mail from elsewhere (.eml under C:\Export\imap and C:\Tickets, .msg in
/// C:\Saved); an Export-ExMailboxItem -Path folder of alice's Inbox at C:\Exports\alice; the copy jobs alice-to-bob
/// and department (from C:\Jobs\pairs.csv) and the journal C:\Jobs\alice.journal, each made by running the copy
/// unless the example runs Copy-ExMailbox itself. Named jobs live in a folder of the test process's own
/// (<see cref="ModuleTestsSetup"/>).</item>
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
        var manifest = File.ReadAllText(Path.Combine(ModuleUnderTest.RepoRoot, "MailboxImportExport.psd1"));
        var exported = Regex.Matches(Regex.Match(manifest, @"CmdletsToExport\s*=\s*@\(([^)]*)\)").Groups[1].Value, @"'([\w-]+)'")
            .Select(m => m.Groups[1].Value).OrderBy(n => n, StringComparer.Ordinal).ToList();
        Assert.True(exported.Count >= 19, $"{exported.Count} cmdlets exported");
        var withExamples = Examples().Select(e => (string)e[0]).Distinct().OrderBy(n => n, StringComparer.Ordinal).ToList();
        Assert.Equal(exported, withExamples);
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
        GivenState(script, emulator, session, folder.Path);

        var emulatorUri = emulator.BaseUri.ToString();
        var run = session.Run(script.Replace("https://127.0.0.1:5001/", emulatorUri).Replace("https://localhost:5001/", emulatorUri));

        var unexpected = run.Errors.Where(e => !remarks.Contains(e.FullyQualifiedErrorId.Split(',')[0], StringComparison.Ordinal)).ToList();
        Assert.True(unexpected.Count == 0,
            $"{cmdlet} example {number} wrote errors its remarks do not name:\n{string.Join("\n", unexpected.Select(e => $"{e.FullyQualifiedErrorId}: {e}"))}\n--- script ---\n{script}");
        session.Run("Set-Location /; Remove-PSDrive C, D -ErrorAction Ignore");
        foreach (var job in Jobs)
        {
            foreach (var file in new[] { ".journal", ".journal-wal", ".journal-shm" }.Select(ext => Path.Combine(ModuleTestsSetup.JobDirectory, job + ext)))
            {
                if (File.Exists(file)) File.Delete(file);
            }
        }
    }

    private static readonly string[] Jobs = ["alice-to-bob", "department", "alice-inbox-2026"];

    /// <summary>Makes what the example names and the demo tenant does not hold (see the class remarks).</summary>
    private static void GivenState(string script, EmulatorServer emulator, PowerShellSession session, string root)
    {
        bool Names(string text) => script.Contains(text, StringComparison.OrdinalIgnoreCase);
        string At(string path)
        {
            var full = Path.Combine(root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            return full;
        }
        void Bytes(string path, int size) => File.WriteAllBytes(At(path), Enumerable.Range(0, size).Select(i => (byte)(i * 31 % 251)).ToArray());
        void Run(string command, params object[] arguments)
        {
            var run = session.Run(command, arguments);
            Assert.True(run.Errors.Count == 0, $"{command}\n{string.Join("\n", run.Errors)}");
        }

        var control = emulator.Control;
        if (Names("$draft")) Run("$global:draft = [pscustomobject]@{ Id = $args[0] }", control.AddItem(control.GetMailboxId("alice@contoso.test"), "drafts", Message("IPM.Note", "Quarterly report")));
        if (Names("$meeting")) Run("$global:meeting = [pscustomobject]@{ Id = $args[0] }", control.AddItem(control.GetMailboxId("bob@contoso.test"), "calendar", Message("IPM.Appointment", "Planning")));

        if (Names(@"C:\Reports\q3-recording.mp4")) Bytes(@"Reports/q3-recording.mp4", 9 * 1024 * 1024);
        if (Names(@"C:\Reports\archive.zip")) Bytes(@"Reports/archive.zip", 5 * 1024 * 1024);
        if (Names(@"C:\Reports\*.pdf")) { Bytes(@"Reports/budget.pdf", 40_000); Bytes(@"Reports/minutes.pdf", 60_000); }
        if (Names(@"C:\Images\logo.png")) Bytes(@"Images/logo.png", 3_000);
        if (Names(@"C:\Docs\agenda.docx")) Bytes(@"Docs/agenda.docx", 20_000);
        if (Names(@"C:\Temp")) Directory.CreateDirectory(Path.Combine(root, "Temp"));

        if (Names(@"C:\Export\imap"))
        {
            File.WriteAllText(At(@"Export/imap/1.eml"), Eml("Welcome to the new system", "carol@fabrikam.test"));
            File.WriteAllText(At(@"Export/imap/2024/2.eml"), Eml("Invoice 2024-117", "billing@fabrikam.test"));
        }
        if (Names(@"C:\Tickets")) File.WriteAllText(At(@"Tickets/ticket-1.eml"), Eml("Printer on floor 3", "dave@fabrikam.test"));
        if (Names(@"C:\Saved"))
        {
            // Real .msg files, as Outlook users save them: written by the module's own -Format Msg export, then laid flat.
            Run("Get-ExMailbox alice@contoso.test | Get-ExMailboxFolder -WellKnownName inbox | Get-ExMailboxItem -First 2 | Export-ExMailboxItem -Path C:\\SavedExport -Format Msg | Out-Null");
            Directory.CreateDirectory(Path.Combine(root, "Saved"));
            foreach (var msg in Directory.EnumerateFiles(Path.Combine(root, "SavedExport"), "*.msg", SearchOption.AllDirectories))
                File.Move(msg, Path.Combine(root, "Saved", Path.GetFileName(msg)));
        }
        if (Names(@"C:\Exports\alice")) Run(@"Get-ExMailbox alice@contoso.test | Get-ExMailboxFolder -WellKnownName inbox | Get-ExMailboxItem | Export-ExMailboxItem -Path C:\Exports\alice | Out-Null");

        if (Names(@"C:\Jobs\pairs.csv") || Names("-JobName department"))
            File.WriteAllText(At(@"Jobs/pairs.csv"), "SourceMailbox,TargetMailbox,TargetRootPath\nalice@contoso.test,bob@contoso.test,/Imported/alice\nbob@contoso.test,alice@contoso.test,/Imported/bob\n");
        if (!Names("Copy-ExMailbox"))
        {
            if (Names("-JobName alice-to-bob")) Run("Copy-ExMailbox alice@contoso.test bob@contoso.test -TargetRootPath /Imported/alice -JobName alice-to-bob | Out-Null");
            if (Names("-JobName department")) Run(@"Import-Csv C:\Jobs\pairs.csv | Copy-ExMailbox -JobName department | Out-Null");
            if (Names(@"C:\Jobs\alice.journal")) Run(@"Copy-ExMailbox alice@contoso.test bob@contoso.test -TargetRootPath /Imported/alice -JournalPath C:\Jobs\alice.journal | Out-Null");
        }
    }

    private static byte[] Message(string messageClass, string subject)
    {
        var message = new FtsMessage();
        message.Properties.Add(FtsProperty.String(FtsPropertyId.MessageClass, messageClass));
        message.Properties.Add(FtsProperty.String(FtsPropertyId.Subject, subject));
        message.Properties.Add(FtsProperty.Int32(FtsPropertyId.MessageFlags, 0x9));
        return new FtsWriter().Write(message);
    }

    private static string Eml(string subject, string from) => new StringBuilder()
        .Append("From: ").Append(from).Append("\r\n")
        .Append("To: bob@contoso.test\r\n")
        .Append("Subject: ").Append(subject).Append("\r\n")
        .Append("Date: Tue, 03 Mar 2026 09:15:00 +0000\r\n")
        .Append("Message-ID: <").Append(Guid.NewGuid().ToString("N")).Append("@fabrikam.test>\r\n")
        .Append("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
        .Append("Hello,\r\nthis came from the old system.\r\n")
        .ToString();

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
