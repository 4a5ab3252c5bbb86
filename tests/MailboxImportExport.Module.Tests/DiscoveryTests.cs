using System.Management.Automation;

namespace MailboxImportExport.Module.Tests;

public class DiscoveryTests : IClassFixture<EmulatorFixture>
{
    private readonly EmulatorFixture _emulator;

    public DiscoveryTests(EmulatorFixture emulator) => _emulator = emulator;

    private static T Property<T>(PSObject o, string name) => (T)o.Properties[name].Value;
    private static string Text(PSObject o, string name) => o.Properties[name].Value?.ToString() ?? "";

    private static string NewFolder(PowerShellSession session, string mailboxId, string name) =>
        Text(Assert.Single(session.Run("New-ExMailboxFolder -MailboxId $args[0] -Name $args[1]", mailboxId, name).Output), "Id");

    [Fact]
    public void Recurse_lists_the_whole_tree_each_folder_under_its_parent_with_its_path()
    {
        using var session = _emulator.Connect();
        var result = session.Run("Get-ExMailbox alice@contoso.test | Get-ExMailboxFolder -Recurse");

        Assert.Empty(result.Errors);
        var paths = result.Output.Select(f => Text(f, "Path")).ToList();
        Assert.Contains("/Inbox", paths);
        Assert.Contains("/Inbox/Projects", paths);
        Assert.Contains("/Inbox/Projects/2026", paths);
        Assert.Contains("/Calendar", paths);
        Assert.Equal(paths.Count, paths.Distinct().Count());
        var byId = result.Output.ToDictionary(f => Text(f, "Id"));
        foreach (var folder in result.Output.Where(f => Property<int>(f, "Depth") > 1))
        {
            var parent = byId[Text(folder, "ParentFolderId")];
            Assert.Equal(Text(parent, "Path") + "/" + Text(folder, "DisplayName"), Text(folder, "Path"));
            Assert.Equal(Property<int>(parent, "Depth") + 1, Property<int>(folder, "Depth"));
            Assert.True(paths.IndexOf(Text(parent, "Path")) < paths.IndexOf(Text(folder, "Path")), "parents come before their children");
        }
        Assert.Equal("inbox", Text(result.Output.Single(f => Text(f, "Path") == "/Inbox"), "WellKnownName"));
    }

    [Fact]
    public void Folders_filter_by_type_and_wildcard_name_and_get_by_well_known_name()
    {
        using var session = _emulator.Connect();
        var calendars = session.Run("Get-ExMailbox alice@contoso.test | Get-ExMailboxFolder -Recurse -Type IPF.Appointment").Output;
        Assert.NotEmpty(calendars);
        Assert.All(calendars, f => Assert.Equal("IPF.Appointment", Text(f, "Type")));

        var projects = session.Run("Get-ExMailbox alice@contoso.test | Get-ExMailboxFolder -Recurse -Name 'proj*'").Output;
        Assert.Equal(new[] { "/Inbox/Projects" }, projects.Select(f => Text(f, "Path")));

        var inbox = Assert.Single(session.Run("Get-ExMailbox alice@contoso.test | Get-ExMailboxFolder -WellKnownName inbox").Output);
        Assert.Equal("/Inbox", Text(inbox, "Path"));
    }

    [Fact]
    public void Inbox_items_come_five_at_a_time_and_date_filters_reach_the_service()
    {
        using var session = _emulator.Connect();
        var five = session.Run("Get-ExMailbox alice@contoso.test | Get-ExMailboxFolder -WellKnownName inbox | Get-ExMailboxItem -First 5");
        Assert.Empty(five.Errors);
        Assert.Equal(5, five.Output.Count);
        Assert.All(five.Output, i =>
        {
            Assert.Equal("/Inbox", Text(i, "FolderPath"));
            Assert.StartsWith("MBX:", Text(i, "MailboxId"));
            Assert.False(string.IsNullOrEmpty(Text(i, "ChangeKey")));
        });

        _emulator.Server.Control.ClearRequests();
        var since = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var recent = session.Run("Get-ExMailbox alice@contoso.test | Get-ExMailboxFolder -WellKnownName inbox | Get-ExMailboxItem -CreatedAfter $args[0]", since.UtcDateTime);

        Assert.Empty(recent.Errors);
        Assert.NotEmpty(recent.Output);
        Assert.All(recent.Output, i => Assert.True(Property<DateTimeOffset>(i, "CreatedDateTime") >= since));
        Assert.Contains(_emulator.Server.Control.Requests, r => r.Path.EndsWith("/items") && r.Query.Contains("$filter=createdDateTime ge 2026-01-01T00:00:00Z"));
    }

