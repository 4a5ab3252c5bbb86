using System.Diagnostics;
using System.Management.Automation;
using System.Reflection;
using MailboxImportExport.Engine.Models;
using MailboxImportExport.Engine.Transfer;

namespace MailboxImportExport.Module.Tests;

public class TransferTests : IClassFixture<EmulatorFixture>
{
    private readonly EmulatorFixture _emulator;

    public TransferTests(EmulatorFixture emulator) => _emulator = emulator;

    private static string Text(PSObject o, string name) => o.Properties[name].Value?.ToString() ?? "";
    private int ExportCalls() => _emulator.Server.Control.Requests.Count(r => r.Path.EndsWith("/exportItems"));

    /// <summary>A mailbox folder of bob's filled with planted items, so each test has its own data.</summary>
    private (string MailboxId, string FolderId) PlantedFolder(PowerShellSession session, string name, int items)
    {
        var mailbox = _emulator.Server.Control.GetMailboxId("bob@contoso.test");
        var folder = Text(Assert.Single(session.Run("New-ExMailboxFolder -MailboxId $args[0] -Name $args[1]", mailbox, name).Output), "Id");
        _emulator.Server.Control.AddItems(mailbox, folder, items, name);
        return (mailbox, folder);
    }

    [Fact]
    public void Every_item_of_alices_mailbox_round_trips_byte_for_byte_through_bob()
    {
        using var session = _emulator.Connect();
        var copy = session.Run("""
            $bob = Get-ExMailbox bob@contoso.test
            Get-ExMailbox alice@contoso.test | Get-ExMailboxFolder -Recurse | Get-ExMailboxItem | Export-ExMailboxItem |
                Import-ExMailboxItem -TargetMailboxId $bob.MailboxId -PreserveFolderStructure -TargetRootPath /Imported/alice
            """);
        Assert.Empty(copy.Errors);
        var results = copy.Output.Select(o => (ExImportResult)o.BaseObject).ToList();
        var aliceItems = session.Run("Get-ExMailbox alice@contoso.test | Get-ExMailboxFolder -Recurse | Get-ExMailboxItem").Output;
        Assert.Equal(aliceItems.Count, results.Count);
        Assert.Equal(new[] { "IPM.Appointment", "IPM.Contact", "IPM.Note", "IPM.Task" },
            aliceItems.Select(i => Text(i, "Type")).Distinct().OrderBy(t => t));

        // The whole tree was recreated under the root, each folder with the class of what it holds.
        var bobFolders = session.Run("Get-ExMailbox bob@contoso.test | Get-ExMailboxFolder -Recurse").Output;
        var alicePathsWithItems = session.Run("Get-ExMailbox alice@contoso.test | Get-ExMailboxFolder -Recurse | Where-Object TotalItemCount -gt 0").Output
            .Select(f => "/Imported/alice" + Text(f, "Path"));
        Assert.All(alicePathsWithItems, path => Assert.Contains(bobFolders, f => Text(f, "Path") == path));
        Assert.Equal("IPF.Appointment", Text(bobFolders.Single(f => Text(f, "Path") == "/Imported/alice/Calendar"), "Type"));

        // Export what landed in bob's mailbox: the same bytes, item for item.
        foreach (var result in results)
        {
            var original = _emulator.Server.Control.GetItemData(result.SourceItemId!);
            var copied = _emulator.Server.Control.GetItemData(result.ItemId);
            Assert.Equal(original, copied);
        }
        var reExported = session.Run("Export-ExMailboxItem -MailboxId $args[0] -ItemId $args[1]", results[0].TargetMailboxId, results.Take(25).Select(r => r.ItemId).ToArray())
            .Output.Select(o => (ExExportedItem)o.BaseObject).ToList();
        Assert.Equal(25, reExported.Count);
        foreach (var item in reExported)
            Assert.Equal(_emulator.Server.Control.GetItemData(results.Single(r => r.ItemId == item.ItemId).SourceItemId!), item.Data.ReadAllBytes());
    }

    [Fact]
    public void Forty_five_items_take_exactly_three_export_calls()
    {
        using var session = _emulator.Connect();
        var (mailbox, folder) = PlantedFolder(session, "Batching", 45);
        var before = ExportCalls();

        var exported = session.Run("Get-ExMailboxItem -MailboxId $args[0] -FolderId $args[1] | Export-ExMailboxItem", mailbox, folder);

        Assert.Empty(exported.Errors);
        Assert.Equal(45, exported.Output.Count);
        Assert.Equal(3, ExportCalls() - before);
    }

