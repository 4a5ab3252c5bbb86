using System.Management.Automation;
using MailboxImportExport.Engine.Models;

namespace MailboxImportExport.Module.Tests;

/// <summary>Export-ExMailboxItem and Import-ExMailboxItem with -JournalPath, and export folders that remember.</summary>
public class JournalTests : IClassFixture<EmulatorFixture>
{
    private readonly EmulatorFixture _emulator;

    public JournalTests(EmulatorFixture emulator) => _emulator = emulator;

    private static string Text(PSObject o, string name) => o.Properties[name].Value?.ToString() ?? "";
    private int Calls(string pathEnd) => _emulator.Server.Control.Requests.Count(r => r.Path.EndsWith(pathEnd));

    private (string MailboxId, string FolderId) PlantedFolder(PowerShellSession session, string name, int items)
    {
        var mailbox = _emulator.Server.Control.GetMailboxId("alice@contoso.test");
        var folder = Text(Assert.Single(session.Run("New-ExMailboxFolder -MailboxId $args[0] -Name $args[1]", mailbox, name).Output), "Id");
        _emulator.Server.Control.AddItems(mailbox, folder, items, name);
        return (mailbox, folder);
    }

    [Fact]
    public void A_journalled_copy_run_again_makes_no_export_or_import_call_and_says_everything_was_skipped()
    {
        using var session = _emulator.Connect();
        using var directory = new TemporaryDirectory("mie-journal-");
        var journal = Path.Combine(directory.Path, "copy.journal");
        var (mailbox, folder) = PlantedFolder(session, "JournalledSource", 25);
        const string copy = """
            $bob = Get-ExMailbox bob@contoso.test
            Get-ExMailboxFolder -MailboxId $args[0] -Name JournalledSource | Get-ExMailboxItem |
                Export-ExMailboxItem -JournalPath $args[2] |
                Import-ExMailboxItem -TargetMailbox $bob -PreserveFolderStructure -TargetRootPath /Journalled -JournalPath $args[2]
            """;

        var first = session.Run(copy, mailbox, folder, journal);
        Assert.Empty(first.Errors);
        var firstSummary = (ExTransferSummary)Assert.Single(first.Output).BaseObject;
        Assert.Equal((25, 0, 0, 0), (firstSummary.Copied, firstSummary.Updated, firstSummary.Skipped, firstSummary.Failed));
        Assert.Equal(journal, firstSummary.JournalPath);

        var (exportsBefore, importsBefore) = (Calls("/exportItems"), Calls("/importItem"));
        var second = session.Run(copy, mailbox, folder, journal);

        Assert.Empty(second.Errors);
        var summary = (ExTransferSummary)Assert.Single(second.Output).BaseObject;
        Assert.Equal((0, 0, 25, 0), (summary.Copied, summary.Updated, summary.Skipped, summary.Failed));
        Assert.Equal(exportsBefore, Calls("/exportItems"));
        Assert.Equal(importsBefore, Calls("/importItem"));
        var landed = session.Run("Get-ExMailbox bob@contoso.test | Get-ExMailboxFolder -Recurse | Where-Object Path -eq '/Journalled/JournalledSource' | Get-ExMailboxItem").Output;
        Assert.Equal(25, landed.Count);

        // The statistics read the same job (no connection needed), per pair and folder.
        var statistics = (ExCopyStatistics)Assert.Single(session.Run("Get-ExCopyStatistics -JournalPath $args[0]", journal).Output).BaseObject;
        Assert.Equal((25, 25, 0, "Completed"), (statistics.TotalItems, statistics.Copied, statistics.Failed, statistics.Status));
        Assert.Equal("/JournalledSource", Assert.Single(statistics.Folders).FolderPath);
    }

    [Fact]
    public void A_changed_item_updates_its_copy_instead_of_adding_a_second_one()
    {
        using var session = _emulator.Connect();
        using var directory = new TemporaryDirectory("mie-journal-");
        var journal = Path.Combine(directory.Path, "copy.journal");
        var (mailbox, folder) = PlantedFolder(session, "JournalledChanges", 4);
        const string copy = """
            Get-ExMailboxFolder -MailboxId $args[0] -Name JournalledChanges | Get-ExMailboxItem |
                Export-ExMailboxItem -JournalPath $args[2] |
                Import-ExMailboxItem -TargetMailboxId $args[0] -PreserveFolderStructure -TargetRootPath /JournalledCopy -JournalPath $args[2] -PassThru
            """;
        var first = session.Run(copy, mailbox, folder, journal);
        Assert.Empty(first.Errors);
        var copies = first.Output.Select(o => o.BaseObject).OfType<ExImportResult>().ToList();
        Assert.Equal(4, copies.Count);

        var changed = copies[1].SourceItemId!;
        _emulator.Server.Control.TouchItem(changed);
        var second = session.Run(copy, mailbox, folder, journal);

        Assert.Empty(second.Errors);
        var update = Assert.Single(second.Output.Select(o => o.BaseObject).OfType<ExImportResult>());
        Assert.Equal((changed, copies[1].ItemId, Engine.Transfer.ImportMode.Update), (update.SourceItemId, update.ItemId, update.Mode));
        var summary = second.Output.Select(o => o.BaseObject).OfType<ExTransferSummary>().Single();
        Assert.Equal((0, 1, 3), (summary.Copied, summary.Updated, summary.Skipped));
        Assert.Equal(_emulator.Server.Control.GetItemData(changed), _emulator.Server.Control.GetItemData(update.ItemId));
    }

