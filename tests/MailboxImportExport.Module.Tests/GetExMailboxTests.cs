using System.Management.Automation;

namespace MailboxImportExport.Module.Tests;

public class GetExMailboxTests : IClassFixture<EmulatorFixture>
{
    private readonly EmulatorFixture _emulator;

    public GetExMailboxTests(EmulatorFixture emulator) => _emulator = emulator;

    private static string Property(PSObject o, string name) => o.Properties[name].Value?.ToString() ?? "";

    [Fact]
    public void An_unknown_user_gets_one_error_and_the_others_still_come_out()
    {
        using var session = _emulator.Connect();
        var result = session.Run("'alice@contoso.test','nobody@contoso.test','bob@contoso.test' | Get-ExMailbox");

        Assert.Equal(new[] { "alice@contoso.test", "bob@contoso.test" }, result.Output.Select(o => Property(o, "UserId")));
        Assert.All(result.Output, o => Assert.Equal("Primary", Property(o, "Kind")));
        Assert.All(result.Output, o => Assert.StartsWith("MBX:", Property(o, "MailboxId")));
        var error = Assert.Single(result.Errors);
        Assert.Equal("nobody@contoso.test", error.TargetObject);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.StartsWith("UserNotFound,", error.FullyQualifiedErrorId);
        Assert.Contains("nobody@contoso.test", error.ToString());
    }

    [Fact]
    public void The_beta_api_also_returns_the_archive_mailbox()
    {
        using var session = _emulator.Connect("beta");
        var result = session.Run("Get-ExMailbox alice@contoso.test");

        Assert.Empty(result.Errors);
        Assert.Equal(new[] { "Primary", "Archive" }, result.Output.Select(o => Property(o, "Kind")));
        Assert.NotEqual(Property(result.Output[0], "MailboxId"), Property(result.Output[1], "MailboxId"));
    }

    [Fact]
    public void Objects_bind_by_UserPrincipalName_or_UserId()
    {
        using var session = _emulator.Connect();
        var result = session.Run("""
            [pscustomobject]@{ UserPrincipalName = 'alice@contoso.test' },
            [pscustomobject]@{ UserId = 'bob@contoso.test' } | Get-ExMailbox
            """);

        Assert.Empty(result.Errors);
        Assert.Equal(new[] { "alice@contoso.test", "bob@contoso.test" }, result.Output.Select(o => Property(o, "UserId")));
    }

    [Fact]
    public void Mailboxes_print_as_a_table_by_default()
    {
        using var session = _emulator.Connect();
        var text = session.Render("Get-ExMailbox alice@contoso.test, bob@contoso.test").HostText;

        var lines = text.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToList();
        Assert.Matches(@"^UserId\s+Kind\s+MailboxId$", lines[0]);
        Assert.Matches(@"^-+\s+-+\s+-+$", lines[1]);
        Assert.Matches(@"^alice@contoso\.test\s+Primary\s+MBX:", lines[2]);
        Assert.Matches(@"^bob@contoso\.test\s+Primary\s+MBX:", lines[3]);
    }

    [Fact]
    public void Without_a_connection_the_error_says_how_to_connect()
    {
        using var session = new PowerShellSession();
        var result = session.Run("Get-ExMailbox alice@contoso.test");

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("NotConnected,", error.FullyQualifiedErrorId);
        Assert.Contains("Connect-ExMailboxService", error.ToString());
        Assert.Empty(result.Output);
    }

    [Fact]
    public void Verbose_explains_the_calls_made()
    {
        using var session = _emulator.Connect();
        var result = session.Run("$DebugPreference = 'Continue'; Get-ExMailbox alice@contoso.test -Verbose");
        Assert.Contains(result.Debug, d => d.Contains("GET ") && d.Contains("/settings/exchange"));
    }
}