    [Fact]
    public void IncludeTotalCount_writes_the_count_first()
    {
        using var session = _emulator.Connect();
        var inbox = Assert.Single(session.Run("Get-ExMailbox alice@contoso.test | Get-ExMailboxFolder -WellKnownName inbox").Output);
        var result = session.Run("$args[0] | Get-ExMailboxItem -First 2 -IncludeTotalCount", inbox);

        Assert.Equal(3, result.Output.Count);
        Assert.Equal((ulong)Property<int>(inbox, "TotalItemCount"), Assert.IsType<ulong>(result.Output[0].BaseObject));
        Assert.True(Property<int>(inbox, "TotalItemCount") > 2);
    }

    [Fact]
    public void A_large_folder_streams_the_first_item_before_the_last_page_is_requested()
    {
        var mailbox = _emulator.Server.Control.GetMailboxId("bob@contoso.test");
        using var session = _emulator.Connect();
        var folder = NewFolder(session, mailbox, "Bulk");
        _emulator.Server.Control.AddItems(mailbox, folder, 10_000);
        var earlierPages = _emulator.Server.Control.Requests.Count(r => r.Path.EndsWith("/items"));
        Func<int> itemPagesRequested = () => _emulator.Server.Control.Requests.Count(r => r.Path.EndsWith("/items")) - earlierPages;

        var result = session.Run("""
            $pagesRequested = $args[2]
            $seenAtFirst = -1
            $count = 0
            Get-ExMailboxItem -MailboxId $args[0] -FolderId $args[1] -PageSize 100 | ForEach-Object {
                if ($count -eq 0) { $seenAtFirst = $pagesRequested.Invoke() }
                $count++
            }
            $count, $seenAtFirst, $pagesRequested.Invoke()
            """, mailbox, folder, itemPagesRequested);

        Assert.Empty(result.Errors);
        var (count, pagesAtFirstItem, pagesAtEnd) = ((int)result.Output[0].BaseObject, (int)result.Output[1].BaseObject, (int)result.Output[2].BaseObject);
        Assert.Equal(10_000, count);
        Assert.True(pagesAtEnd >= 100, $"expected 100 pages, saw {pagesAtEnd}");
        Assert.True(pagesAtFirstItem <= 2, $"the first item arrived only after {pagesAtFirstItem} pages had been requested");
    }

    [Fact]
    public void A_second_delta_run_returns_exactly_what_changed()
    {
        var mailbox = _emulator.Server.Control.GetMailboxId("alice@contoso.test");
        var folder = _emulator.Server.Control.GetFolderId(mailbox, "/Inbox/Receipts");
        using var temporary = new TemporaryDirectory("mie-delta-");
        var state = Path.Combine(temporary.Path, "delta.json");
        using var session = _emulator.Connect();
        const string deltaRun = "Get-ExMailboxItem -MailboxId $args[0] -FolderId $args[1] -Delta -DeltaStatePath $args[2]";

        var first = session.Run(deltaRun, mailbox, folder, state);
        Assert.Empty(first.Errors);
        Assert.NotEmpty(first.Output);
        Assert.True(File.Exists(state));

        var ids = first.Output.Select(i => Text(i, "Id")).ToList();
        var added = _emulator.Server.Control.AddItems(mailbox, folder, 1).Single();
        _emulator.Server.Control.TouchItem(ids[0]);
        _emulator.Server.Control.DeleteItem(ids[1]);

        var second = session.Run(deltaRun, mailbox, folder, state);

        Assert.Empty(second.Errors);
        Assert.Equal(new[] { added, ids[0], ids[1] }.OrderBy(x => x), second.Output.Select(i => Text(i, "Id")).OrderBy(x => x));
        Assert.True(Property<bool>(second.Output.Single(i => Text(i, "Id") == ids[1]), "IsRemoved"));
        Assert.False(Property<bool>(second.Output.Single(i => Text(i, "Id") == added), "IsRemoved"));

        var third = session.Run(deltaRun, mailbox, folder, state);
        Assert.Empty(third.Output);
    }

    [Fact]
    public void An_expired_delta_token_says_to_run_a_full_sync_and_is_forgotten()
    {
        var mailbox = _emulator.Server.Control.GetMailboxId("alice@contoso.test");
        using var temporary = new TemporaryDirectory("mie-delta-");
        var state = Path.Combine(temporary.Path, "delta.json");
        using var session = _emulator.Connect();
        const string deltaRun = "Get-ExMailboxFolder -MailboxId $args[0] -Delta -DeltaStatePath $args[1]";
        Assert.NotEmpty(session.Run(deltaRun, mailbox, state).Output);

        _emulator.Server.Control.ExpireDeltaTokens();
        var expired = session.Run(deltaRun, mailbox, state);

        var error = Assert.Single(expired.Errors);
        Assert.StartsWith("DeltaTokenExpired,", error.FullyQualifiedErrorId);
        Assert.Contains("full sync", error.ErrorDetails.RecommendedAction);
        var again = session.Run(deltaRun, mailbox, state);
        Assert.Empty(again.Errors);
        Assert.NotEmpty(again.Output);
    }

