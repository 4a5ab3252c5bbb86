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

    [Fact]
    public void Path_and_LiteralPath_address_folders_from_the_top_with_either_separator()
    {
        using var session = _emulator.Connect();
        var result = session.Run("""
            Get-ExMailboxFolder -MailboxId alice@contoso.test -Path '/Inbox/Projects'
            Get-ExMailboxFolder -MailboxId alice@contoso.test -Path 'Inbox\Proj*\20*'
            Get-ExMailboxFolder -MailboxId alice@contoso.test -LiteralPath '/Inbox/Projects' -Recurse
            """);
        var missing = session.Run("Get-ExMailboxFolder -MailboxId alice@contoso.test -Path '/Inbox/Nope'");
        var noMatch = session.Run("Get-ExMailboxFolder -MailboxId alice@contoso.test -Path '/Inbox/Nope*'");

        Assert.Empty(result.Errors);
        Assert.Equal(new[] { "/Inbox/Projects", "/Inbox/Projects/2026", "/Inbox/Projects", "/Inbox/Projects/2026" }, result.Output.Select(f => Text(f, "Path")));
        Assert.StartsWith("FolderNotFound,", Assert.Single(missing.Errors).FullyQualifiedErrorId);
        Assert.Equal("/Inbox/Nope", missing.Errors[0].TargetObject);
        Assert.Empty(noMatch.Errors);
        Assert.Empty(noMatch.Output);
    }

    private static readonly string[] OddNames = { "A/B Tests", "back\\slash", "a[1]*b", "  padded  ", "padded", "Ünïcødé ñame", "📁 Emoji ✉" };

    [Fact]
    public void Odd_folder_names_survive_export_and_import_exactly_and_are_found_literally()
    {
        using var session = _emulator.Connect();
        var alice = _emulator.Server.Control.GetMailboxId("alice@contoso.test");
        var parent = Assert.Single(session.Run("New-ExMailboxFolder -MailboxId $args[0] -Path '/Odd names'", alice).Output);
        foreach (var name in OddNames)
        {
            var created = session.Run("$args[0] | New-ExMailboxFolder -Name $args[1]", parent, name);
            Assert.Empty(created.Errors);
            _emulator.Server.Control.AddItems(alice, Text(Assert.Single(created.Output), "Id"), 1, name);
        }
        var listed = session.Run("Get-ExMailboxFolder -MailboxId $args[0] -LiteralPath '/Odd names'", alice).Output;
        Assert.Equal(OddNames.Order(), session.Run("$args[0] | Get-ExMailboxFolder", listed[0]).Output.Select(f => Text(f, "DisplayName")).Order());

        Assert.Equal("a[1]*b", Text(Assert.Single(session.Run("$args[0] | Get-ExMailboxFolder -LiteralName 'a[1]*b'", listed[0]).Output), "DisplayName"));
        Assert.Empty(session.Run("$args[0] | Get-ExMailboxFolder -Name 'a[1]*b'", listed[0]).Output);
        Assert.Equal("  padded  ", Text(Assert.Single(session.Run("Get-ExMailboxFolder -MailboxId $args[0] -LiteralPath '/Odd names/  padded  '", alice).Output), "DisplayName"));
        Assert.Equal("A/B Tests", Text(Assert.Single(session.Run("Get-ExMailboxFolder -MailboxId $args[0] -LiteralPath '/Odd names/A\\/B Tests'", alice).Output), "DisplayName"));

        var directory = Path.Combine(Path.GetTempPath(), "mie-odd-" + Guid.NewGuid().ToString("N"));
        try
        {
            var viaPipeline = session.Run("""
                $args[0] | Get-ExMailboxFolder -Recurse | Get-ExMailboxItem | Export-ExMailboxItem |
                    Import-ExMailboxItem -TargetMailboxId bob@contoso.test -PreserveFolderStructure -TargetRootPath 'Restored\pipeline'
                """, listed[0]);
            var toFolder = session.Run("$args[0] | Get-ExMailboxFolder -Recurse | Get-ExMailboxItem | Export-ExMailboxItem -Path $args[1]", listed[0], directory);
            var fromFolder = session.Run("Import-ExMailboxItem -Path $args[0] -TargetMailboxId bob@contoso.test -PreserveFolderStructure -TargetRootPath '/Restored/files'", directory);

            Assert.Empty(viaPipeline.Errors);
            Assert.Empty(toFolder.Errors);
            Assert.Empty(fromFolder.Errors);
            Assert.Equal(OddNames.Length, viaPipeline.Output.Count);
            Assert.Equal(OddNames.Length, fromFolder.Output.Count);
            foreach (var root in new[] { "/Restored/pipeline/Odd names", "/Restored/files/Odd names" })
            {
                var restored = session.Run("Get-ExMailboxFolder -MailboxId bob@contoso.test -LiteralPath $args[0] | Get-ExMailboxFolder", root).Output;
                Assert.Equal(OddNames.Order(), restored.Select(f => Text(f, "DisplayName")).Order());
                Assert.All(restored, f => Assert.Equal("1", Text(f, "TotalItemCount")));
            }
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void A_copy_of_a_mailbox_whose_folder_listing_comes_back_flat_copies_every_item_once()
    {
        using var session = _emulator.Connect();
        var expectedPaths = session.Run("Get-ExMailbox alice@contoso.test | Get-ExMailboxFolder -Recurse").Output.Select(f => Text(f, "Path")).ToList();
        var expectedItems = session.Run("Get-ExMailbox alice@contoso.test | Get-ExMailboxFolder -Recurse | Get-ExMailboxItem").Output.Select(i => Text(i, "Id")).ToList();

        _emulator.Server.Control.FlatFolderListing = true;
        try
        {
            var paths = session.Run("Get-ExMailbox alice@contoso.test | Get-ExMailboxFolder -Recurse").Output.Select(f => Text(f, "Path")).ToList();
            var copy = session.Run("""
                Get-ExMailbox alice@contoso.test | Get-ExMailboxFolder -Recurse | Get-ExMailboxItem | Export-ExMailboxItem |
                    Import-ExMailboxItem -TargetMailboxId bob@contoso.test -PreserveFolderStructure -TargetRootPath /FlatCopy
                """);
            var copied = session.Run("Get-ExMailboxFolder -MailboxId bob@contoso.test -LiteralPath /FlatCopy -Recurse").Output;

            Assert.Equal(expectedPaths, paths);
            Assert.Empty(copy.Errors);
            var sources = copy.Output.Select(r => Text(r, "SourceItemId")).ToList();
            Assert.Equal(expectedItems.Order(), sources.Order()); // each item once, none missing
            Assert.Equal(copied.Count, copied.Select(f => Text(f, "Path")).Distinct().Count());
            Assert.Equal(expectedItems.Count, copied.Sum(f => (int)f.Properties["TotalItemCount"].Value));
            Assert.Contains(_emulator.Server.Control.Requests, r => r.Path.EndsWith("/folders") && r.StatusCode == 200);
        }
        finally
        {
            _emulator.Server.Control.FlatFolderListing = false;
        }
    }
}