    [Fact]
    public void Exported_items_can_be_selected_by_subject_without_more_calls()
    {
        using var session = _emulator.Connect();
        var items = session.Run("Get-ExMailbox alice@contoso.test | Get-ExMailboxFolder -WellKnownName inbox | Get-ExMailboxItem").Output;
        var requestsBefore = _emulator.Server.Control.Requests.Count;

        var budget = session.Run("$args[0] | Export-ExMailboxItem | Where-Object Subject -like '*budget*'", (object)items.ToArray());

        Assert.Empty(budget.Errors);
        Assert.Equal(12, budget.Output.Count);
        Assert.All(budget.Output, o => Assert.Contains("budget", Text(o, "Subject"), StringComparison.OrdinalIgnoreCase));
        Assert.All(budget.Output, o => Assert.Equal("/Inbox", Text(o, "SourceFolderPath")));
        var calls = _emulator.Server.Control.Requests.Skip(requestsBefore).ToList();
        Assert.All(calls, r => Assert.EndsWith("/exportItems", r.Path));
        Assert.Equal(6, calls.Count); // 120 items, 20 a call
    }

    [Fact]
    public void A_missing_item_fails_alone_with_the_service_code_and_the_rest_are_exported()
    {
        using var session = _emulator.Connect();
        var (mailbox, folder) = PlantedFolder(session, "PartlyMissing", 3);
        var ids = session.Run("Get-ExMailboxItem -MailboxId $args[0] -FolderId $args[1]", mailbox, folder).Output.Select(o => Text(o, "Id")).ToList();
        _emulator.Server.Control.DeleteItem(ids[1]);

        var result = session.Run("Export-ExMailboxItem -MailboxId $args[0] -ItemId $args[1]", mailbox, ids.ToArray());

        Assert.Equal(new[] { ids[0], ids[2] }, result.Output.Select(o => Text(o, "ItemId")));
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("ErrorItemNotFound,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Equal(ids[1], ((ExportRequest)error.TargetObject).ItemId);
    }

    [Fact]
    public void An_export_folder_is_imported_by_another_process_with_the_same_result()
    {
        using var session = _emulator.Connect();
        var (mailbox, folder) = PlantedFolder(session, "ToFiles", 7);
        using var temporary = new TemporaryDirectory("mie-export-");
        var directory = Path.Combine(temporary.Path, "export");

        var export = session.Run("Get-ExMailboxItem -MailboxId $args[0] -FolderId $args[1] | Export-ExMailboxItem -Path $args[2]", mailbox, folder, directory);
        Assert.Empty(export.Errors);
        Assert.Equal(7, ((ExTransferSummary)Assert.Single(export.Output).BaseObject).Copied);
        Assert.Equal(7, Directory.GetFiles(directory, "*.fts").Length);
        var again = session.Run("Get-ExMailboxItem -MailboxId $args[0] -FolderId $args[1] | Export-ExMailboxItem -Path $args[2] -Verbose", mailbox, folder, directory);
        Assert.Equal(7, again.Verbose.Count(v => v.StartsWith("Skipped")));
        Assert.Equal(7, ((ExTransferSummary)Assert.Single(again.Output).BaseObject).Skipped);

        var script = Path.Combine(directory, "import.ps1");
        File.WriteAllText(script, $$"""
            param([uri] $Emulator)
            Connect-ExMailboxService -Emulator $Emulator
            $bob = Get-ExMailbox bob@contoso.test
            $target = $bob | New-ExMailboxFolder -Path /FromFiles
            Import-ExMailboxItem -Path '{{directory}}' -TargetMailbox $bob -TargetFolder $target | ForEach-Object { "IMPORTED $($_.SourceItemId) -> $($_.ItemId)" }
            """);
        var run = ScriptProcess.Run(_emulator.BaseUri, script);

        Assert.True(run.ExitCode == 0, run.AllText);
        var output = run.Output;
        var imported = output.Split('\n').Where(l => l.StartsWith("IMPORTED ")).Select(l => l.Split(' ')).ToList();
        Assert.Equal(7, imported.Count);
        foreach (var line in imported)
            Assert.Equal(_emulator.Server.Control.GetItemData(line[1]), _emulator.Server.Control.GetItemData(line[3].Trim()));
    }

    [Fact]
    public void A_session_that_expires_mid_run_is_renewed_and_nothing_is_lost_or_doubled()
    {
        using var session = _emulator.Connect();
        var (mailbox, folder) = PlantedFolder(session, "Renewal", 30);
        var importsBefore = _emulator.Server.Control.Requests.Count(r => r.Path.EndsWith("/importItem") && r.StatusCode == 200);
        // Imports run in the background: the sessions expire once the items before have landed (a condition, not a delay).
        Action<int> expireAfter = landed =>
        {
            if (!SpinWait.SpinUntil(() => _emulator.Server.Control.Requests.Count(r => r.Path.EndsWith("/importItem") && r.StatusCode == 200) - importsBefore >= landed,
                    TimeSpan.FromSeconds(60)))
                throw new TimeoutException($"{landed} imports did not land.");
            _emulator.Server.Control.ExpireImportSessions();
        };

        var result = session.Run("""
            $expireAfter = $args[2]
            $n = 0
            $target = Get-ExMailbox bob@contoso.test | New-ExMailboxFolder -Path /Renewed
            Get-ExMailboxItem -MailboxId $args[0] -FolderId $args[1] | Export-ExMailboxItem |
                ForEach-Object { $n++; if ($n -eq 10 -or $n -eq 20) { $expireAfter.Invoke($n - 1) }; $_ } |
                Import-ExMailboxItem -TargetMailboxId $args[0] -TargetFolder $target
            """, mailbox, folder, expireAfter);

        Assert.Empty(result.Errors);
        Assert.Equal(30, result.Output.Count);
        var landed = session.Run("Get-ExMailbox bob@contoso.test | Get-ExMailboxFolder -Recurse | Where-Object Path -eq '/Renewed' | Get-ExMailboxItem").Output;
        Assert.Equal(30, landed.Count);
        Assert.Equal(30, result.Output.Select(o => Text(o, "SourceItemId")).Distinct().Count());
        Assert.True(_emulator.Server.Control.Requests.Count(r => r.Path.EndsWith("/createImportSession")) >= 3, "sessions were renewed");
    }

    [Fact]
    public void Update_mode_overwrites_in_place_and_create_rules_are_checked_before_sending()
    {
        using var session = _emulator.Connect();
        var (mailbox, folder) = PlantedFolder(session, "Updates", 1);

        var item = (ExExportedItem)Assert.Single(session.Run("Get-ExMailboxItem -MailboxId $args[0] -FolderId $args[1] | Export-ExMailboxItem", mailbox, folder).Output).BaseObject;
        // An overwrite is confirmed unless the script says -Force (or -Confirm:$false).
        var unconfirmed = session.Run("$args[0] | Import-ExMailboxItem -TargetMailboxId $args[1] -TargetFolderId $args[2] -Mode Update", item, mailbox, folder);
        Assert.Empty(unconfirmed.Output);
        Assert.Contains("not interactive", Assert.Single(unconfirmed.Errors).ToString());
        var updated = session.Run("$args[0] | Import-ExMailboxItem -TargetMailboxId $args[1] -TargetFolderId $args[2] -Mode Update -Force", item, mailbox, folder);
        Assert.Empty(updated.Errors);
        var result = (ExImportResult)Assert.Single(updated.Output).BaseObject;
        Assert.Equal(item.ItemId, result.ItemId);
        Assert.NotEqual(item.ChangeKey, result.ChangeKey);

        // The stale ChangeKey given explicitly is a real conflict: an error for that item.
        var stale = session.Run("$args[0] | Import-ExMailboxItem -TargetMailboxId $args[1] -TargetFolderId $args[2] -Mode Update -TargetChangeKey $args[0].ChangeKey -Force", item, mailbox, folder);
        Assert.Single(stale.Errors);

        var wrong = session.Run("$args[0] | Import-ExMailboxItem -TargetMailboxId $args[1] -TargetFolderId $args[2] -TargetItemId x", item, mailbox, folder);
        Assert.StartsWith("CreateWithItemId,", Assert.Single(wrong.Errors).FullyQualifiedErrorId);
        var noFolder = session.Run("$args[0] | Import-ExMailboxItem -TargetMailboxId $args[1]", item, mailbox);
        Assert.StartsWith("TargetFolderRequired,", Assert.Single(noFolder.Errors).FullyQualifiedErrorId);
    }

    [Fact]
    public void An_in_place_restore_of_ten_items_three_of_them_changed_since_export_succeeds_without_TargetChangeKey()
    {
        using var session = _emulator.Connect();
        var (mailbox, folder) = PlantedFolder(session, "Restore", 10);
        var saved = session.Run("Get-ExMailboxItem -MailboxId $args[0] -FolderId $args[1] | Export-ExMailboxItem", mailbox, folder).Output.Select(o => o.BaseObject).ToArray();
        foreach (var item in saved.Cast<ExExportedItem>().Take(3)) _emulator.Server.Control.TouchItem(item.ItemId);

        var restore = session.Run("$args[0] | Import-ExMailboxItem -TargetMailboxId $args[1] -TargetFolderId $args[2] -Mode Update -Force", saved, mailbox, folder);

        Assert.Empty(restore.Errors);
        Assert.Equal(10, restore.Output.Count);
        Assert.All(restore.Output, o => Assert.Equal(ImportMode.Update, ((ExImportResult)o.BaseObject).Mode));
        Assert.Equal(saved.Cast<ExExportedItem>().Select(i => i.ItemId).OrderBy(x => x), restore.Output.Select(o => ((ExImportResult)o.BaseObject).ItemId).OrderBy(x => x));
    }

    [Fact]
    public void WhatIf_imports_nothing()
    {
        using var session = _emulator.Connect();
        var (mailbox, folder) = PlantedFolder(session, "WhatIfSource", 3);
        var before = _emulator.Server.Control.Requests.Count(r => r.Path.EndsWith("/importItem"));

        var result = session.Run("Get-ExMailboxItem -MailboxId $args[0] -FolderId $args[1] | Export-ExMailboxItem | Import-ExMailboxItem -TargetMailboxId $args[0] -TargetWellKnownName inbox -WhatIf", mailbox, folder);

        Assert.Empty(result.Errors);
        Assert.Empty(result.Output);
        Assert.Equal(3, result.HostText.Split('\n').Count(l => l.StartsWith("What if")));
        Assert.Equal(before, _emulator.Server.Control.Requests.Count(r => r.Path.EndsWith("/importItem")));

        var preserved = session.Run("Get-ExMailboxFolder -MailboxId $args[0] -Name WhatIfSource | Get-ExMailboxItem | Export-ExMailboxItem | Import-ExMailboxItem -TargetMailboxId $args[0] -PreserveFolderStructure -TargetRootPath /NeverCreated -WhatIf", mailbox);
        Assert.Empty(preserved.Errors);
        Assert.True(preserved.HostText.Replace("\n", "").Contains("/NeverCreated/WhatIfSource"), preserved.HostText);
        Assert.Empty(session.Run("Get-ExMailboxFolder -MailboxId $args[0] -Name NeverCreated", mailbox).Output);
    }

    [Fact]
    public void The_import_url_token_never_appears_in_any_stream_output_or_file()
    {
        using var session = _emulator.Connect();
        var (mailbox, folder) = PlantedFolder(session, "Secrets", 3);
        using var temporary = new TemporaryDirectory("mie-secrets-");
        var directory = Path.Combine(temporary.Path, "export");
        var state = Path.Combine(directory, "delta.json");

        var sessionObject = Assert.Single(session.Run("New-ExImportSession -MailboxId $args[0]", mailbox).Output);
        var importUrl = (string)typeof(ExImportSession).GetProperty("ImportUrl", BindingFlags.Instance | BindingFlags.NonPublic)!
            .GetValue(sessionObject.BaseObject)!.ToString()!;
        var token = Uri.UnescapeDataString(importUrl.Substring(importUrl.IndexOf("authtoken=", StringComparison.Ordinal) + "authtoken=".Length));
        Assert.True(token.Length > 10);

        var run = session.Render("""
            $DebugPreference = 'Continue'
            $VerbosePreference = 'Continue'
            $s = $args[3]
            $s
            "$s"
            $s.PSObject.Properties | ForEach-Object { '{0}={1}' -f $_.Name, $_.Value }
            Get-ExMailboxItem -MailboxId $args[0] -FolderId $args[1] -Delta -DeltaStatePath $args[2] | Export-ExMailboxItem -Path $args[4]
            $imported = Import-ExMailboxItem -Path $args[4] -Session $s -TargetFolderId $args[1]
            $imported
            "IMPORTED=$(@($imported).Count)"
            $_expired = $args[5].Invoke()
            Import-ExMailboxItem -Path $args[4] -Session $s -TargetFolderId 'no-such-folder'
            """, mailbox, folder, state, sessionObject, directory, (Func<int>)(() => { _emulator.Server.Control.ExpireImportSessions(); return 0; }));

        // The first import went through (after the explicit session was renewed); the second stopped before sending
        // anything, naming the folder that does not exist and the parameter that gave it.
        var badFolder = Assert.Single(run.Errors);
        Assert.StartsWith("TargetFolderNotFound,", badFolder.FullyQualifiedErrorId);
        Assert.Contains("'no-such-folder' given with -TargetFolderId", badFolder.ToString());
        Assert.Contains("IMPORTED=3", run.HostText);
        Assert.DoesNotContain(token, run.AllText);
        Assert.DoesNotContain("authtoken=", run.AllText.Replace("authtoken=<redacted>", ""), StringComparison.OrdinalIgnoreCase);
        foreach (var file in Directory.GetFiles(directory, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".fts")))
            Assert.DoesNotContain(token, File.ReadAllText(file));
        Assert.DoesNotContain(token, sessionObject.ToString());
        Assert.DoesNotContain(typeof(ExImportSession).GetProperties(), p => p.Name.Contains("Url", StringComparison.OrdinalIgnoreCase));
        Directory.Delete(directory, recursive: true);
    }
}
