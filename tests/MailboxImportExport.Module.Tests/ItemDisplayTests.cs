using System.Management.Automation;
using System.Text.RegularExpressions;

namespace MailboxImportExport.Module.Tests;

/// <summary>Items as admins know them (subject, sender, received time) and the default views in an 80-column console.</summary>
public class ItemDisplayTests : IClassFixture<EmulatorFixture>
{
    private readonly EmulatorFixture _emulator;

    public ItemDisplayTests(EmulatorFixture emulator) => _emulator = emulator;

    private static string Text(PSObject o, string name) => o.Properties[name].Value?.ToString() ?? "";
    private static DateTimeOffset? Received(PSObject o) => (DateTimeOffset?)o.Properties["ReceivedDateTime"].Value;

    private const string Inbox = "Get-ExMailbox alice@contoso.test | Get-ExMailboxFolder -WellKnownName inbox";

    [Fact]
    public void Items_show_subject_sender_and_received_time_read_with_the_listing_without_a_call_per_item()
    {
        using var session = _emulator.Connect();
        var before = _emulator.Server.Control.Requests.Count;
        var items = session.Run($"{Inbox} | Get-ExMailboxItem");
        var calls = _emulator.Server.Control.Requests.Skip(before).ToList();

        Assert.Empty(items.Errors);
        Assert.Equal(120, items.Output.Count);
        Assert.Equal(2, calls.Count(r => r.Path.EndsWith("/items"))); // 120 items, 100 a page
        Assert.All(calls.Where(r => r.Path.EndsWith("/items")), r => Assert.Contains("singleValueExtendedProperties", r.Query));
        var exported = session.Run($"{Inbox} | Get-ExMailboxItem -First 10 | Export-ExMailboxItem").Output;
        foreach (var export in exported)
        {
            var item = items.Output.Single(i => Text(i, "Id") == Text(export, "ItemId"));
            Assert.Equal(Text(export, "Subject"), Text(item, "Subject"));
            Assert.Equal(Text(export, "SenderName"), Text(item, "SenderName"));
            Assert.Equal(Text(export, "SenderAddress"), Text(item, "SenderAddress"));
            Assert.Equal(export.Properties["ReceivedDateTime"].Value, item.Properties["ReceivedDateTime"].Value);
            Assert.Contains("@", Text(item, "SenderAddress"));
        }
    }

    [Fact]
    public void Items_are_picked_by_subject_with_Where_Object_and_by_received_range_with_parameters()
    {
        using var session = _emulator.Connect();
        var all = session.Run($"{Inbox} | Get-ExMailboxItem").Output;
        var budget = session.Run($"{Inbox} | Get-ExMailboxItem | Where-Object Subject -like '*budget*'").Output;
        Assert.Equal(12, budget.Count);

        var ordered = all.Select(Received).OfType<DateTimeOffset>().Order().ToList();
        var (from, to) = (ordered[30], ordered[60]);
        var range = session.Run($"{Inbox} | Get-ExMailboxItem -ReceivedAfter $args[0] -ReceivedBefore $args[1]", from.UtcDateTime, to.UtcDateTime);

        Assert.Empty(range.Errors);
        Assert.Equal(all.Where(i => Received(i) >= from && Received(i) < to).Select(i => Text(i, "Id")).Order(), range.Output.Select(i => Text(i, "Id")).Order());
        var firstThree = session.Run($"{Inbox} | Get-ExMailboxItem -ReceivedAfter $args[0] -Skip 2 -First 3", from.UtcDateTime).Output;
        Assert.Equal(all.Where(i => Received(i) >= from).Skip(2).Take(3).Select(i => Text(i, "Id")), firstThree.Select(i => Text(i, "Id")));
        var counted = session.Run($"{Inbox} | Get-ExMailboxItem -ReceivedAfter $args[0] -IncludeTotalCount", from.UtcDateTime);
        Assert.StartsWith("ReceivedWithTotalCount,", Assert.Single(counted.Errors).FullyQualifiedErrorId);
    }

