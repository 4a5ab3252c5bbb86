using System.Net;
using System.Text.Json.Nodes;

namespace MailboxImportExport.Emulator.Tests;

public class DeltaTests(EmulatorFixture fx) : IClassFixture<EmulatorFixture>
{
    [Theory]
    [InlineData("v1.0", "delta")]
    [InlineData("beta", "delta()")]
    public async Task ItemDelta_FullSyncThenAddChangeDelete(string version, string function)
    {
        var folder = await NewFolderWithItemsAsync(version, 12);
        var path = fx.MailboxPath(version, fx.AliceMailbox, $"folders/{Uri.EscapeDataString(folder.Id)}/items/{function}");

        var (first, firstDelta) = await SyncAsync(path, maxPageSize: 5);
        Assert.Equal(folder.Items.OrderBy(i => i, StringComparer.Ordinal), first.Select(i => (string)i["id"]!));

        var added = fx.Control.AddItem(fx.AliceMailbox, folder.Id, folder.Blob);
        var newChangeKey = fx.Control.TouchItem(folder.Items[0]);
        fx.Control.DeleteItem(folder.Items[1]);
        var (second, secondDelta) = await SyncAsync(firstDelta, maxPageSize: 5);

        Assert.Equal(3, second.Count);
        Assert.Contains(second, i => (string?)i["id"] == added && i["@removed"] is null);
        Assert.Contains(second, i => (string?)i["id"] == folder.Items[0] && (string?)i["changeKey"] == newChangeKey);
        var removed = second.Single(i => (string?)i["id"] == folder.Items[1]);
        Assert.Equal("""{"id":"ID","@removed":{"reason":"deleted"}}""".Replace("ID", folder.Items[1]), removed.ToJsonString());

        var (third, _) = await SyncAsync(secondDelta, maxPageSize: 5);
        Assert.Empty(third);
    }

    [Fact]
    public async Task ItemDelta_ReportsAnItemMovedAwayAsRemoved_AndKeepsSelect()
    {
        var folder = await NewFolderWithItemsAsync("beta", 3);
        var path = fx.MailboxPath("beta", fx.AliceMailbox, $"folders/{Uri.EscapeDataString(folder.Id)}/items/delta?$select=size");
        var (first, delta) = await SyncAsync(path, maxPageSize: null);
        Assert.All(first, i => Assert.Equal(new[] { "@odata.type", "@odata.etag", "id", "size" }, i.Select(p => p.Key)));

        var soft = await fx.SendAsync(HttpMethod.Delete,
            fx.MailboxPath("beta", fx.AliceMailbox, $"folders/{Uri.EscapeDataString(folder.Id)}/items/{Uri.EscapeDataString(folder.Items[2])}?disposalType=softDelete"), null);
        fx.Control.TouchItem(folder.Items[0]);
        var (second, _) = await SyncAsync(delta, maxPageSize: null);

        Assert.Equal(HttpStatusCode.NoContent, soft.Status);
        Assert.Equal(2, second.Count);
        Assert.NotNull(second.Single(i => (string?)i["id"] == folder.Items[2])["@removed"]);
        Assert.Equal(new[] { "@odata.type", "@odata.etag", "id", "size" }, second.Single(i => (string?)i["id"] == folder.Items[0]).Select(p => p.Key));
    }

    [Theory]
    [InlineData("v1.0")]
    [InlineData("beta")]
    public async Task FolderDelta_CoversTheWholeTree_ThenCreateRenameDelete(string version)
    {
        var path = fx.MailboxPath(version, fx.AliceMailbox, "folders/delta");
        var (first, delta) = await SyncAsync(path, maxPageSize: 4);
        Assert.Contains(first, f => (string?)f["displayName"] == "2026");
        Assert.Contains(first, f => (string?)f["wellKnownName"] == "inbox");
        Assert.DoesNotContain(first, f => (string?)f["wellKnownName"] is "msgfolderroot" or "recoverableitemsdeletions");

        var created = await fx.PostJsonAsync(fx.MailboxPath(version, fx.AliceMailbox, "folders/inbox/childFolders"), $$"""{"displayName":"Delta {{version}}","type":"IPF.Note"}""");
        var createdId = (string)created.Body!["id"]!;
        var child = await fx.PostJsonAsync(fx.MailboxPath(version, fx.AliceMailbox, $"folders/{Uri.EscapeDataString(createdId)}/childFolders"), """{"displayName":"Child","type":"IPF.Note"}""");
        var (second, secondDelta) = await SyncAsync(delta, maxPageSize: 4);
        Assert.Equal(new[] { createdId, (string)child.Body!["id"]! }.OrderBy(x => x, StringComparer.Ordinal), second.Select(f => (string)f["id"]!));

        await fx.SendAsync(HttpMethod.Patch, fx.MailboxPath(version, fx.AliceMailbox, $"folders/{Uri.EscapeDataString(createdId)}"), """{"displayName":"Renamed"}""");
        var (third, thirdDelta) = await SyncAsync(secondDelta, maxPageSize: 4);
        Assert.Equal("Renamed", (string?)Assert.Single(third)["displayName"]);

        await fx.SendAsync(HttpMethod.Delete, fx.MailboxPath(version, fx.AliceMailbox, $"folders/{Uri.EscapeDataString(createdId)}/$ref"), null);
        var (fourth, _) = await SyncAsync(thirdDelta, maxPageSize: 4);
        Assert.Equal(2, fourth.Count);
        Assert.All(fourth, f => Assert.Equal("deleted", (string?)f["@removed"]!["reason"]));
    }

