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

    [Theory]
    [InlineData("v1.0")]
    [InlineData("beta")]
    public void A_user_gives_one_mailbox_the_primary_on_every_api_version(string apiVersion)
    {
        using var session = _emulator.Connect(apiVersion);
        var result = session.Run("@(Get-ExMailbox alice@contoso.test).Count; (Get-ExMailbox alice@contoso.test).Kind");

        Assert.Empty(result.Errors);
        Assert.Equal(new[] { "1", "Primary" }, result.Output.Select(o => o.ToString()));
    }

    [Fact]
    public void Archive_returns_the_archive_mailbox_on_beta_and_says_why_not_on_v1()
    {
        using var beta = _emulator.Connect("beta");
        var archive = beta.Run("Get-ExMailbox alice@contoso.test, bob@contoso.test -Archive");
        using var v1 = _emulator.Connect();
        var refused = v1.Run("Get-ExMailbox alice@contoso.test -Archive");

        var mailbox = Assert.Single(archive.Output);
        Assert.Equal("Archive", Property(mailbox, "Kind"));
        Assert.Equal(_emulator.Server.Control.GetMailboxId("alice@contoso.test", archive: true), Property(mailbox, "MailboxId"));
        var error = Assert.Single(archive.Errors);
        Assert.StartsWith("ArchiveNotFound,", error.FullyQualifiedErrorId);
        Assert.Equal("bob@contoso.test", error.TargetObject);
        Assert.StartsWith("ArchiveNeedsBeta,", Assert.Single(refused.Errors).FullyQualifiedErrorId);
        Assert.Contains("-ApiVersion beta", refused.Errors[0].ToString());
    }

    [Fact]
    public void All_lists_every_mailbox_of_the_tenant_with_a_filter_and_paging()
    {
        using var session = _emulator.Connect("beta");
        var all = session.Run("Get-ExMailbox -All -PageSize 1");
        var archives = session.Run("Get-ExMailbox -All -Archive");
        var filtered = session.Run("Get-ExMailbox -All -Filter \"startswith(userPrincipalName,'b')\"");
        var paged = session.Run("Get-ExMailbox -All -Skip 1 -First 1");

        Assert.Empty(all.Errors);
        Assert.Equal(new[] { "alice@contoso.test", "bob@contoso.test" }, all.Output.Select(o => Property(o, "UserId"))); // carol has no mailbox
        Assert.All(all.Output, o => Assert.Equal("Primary", Property(o, "Kind")));
        Assert.True(_emulator.Server.Control.Requests.Count(r => r.Path.EndsWith("/users")) >= 3, "users are read a page at a time");
        Assert.Equal(new[] { "alice@contoso.test" }, archives.Output.Select(o => Property(o, "UserId")));
        Assert.Equal(new[] { "bob@contoso.test" }, filtered.Output.Select(o => Property(o, "UserId")));
        Assert.Equal(new[] { "bob@contoso.test" }, paged.Output.Select(o => Property(o, "UserId")));
    }

    [Fact]
    public void A_user_principal_name_works_wherever_a_mailbox_id_is_expected()
    {
        using var session = _emulator.Connect();
        var before = _emulator.Server.Control.Requests.Count;
        var result = session.Run("""
            Get-ExMailboxFolder -MailboxId alice@contoso.test -WellKnownName inbox
            Get-ExMailboxItem -MailboxId alice@contoso.test -FolderId inbox -First 2
            New-ExImportSession bob@contoso.test
            """);

        Assert.Empty(result.Errors);
        Assert.Equal("/Inbox", Property(result.Output[0], "Path"));
        Assert.Equal(_emulator.Server.Control.GetMailboxId("alice@contoso.test"), Property(result.Output[1], "MailboxId"));
        Assert.Equal(_emulator.Server.Control.GetMailboxId("bob@contoso.test"), Property(result.Output[3], "MailboxId"));
        // Each user is looked up once per connection.
        Assert.Equal(2, _emulator.Server.Control.Requests.Skip(before).Count(r => r.Path.EndsWith("/settings/exchange")));
    }

    [Fact]
    public void A_name_that_is_neither_a_mailbox_nor_a_user_is_named_in_the_error()
    {
        using var session = _emulator.Connect();
        var result = session.Run("Get-ExMailboxItem -MailboxId nobody@contoso.test -FolderId inbox");

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("MailboxNotFound,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Contains("'nobody@contoso.test' is not a mailbox id", error.ToString());
    }

    [Fact]
    public void Plain_item_ids_from_the_pipeline_are_exported()
    {
        using var session = _emulator.Connect();
        var ids = session.Run("Get-ExMailbox alice@contoso.test | Get-ExMailboxFolder -WellKnownName inbox | Get-ExMailboxItem -First 3 | ForEach-Object Id")
            .Output.Select(o => o.ToString()).ToArray();

        var exported = session.Run("$m = Get-ExMailbox alice@contoso.test; $args[0] | Export-ExMailboxItem -MailboxId $m.MailboxId", (object)ids);

        Assert.Empty(exported.Errors);
        Assert.Equal(ids, exported.Output.Select(o => Property(o, "ItemId")));
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
        // In a process of its own: in this one, other tests' connections are shared with runspaces that have none.
        using var folder = new TemporaryDirectory("mie-notconnected-");
        var script = Path.Combine(folder.Path, "not-connected.ps1");
        File.WriteAllText(script, """
            Import-Module $args[0]
            try { Get-ExMailbox alice@contoso.test } catch { "ERROR $($_.FullyQualifiedErrorId)"; "MESSAGE $($_.Exception.Message)" }
            """);
        var result = ScriptProcess.RunInBareHost(script, ModuleUnderTest.ManifestPath);

        var lines = result.Output.Split('\n').Select(l => l.Trim()).ToList();
        Assert.Contains(lines, l => l.StartsWith("ERROR NotConnected,", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("MESSAGE ", StringComparison.Ordinal) && l.Contains("Connect-ExMailboxService"));
        Assert.Equal(2, lines.Count(l => l.Length > 0)); // nothing else came out
    }

    [Fact]
    public void Verbose_explains_the_calls_made()
    {
        using var session = _emulator.Connect();
        var result = session.Run("$DebugPreference = 'Continue'; Get-ExMailbox alice@contoso.test -Verbose");
        Assert.Contains(result.Debug, d => d.Contains("GET ") && d.Contains("/settings/exchange"));
    }
}
