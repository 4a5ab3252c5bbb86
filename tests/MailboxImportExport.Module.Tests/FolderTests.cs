using System.Management.Automation;

namespace MailboxImportExport.Module.Tests;

/// <summary>Folder walks, paths and folder names as admins type them.</summary>
public class FolderTests : IClassFixture<EmulatorFixture>
{
    private readonly EmulatorFixture _emulator;

    public FolderTests(EmulatorFixture emulator) => _emulator = emulator;

    private static string Text(PSObject o, string name) => o.Properties[name].Value?.ToString() ?? "";

    [Fact]
    public void Delta_takes_the_mailbox_from_the_pipeline()
    {
        using var session = _emulator.Connect();
        var result = session.Run("Get-ExMailbox alice@contoso.test | Get-ExMailboxFolder -Delta");

        Assert.Empty(result.Errors);
        Assert.Contains(result.Output, f => Text(f, "DisplayName") == "Projects");
    }

    [Fact]
    public void Delta_with_a_piped_folder_is_refused_with_the_reason()
    {
        using var session = _emulator.Connect();
        var result = session.Run("Get-ExMailbox alice@contoso.test | Get-ExMailboxFolder -WellKnownName inbox | Get-ExMailboxFolder -Delta");

        Assert.StartsWith("DeltaNeedsMailbox,", Assert.Single(result.Errors).FullyQualifiedErrorId);
        Assert.Empty(result.Output);
    }

    [Fact]
    public void A_folder_is_deleted_through_the_documented_ref_path()
    {
        using var session = _emulator.Connect();
        var folder = Assert.Single(session.Run("Get-ExMailbox bob@contoso.test | New-ExMailboxFolder -Name 'Delete by ref'").Output);

        var removed = session.Run("$args[0] | Remove-ExMailboxFolder -Confirm:$false", folder);

        Assert.Empty(removed.Errors);
        var delete = Assert.Single(_emulator.Server.Control.Requests, r => r.Method == "DELETE" && r.Path.Contains(Text(folder, "Id")));
        Assert.EndsWith("/$ref", delete.Path);
        Assert.Equal(204, delete.StatusCode);
    }
}