    [Fact]
    public async Task ChildFolderDelta_IsScopedToTheSubtree()
    {
        var (folders, _) = await SyncAsync(fx.MailboxPath("v1.0", fx.AliceMailbox, "folders/inbox/childFolders/delta"), maxPageSize: null);

        Assert.Equal(new[] { "2026", "Projects", "Receipts" }, folders.Select(f => (string)f["displayName"]!).Order());
    }

    [Fact]
    public async Task ExpiredAndForgedTokens_Are410SyncStateNotFound()
    {
        var path = fx.MailboxPath("v1.0", fx.AliceMailbox, "folders/tasks/items/delta");
        var page = await fx.SendAsync(HttpMethod.Get, path, null, configure: r => r.Headers.Add("Prefer", "odata.maxpagesize=5"));
        var next = (string)page.Body!["@odata.nextLink"]!;
        Assert.Null(page.Body["@odata.deltaLink"]);
        var (_, delta) = await SyncAsync(path, maxPageSize: null);

        fx.Control.ExpireDeltaTokens();
        var expiredDelta = await fx.GetAsync(delta);
        var expiredSkip = await fx.GetAsync(next);
        var forged = await fx.GetAsync(path + "?$deltatoken=abc.def.ghi");
        var otherFolder = await fx.GetAsync(delta.Replace("/folders/tasks/", "/folders/contacts/"));

        foreach (var reply in new[] { expiredDelta, expiredSkip, forged, otherFolder })
        {
            reply.AssertGraphError(HttpStatusCode.Gone, "syncStateNotFound");
            Assert.Contains("full synchronization", reply.ErrorMessage);
        }
        var (restarted, _) = await SyncAsync(path, maxPageSize: null);
        Assert.Equal(12, restarted.Count);
    }

    /// <summary>Follows a delta round to its deltaLink; asserts a page has a nextLink or a deltaLink, never both.</summary>
    private async Task<(List<JsonObject> Entries, string DeltaLink)> SyncAsync(string path, int? maxPageSize)
    {
        var entries = new List<JsonObject>();
        for (var next = path; ;)
        {
            var reply = await fx.SendAsync(HttpMethod.Get, next, null,
                configure: r => { if (maxPageSize is { } size) r.Headers.Add("Prefer", $"odata.maxpagesize={size}"); });
            Assert.Equal(HttpStatusCode.OK, reply.Status);
            Assert.EndsWith("$metadata#Collection(" + (path.Contains("/items/") ? "mailboxItem)" : "mailboxFolder)"), (string?)reply.Body!["@odata.context"]);
            if (maxPageSize is { } max) Assert.True(reply.Value.Count <= max);
            entries.AddRange(reply.Value);
            var nextLink = (string?)reply.Body["@odata.nextLink"];
            var deltaLink = (string?)reply.Body["@odata.deltaLink"];
            Assert.True(nextLink is null != (deltaLink is null), "a page has exactly one of nextLink and deltaLink");
            if (deltaLink is not null)
            {
                Assert.Contains("%24deltatoken=", deltaLink);
                return (entries, deltaLink);
            }
            Assert.Contains("%24skiptoken=", nextLink);
            next = nextLink!;
        }
    }

    private sealed record TestFolder(string Id, List<string> Items, byte[] Blob);

    private async Task<TestFolder> NewFolderWithItemsAsync(string version, int count)
    {
        var created = await fx.PostJsonAsync(fx.MailboxPath(version, fx.AliceMailbox, "folders"),
            $$"""{"displayName":"Delta items {{Guid.NewGuid():N}}","type":"IPF.Note"}""");
        var id = (string)created.Body!["id"]!;
        var inbox = await fx.GetAsync(fx.MailboxPath(version, fx.AliceMailbox, "folders/inbox/items?$top=1"));
        var blob = fx.Control.GetItemData((string)inbox.Value[0]["id"]!);
        var items = Enumerable.Range(0, count).Select(_ => fx.Control.AddItem(fx.AliceMailbox, id, blob)).ToList();
        return new TestFolder(id, items, blob);
    }
}