    [Fact]
    public void An_export_folder_run_twice_makes_no_export_call_and_a_damaged_file_is_exported_again()
    {
        using var session = _emulator.Connect();
        using var directory = new TemporaryDirectory("mie-journal-");
        var (mailbox, folder) = PlantedFolder(session, "ExportTwice", 6);
        const string export = "Get-ExMailboxItem -MailboxId $args[0] -FolderId $args[1] | Export-ExMailboxItem -Path $args[2]";
        Assert.Empty(session.Run(export, mailbox, folder, directory.Path).Errors);

        var before = Calls("/exportItems");
        var again = session.Run(export, mailbox, folder, directory.Path);
        Assert.Empty(again.Errors);
        Assert.Equal(6, ((ExTransferSummary)Assert.Single(again.Output).BaseObject).Skipped);
        Assert.Equal(before, Calls("/exportItems"));

        // Same length, different bytes: only the hash can tell.
        var damaged = Directory.GetFiles(directory.Path, "*.fts")[2];
        var bytes = File.ReadAllBytes(damaged);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(damaged, bytes);
        var repaired = session.Run(export, mailbox, folder, directory.Path);

        Assert.Empty(repaired.Errors);
        var summary = (ExTransferSummary)Assert.Single(repaired.Output).BaseObject;
        Assert.Equal((5, 1), (summary.Skipped, summary.Copied + summary.Updated));
        var call = Assert.Single(_emulator.Server.Control.Requests.Skip(0).Where(r => r.Path.EndsWith("/exportItems")).Skip(before));
        Assert.Equal(200, call.StatusCode);
        // Repaired: the file is the item's stream again, and its SHA-256 is the one the manifest records for it.
        var entry = ManifestEntryOf(directory.Path, Path.GetFileName(damaged));
        Assert.Equal(_emulator.Server.Control.GetItemData(entry.GetProperty("itemId").GetString()!), File.ReadAllBytes(damaged));
        Assert.Equal(entry.GetProperty("sha256").GetString(), Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(damaged))));

        // A file deleted from the folder is exported again, alone.
        var lost = Directory.GetFiles(directory.Path, "*.fts")[4];
        var lostItem = ManifestEntryOf(directory.Path, Path.GetFileName(lost)).GetProperty("itemId").GetString()!;
        File.Delete(lost);
        var exportsBeforeLoss = Calls("/exportItems");
        var restored = session.Run(export, mailbox, folder, directory.Path);
        Assert.Empty(restored.Errors);
        Assert.Equal((5, 1), (((ExTransferSummary)Assert.Single(restored.Output).BaseObject).Skipped, Calls("/exportItems") - exportsBeforeLoss));
        Assert.Equal(_emulator.Server.Control.GetItemData(lostItem), File.ReadAllBytes(lost));
        var import = session.Run("Import-ExMailboxItem -Path $args[0] -TargetMailboxId $args[1] -TargetFolderId $args[2] -WhatIf", directory.Path, mailbox, folder);
        Assert.Empty(import.Errors);

        // -Force exports every item again, unchanged or not.
        var forced = session.Run(export + " -Force", mailbox, folder, directory.Path);
        Assert.Equal(6, ((ExTransferSummary)Assert.Single(forced.Output).BaseObject).Updated);
    }

    /// <summary>The latest manifest line that names <paramref name="file"/> (the manifest is appended to, a later line wins).</summary>
    private static System.Text.Json.JsonElement ManifestEntryOf(string folder, string file) =>
        File.ReadAllLines(Path.Combine(folder, "manifest.jsonl")).Where(l => l.Length > 0)
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement)
            .Last(e => e.TryGetProperty("file", out var f) && f.GetString() == file);

    [Fact]
    public void An_fts_file_without_a_manifest_line_is_reported_and_the_rest_is_imported()
    {
        using var session = _emulator.Connect();
        using var directory = new TemporaryDirectory("mie-journal-");
        var (mailbox, folder) = PlantedFolder(session, "Orphans", 2);
        Assert.Empty(session.Run("Get-ExMailboxItem -MailboxId $args[0] -FolderId $args[1] | Export-ExMailboxItem -Path $args[2]", mailbox, folder, directory.Path).Errors);
        File.Copy(Directory.GetFiles(directory.Path, "*.fts")[0], Path.Combine(directory.Path, "stray.fts"));

        var import = session.Run("Import-ExMailboxItem -Path $args[0] -TargetMailboxId $args[1] -TargetFolderId $args[2]", directory.Path, mailbox, folder);

        Assert.Equal(2, import.Output.Count);
        var error = Assert.Single(import.Errors);
        Assert.StartsWith("ExportFolderFileNotInManifest,", error.FullyQualifiedErrorId);
        Assert.Contains("stray.fts", error.ToString());
    }

    [Fact]
    public void Export_WhatIf_without_a_folder_exports_to_the_pipeline_and_with_one_writes_nothing()
    {
        using var session = _emulator.Connect();
        using var directory = new TemporaryDirectory("mie-journal-");
        var (mailbox, folder) = PlantedFolder(session, "WhatIfExport", 2);

        var toPipeline = session.Run("Get-ExMailboxItem -MailboxId $args[0] -FolderId $args[1] | Export-ExMailboxItem -WhatIf", mailbox, folder);
        var toFolder = session.Run("Get-ExMailboxItem -MailboxId $args[0] -FolderId $args[1] | Export-ExMailboxItem -Path $args[2] -WhatIf", mailbox, folder, Path.Combine(directory.Path, "never"));

        Assert.Equal(2, toPipeline.Output.Count);
        Assert.Empty(toFolder.Output);
        Assert.False(Directory.Exists(Path.Combine(directory.Path, "never")));
    }
}
