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
}