    [Fact]
    public void Creating_a_path_honours_WhatIf_then_creates_the_chain_once()
    {
        using var session = _emulator.Connect();
        const string create = "Get-ExMailbox bob@contoso.test | New-ExMailboxFolder -Path /Imported/alice/Inbox";
        const string find = "Get-ExMailbox bob@contoso.test | Get-ExMailboxFolder -Recurse | Where-Object Path -like '/Imported*'";

        var whatIf = session.Run(create + " -WhatIf");
        Assert.Empty(whatIf.Errors);
        Assert.Empty(whatIf.Output);
        Assert.Contains("What if", whatIf.HostText);
        Assert.Empty(session.Run(find).Output);

        var created = Assert.Single(session.Run(create).Output);
        Assert.Equal("/Imported/alice/Inbox", Text(created, "Path"));
        Assert.Equal(new[] { "/Imported", "/Imported/alice", "/Imported/alice/Inbox" }, session.Run(find).Output.Select(f => Text(f, "Path")));

        var again = session.Run(create);
        Assert.Empty(again.Errors);
        Assert.Equal(Text(created, "Id"), Text(Assert.Single(again.Output), "Id"));
        Assert.Equal(3, session.Run(find).Output.Count);
    }

    [Fact]
    public void Folders_can_be_renamed_but_not_retyped_and_removed_with_confirmation_bypassed()
    {
        using var session = _emulator.Connect();
        var folder = Assert.Single(session.Run("Get-ExMailbox bob@contoso.test | New-ExMailboxFolder -Name 'Rename me'").Output);

        var retype = session.Run("$args[0] | Set-ExMailboxFolder -DisplayName 'Renamed' -Type IPF.Contact", folder);
        Assert.StartsWith("FolderTypeImmutable,", Assert.Single(retype.Errors).FullyQualifiedErrorId);

        var renamed = Assert.Single(session.Run("$args[0] | Set-ExMailboxFolder -DisplayName 'Renamed'", folder).Output);
        Assert.Equal("Renamed", Text(renamed, "DisplayName"));
        Assert.Equal("/Renamed", Text(renamed, "Path"));

        var removed = session.Run("$args[0] | Remove-ExMailboxFolder -Confirm:$false -PassThru", renamed);
        Assert.Empty(removed.Errors);
        Assert.Empty(session.Run("Get-ExMailbox bob@contoso.test | Get-ExMailboxFolder -Name Renamed").Output);
    }

    [Fact]
    public void Items_can_be_soft_and_hard_deleted()
    {
        var mailbox = _emulator.Server.Control.GetMailboxId("bob@contoso.test");
        using var session = _emulator.Connect();
        var folder = NewFolder(session, mailbox, "Deletions");
        var ids = _emulator.Server.Control.AddItems(mailbox, folder, 2);

        var whatIf = session.Run("Get-ExMailboxItem -MailboxId $args[0] -FolderId $args[1] | Remove-ExMailboxItem -DisposalType HardDelete -WhatIf", mailbox, folder);
        Assert.Empty(whatIf.Errors);
        Assert.Equal(2, session.Run("Get-ExMailboxItem -MailboxId $args[0] -FolderId $args[1]", mailbox, folder).Output.Count);

        var soft = session.Run("Remove-ExMailboxItem -MailboxId $args[0] -FolderId $args[1] -ItemId $args[2]", mailbox, folder, ids[0]);
        Assert.Empty(soft.Errors);
        var hard = session.Run("Remove-ExMailboxItem -MailboxId $args[0] -FolderId $args[1] -ItemId $args[2] -DisposalType HardDelete -Force", mailbox, folder, ids[1]);
        Assert.Empty(hard.Errors);
        Assert.Empty(session.Run("Get-ExMailboxItem -MailboxId $args[0] -FolderId $args[1]", mailbox, folder).Output);

        var missing = session.Run("Remove-ExMailboxItem -MailboxId $args[0] -FolderId $args[1] -ItemId $args[2] -Confirm:$false", mailbox, folder, ids[1]);
        Assert.StartsWith("ItemNotFound,", Assert.Single(missing.Errors).FullyQualifiedErrorId);
    }
}
