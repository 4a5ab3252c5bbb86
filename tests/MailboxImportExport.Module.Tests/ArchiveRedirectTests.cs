using System.Management.Automation;

namespace MailboxImportExport.Module.Tests;

/// <summary>Auto-expanding archives: folders in an auxiliary archive (308 redirects) and folders moved there after listing.</summary>
public class ArchiveRedirectTests : IClassFixture<EmulatorFixture>
{
    private readonly EmulatorFixture _emulator;

    public ArchiveRedirectTests(EmulatorFixture emulator) => _emulator = emulator;

    private static string Text(PSObject o, string name) => o.Properties[name].Value?.ToString() ?? "";

    [Fact]
    public void An_archive_copy_through_a_redirect_and_a_moved_folder_copies_every_item_once()
    {
        var control = _emulator.Server.Control;
        var archive = control.GetMailboxId("alice@contoso.test", archive: true);
        using var session = _emulator.Connect("beta");
        var before = control.Requests.Count;

        // The demo tenant's /Old Mail lives in alice's auxiliary archive: its items are listed through a 308.
        var listed = session.Run("$global:items = @(Get-ExMailbox alice@contoso.test -Archive | Get-ExMailboxFolder -Recurse | Get-ExMailboxItem); $items");
        Assert.Empty(listed.Errors);
        Assert.Equal(30, listed.Output.Count);
        Assert.Contains(control.Requests.Skip(before), r => r.StatusCode == 308 && r.Path.Contains(archive));

        // The Inbox moves there after it was listed: its items' export answers ErrorArchiveFolderMovedPermanently.
        var auxiliary = control.MoveFolderToAuxiliaryArchive(archive, "/Inbox");
        Assert.Contains(control.Requests.Skip(before), r => r.StatusCode == 200 && r.Path.Contains(auxiliary) && r.Path.EndsWith("/items") && r.HadAuthorization);
        var copy = session.Run("$items | Export-ExMailboxItem | Import-ExMailboxItem -TargetMailboxId bob@contoso.test -PreserveFolderStructure -TargetRootPath /FromArchive");

        Assert.Empty(copy.Errors);
        var sources = copy.Output.Select(r => Text(r, "SourceItemId")).ToList();
        Assert.Equal(listed.Output.Select(i => Text(i, "Id")).Order(), sources.Order());
        Assert.Contains(control.Requests, r => r.Path.EndsWith($"{auxiliary}/exportItems") && r.StatusCode == 200);
        var copied = session.Run("Get-ExMailboxFolder -MailboxId bob@contoso.test -LiteralPath /FromArchive -Recurse").Output;
        Assert.Equal(30, copied.Sum(f => (int)f.Properties["TotalItemCount"].Value));
    }

    [Fact]
    public void A_folder_redirected_once_is_not_bounced_again_on_the_same_connection()
    {
        var control = _emulator.Server.Control;
        var archive = control.GetMailboxId("alice@contoso.test", archive: true);
        using var session = _emulator.Connect("beta");
        const string list = "Get-ExMailbox alice@contoso.test -Archive | Get-ExMailboxFolder -LiteralPath '/Old Mail' | Get-ExMailboxItem";

        var before = control.Requests.Count;
        var first = session.Run(list);
        var bounces = control.Requests.Skip(before).Count(r => r.StatusCode == 308);
        var between = control.Requests.Count;
        var second = session.Run(list);

        Assert.Empty(first.Errors);
        Assert.Empty(second.Errors);
        Assert.Equal(10, first.Output.Count);
        Assert.Equal(first.Output.Select(i => Text(i, "Id")), second.Output.Select(i => Text(i, "Id")));
        Assert.True(bounces >= 1, "the first call is redirected");
        Assert.DoesNotContain(control.Requests.Skip(between), r => r.StatusCode == 308);
        Assert.Contains(control.Requests.Skip(between), r => r.Path.EndsWith("/items") && !r.Path.Contains(archive));
    }
}