    [Theory]
    [InlineData("Get-ExMailbox alice@contoso.test, bob@contoso.test")]
    [InlineData("Get-ExMailbox alice@contoso.test | Get-ExMailboxFolder -Recurse")]
    [InlineData("Get-ExMailbox alice@contoso.test | Get-ExMailboxFolder -Recurse | Select-Object -First 3 | Get-ExMailboxItem -First 4")]
    [InlineData("Get-ExMailbox alice@contoso.test | Get-ExMailboxFolder -WellKnownName inbox | Get-ExMailboxItem -First 4 | Export-ExMailboxItem")]
    [InlineData("Get-ExMailbox bob@contoso.test | New-ExImportSession")]
    public void Default_views_fit_an_80_column_console(string command)
    {
        using var session = _emulator.Connect(hostWidth: 80);
        var rendered = session.Render(command);

        Assert.Empty(rendered.Errors);
        var lines = rendered.HostText.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0).ToList();
        Assert.True(lines.Count >= 3, rendered.HostText);
        Assert.All(lines, l => Assert.True(l.Length <= 80, $"{l.Length} columns: {l}"));
        // Headers sit on one line each: no column is squeezed until its header wraps.
        Assert.All(lines.Where(l => Regex.IsMatch(l, @"^-+( +-+)+$")), dashes => Assert.All(dashes.Split(' ', StringSplitOptions.RemoveEmptyEntries), d => Assert.True(d.Length >= 4, rendered.HostText)));
    }

    [Fact]
    public void Item_tables_show_readable_sizes_and_times_with_their_zone_grouped_by_folder()
    {
        using var session = _emulator.Connect(hostWidth: 80);
        var text = session.Render($"{Inbox} | Get-ExMailboxItem -First 3").HostText;

        Assert.Contains("Folder: /Inbox", text);
        Assert.Matches(@"Received\s+Size\s+From\s+Subject", text);
        var rows = text.Split('\n').Where(l => Regex.IsMatch(l, @"^\d{4}-\d\d-\d\d \d\d:\d\d [+-]\d\d:\d\d ")).ToList();
        Assert.True(3 == rows.Count, text);
        Assert.All(rows, r => Assert.Matches(@" \d+(\.\d)? (B|KB|MB) ", r));
    }

    [Fact]
    public void A_wider_console_shows_more_of_the_last_column()
    {
        using var narrow = _emulator.Connect(hostWidth: 80);
        using var wide = _emulator.Connect(hostWidth: 160);
        var mailboxId = _emulator.Server.Control.GetMailboxId("alice@contoso.test");

        Assert.DoesNotContain(mailboxId, narrow.Render("Get-ExMailbox alice@contoso.test").HostText);
        Assert.Contains(mailboxId, wide.Render("Get-ExMailbox alice@contoso.test").HostText);
    }

    [Fact]
    public void Date_parameters_take_an_item_s_own_times_strings_and_dates()
    {
        using var session = _emulator.Connect();

        var result = session.Run("""
            $items = @(Get-ExMailboxItem -MailboxId alice@contoso.test -FolderId inbox | Sort-Object ReceivedDateTime)
            $middle = $items[60]
            @(Get-ExMailboxItem -MailboxId alice@contoso.test -FolderId inbox -ReceivedAfter $middle.ReceivedDateTime).Count
            @(Get-ExMailboxItem -MailboxId alice@contoso.test -FolderId inbox -ReceivedAfter $middle.ReceivedDateTime.UtcDateTime).Count
            @(Get-ExMailboxItem -MailboxId alice@contoso.test -FolderId inbox -ReceivedAfter $middle.ReceivedDateTime.ToString('o')).Count
            @($items | Where-Object ReceivedDateTime -ge $middle.ReceivedDateTime).Count
            @(Get-ExMailboxItem -MailboxId alice@contoso.test -FolderId inbox -CreatedAfter $middle.CreatedDateTime).Count -gt 0
            """);

        Assert.Empty(result.Errors);
        var counts = result.Output.Select(o => o.ToString()).ToList();
        Assert.Equal(new[] { counts[3], counts[3], counts[3], counts[3], "True" }, counts);
        Assert.InRange(int.Parse(counts[3]), 1, 119);
    }
}
