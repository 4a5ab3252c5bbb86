using System.Management.Automation;
using MailboxImportExport.Engine.Models;

namespace MailboxImportExport.Module.Tests;

/// <summary>
/// Copy-ExMailbox where the real service may differ from the emulator's defaults: a folder listing that comes back
/// flat, and an auto-expanded archive whose folders answer with redirects.
/// </summary>
public class CopyFolderWalkTests : IClassFixture<EmulatorFixture>
{
    private readonly EmulatorFixture _emulator;

    public CopyFolderWalkTests(EmulatorFixture emulator) => _emulator = emulator;

    private static int Count(PSObject folder) => (int)folder.Properties["TotalItemCount"].Value;

    private static ExTransferSummary Summary(RunResult run) => run.Output.Select(o => o.BaseObject).OfType<ExTransferSummary>().Single();

    [Fact]
    public void Copy_ExMailbox_of_a_mailbox_whose_folder_listing_comes_back_flat_copies_every_item_once()
    {
        using var session = _emulator.Connect();
        using var directory = new TemporaryDirectory("mie-flat-");
        var source = session.Run("Get-ExMailboxFolder -MailboxId alice@contoso.test -LiteralPath /Inbox/Projects -Recurse").Output;
        var expected = source.Sum(Count);

        _emulator.Server.Control.FlatFolderListing = true;
        try
        {
            var copy = session.Run("Copy-ExMailbox alice@contoso.test bob@contoso.test -IncludeFolder '/Inbox/Projects/*' -TargetRootPath /FlatCopyJob -JournalPath $args[0]",
                Path.Combine(directory.Path, "flat.journal"));

            Assert.Empty(copy.Errors);
            Assert.Equal((expected, 0), (Summary(copy).Copied, Summary(copy).Failed));
            var copied = session.Run("Get-ExMailboxFolder -MailboxId bob@contoso.test -LiteralPath /FlatCopyJob -Recurse").Output;
            Assert.Equal(new[] { "/FlatCopyJob", "/FlatCopyJob/Inbox", "/FlatCopyJob/Inbox/Projects", "/FlatCopyJob/Inbox/Projects/2026" },
                copied.Select(f => f.Properties["Path"].Value!.ToString()).Order());
            Assert.Equal(expected, copied.Sum(Count));
        }
        finally
        {
            _emulator.Server.Control.FlatFolderListing = false;
        }
    }

    [Fact]
    public void Copy_ExMailbox_of_an_archive_through_redirects_and_moved_folders_copies_every_item_once()
    {
        var control = _emulator.Server.Control;
        var archive = control.GetMailboxId("alice@contoso.test", archive: true);
        using var session = _emulator.Connect("beta");
        using var directory = new TemporaryDirectory("mie-archive-");
        control.MoveFolderToAuxiliaryArchive(archive, "/Inbox"); // beside the demo tenant's /Old Mail
        var before = control.Requests.Count;

        var copy = session.Run("""
            $archive = Get-ExMailbox alice@contoso.test -Archive
            Copy-ExMailbox $archive.MailboxId bob@contoso.test -TargetRootPath /ArchiveCopyJob -JournalPath $args[0]
            """, Path.Combine(directory.Path, "archive.journal"));

        Assert.Empty(copy.Errors);
        Assert.Equal((30, 0), (Summary(copy).Copied, Summary(copy).Failed));
        Assert.Contains(control.Requests.Skip(before), r => r.StatusCode == 308 && r.Path.Contains(archive));
        var copied = session.Run("Get-ExMailboxFolder -MailboxId bob@contoso.test -LiteralPath /ArchiveCopyJob -Recurse").Output;
        Assert.Equal(10, Count(copied.Single(f => f.Properties["Path"].Value!.ToString() == "/ArchiveCopyJob/Old Mail")));
        Assert.Equal(20, Count(copied.Single(f => f.Properties["Path"].Value!.ToString() == "/ArchiveCopyJob/Inbox")));
        Assert.Equal(30, copied.Sum(Count));
    }
}
