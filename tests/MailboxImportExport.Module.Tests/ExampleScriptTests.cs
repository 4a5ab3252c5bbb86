namespace MailboxImportExport.Module.Tests;

/// <summary>The README's main job: the example scripts run against the demo emulator and print what they promise.</summary>
public class ExampleScriptTests : IClassFixture<EmulatorFixture>
{
    private readonly EmulatorFixture _emulator;

    public ExampleScriptTests(EmulatorFixture emulator) => _emulator = emulator;

    private RunResult RunExample(string name)
    {
        using var session = new PowerShellSession();
        return session.Render("& $args[0] -Emulator $args[1] 2>&1", Path.Combine(ModuleUnderTest.RepoRoot, "examples", name), _emulator.BaseUri);
    }

    [Fact]
    public void Listing_mailboxes_prints_the_demo_tenant_as_a_table()
    {
        var result = RunExample("01-list-mailboxes.ps1");

        Assert.Empty(result.Errors);
        Assert.Matches(@"UserId\s+Kind\s+MailboxId", result.HostText);
        Assert.Matches(@"alice@contoso\.test\s+Primary\s+MBX:", result.HostText);
        Assert.Matches(@"alice@contoso\.test\s+Archive\s+MBX:", result.HostText);
        Assert.Matches(@"bob@contoso\.test\s+Primary\s+MBX:", result.HostText);
    }

    [Fact]
    public void The_error_example_reports_nobody_and_still_lists_the_others()
    {
        var text = RunExample("02-connection-and-errors.ps1").HostText;

        Assert.Contains("nobody@contoso.test", text);
        Assert.Matches(@"bob@contoso\.test\s+Primary", text);
        Assert.Contains("AuthMethod", text);
    }

    [Fact]
    public void The_copy_example_copies_alices_inbox_into_bobs_mailbox()
    {
        var result = RunExample("03-copy-inbox.ps1");

        Assert.Empty(result.Errors);
        Assert.Contains("Copied 120 items from alice's Inbox into bob's mailbox:", result.HostText);
        Assert.Matches(@"IPF\.Note\s+120\s+0\s+/Imported/alice/Inbox", result.HostText);
    }

    [Fact]
    public void The_copy_job_example_runs_again_and_skips_everything()
    {
        int Calls(string path) => _emulator.Server.Control.Requests.Count(r => r.Path.EndsWith(path));
        var (exportsBefore, importsBefore) = (Calls("/exportItems"), Calls("/importItem"));
        var result = RunExample("04-copy-job.ps1");

        Assert.Empty(result.Errors);
        var copied = int.Parse(System.Text.RegularExpressions.Regex.Match(result.HostText, @"First run: (\d+) copied, 0 skipped, 0 failed\.").Groups[1].Value);
        Assert.Equal(120, copied);
        Assert.Contains("Second run: 0 copied, 0 updated, 120 skipped, 0 failed.", result.HostText);
        Assert.Matches(@"Status\s*:\s*Completed", result.HostText);
        // Both runs together: the first run's 6 export calls (120 items, 20 a call) and 120 imports; the second made none.
        Assert.Equal(6, Calls("/exportItems") - exportsBefore);
        Assert.Equal(120, Calls("/importItem") - importsBefore);
    }
}
