using System.Net;

namespace MailboxImportExport.Emulator.Tests;

public class ItemTests(EmulatorFixture fx) : IClassFixture<EmulatorFixture>
{
    [Theory]
    [InlineData("v1.0")]
    [InlineData("beta")]
    public async Task ItemList_HasTheDocumentedShape_AndPagesThroughTheFolder(string version)
    {
        var receipts = Uri.EscapeDataString(fx.Control.GetFolderId(fx.AliceMailbox, "/Inbox/Receipts"));
        var folder = await fx.GetAsync(fx.MailboxPath(version, fx.AliceMailbox, $"folders/{receipts}"));
        var first = await fx.GetAsync(fx.MailboxPath(version, fx.AliceMailbox, $"folders/{receipts}/items"));
        var all = await fx.GetAllPagesAsync(fx.MailboxPath(version, fx.AliceMailbox, $"folders/{receipts}/items"));

        var item = first.Value[0];
        Assert.Equal(
            new[] { "@odata.type", "@odata.etag", "id", "createdDateTime", "lastModifiedDateTime", "changeKey", "categories", "type", "size" },
            item.Select(p => p.Key));
        Assert.Equal($"W/\"{(string)item["changeKey"]!}\"", (string?)item["@odata.etag"]);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", (string)item["createdDateTime"]!);
        Assert.Equal(10, first.Value.Count);
        Assert.Equal((int)folder.Body!["totalItemCount"]!, all.Count);
        Assert.Equal(all.Count, all.Select(i => (string)i["id"]!).Distinct().Count());
        Assert.Contains(all, i => (long)i["size"]! > 1_000_000);
    }

    [Theory]
    [InlineData("v1.0")]
    [InlineData("beta")]
    public async Task ItemList_FilterOnDatesAndType_SelectTopSkipCount(string version)
    {
        var query = "$filter=createdDateTime ge 2026-01-01 and createdDateTime lt 2026-04-01T00:00:00Z and type eq 'IPM.Note'&$select=type,size&$top=3&$count=true&$orderby=createdDateTime asc";
        var page = await fx.GetAsync(fx.MailboxPath(version, fx.AliceMailbox, $"folders/inbox/items?{query}"));
        var everything = await fx.GetAllPagesAsync(fx.MailboxPath(version, fx.AliceMailbox, "folders/inbox/items?$top=200"));

        var expected = everything
            .Where(i => string.CompareOrdinal((string)i["createdDateTime"]!, "2026-01-01") >= 0 && string.CompareOrdinal((string)i["createdDateTime"]!, "2026-04-01") < 0)
            .OrderBy(i => (string)i["createdDateTime"]!)
            .ToList();
        Assert.True(expected.Count > 3);
        Assert.Equal(expected.Count, (int)page.Body!["@odata.count"]!);
        Assert.Equal(expected.Take(3).Select(i => (string?)i["id"]), page.Value.Select(i => (string?)i["id"]));
        Assert.All(page.Value, i => Assert.Equal(new[] { "@odata.type", "@odata.etag", "id", "type", "size" }, i.Select(p => p.Key)));
        var next = (string)page.Body["@odata.nextLink"]!;
        Assert.Contains("%24filter=createdDateTime%20ge%202026-01-01", next);
        Assert.EndsWith("%24skip=3", next);
        var second = await fx.GetAsync(next);
        Assert.Equal(expected.Skip(3).Take(3).Select(i => (string?)i["id"]), second.Value.Select(i => (string?)i["id"]));
    }

    [Fact]
    public async Task PreferMaxPageSize_SetsThePageSize()
    {
        var reply = await fx.SendAsync(HttpMethod.Get, fx.MailboxPath("v1.0", fx.AliceMailbox, "folders/sentitems/items"), null,
            configure: r => r.Headers.Add("Prefer", "odata.maxpagesize=7"));

        Assert.Equal(7, reply.Value.Count);
        Assert.Equal("odata.maxpagesize=7", reply.Headers.GetValues("Preference-Applied").Single());
    }

    [Theory]
    [InlineData("v1.0")]
    [InlineData("beta")]
    public async Task GetItem_InItsFolderOnly(string version)
    {
        var list = await fx.GetAsync(fx.MailboxPath(version, fx.AliceMailbox, "folders/contacts/items?$top=1"));
        var id = Uri.EscapeDataString((string)list.Value[0]["id"]!);

        var item = await fx.GetAsync(fx.MailboxPath(version, fx.AliceMailbox, $"folders/contacts/items/{id}?$select=size"));
        var elsewhere = await fx.GetAsync(fx.MailboxPath(version, fx.AliceMailbox, $"folders/inbox/items/{id}"));
        var malformed = await fx.GetAsync(fx.MailboxPath(version, fx.AliceMailbox, "folders/contacts/items/xyz"));

        Assert.Equal("IPM.Contact", (string?)list.Value[0]["type"]);
        Assert.Equal(new[] { "@odata.context", "@odata.type", "@odata.etag", "id", "size" }, item.Body!.Select(p => p.Key));
        elsewhere.AssertGraphError(HttpStatusCode.NotFound, "ErrorItemNotFound");
        malformed.AssertGraphError(HttpStatusCode.BadRequest, "ErrorInvalidIdMalformed");
    }

    [Fact]
    public async Task SoftDelete_MovesToRecoverableItems_ThenHardDeletePurges()
    {
        var list = await fx.GetAsync(fx.MailboxPath("beta", fx.AliceMailbox, "folders/junkemail/items?$top=1"));
        var id = Uri.EscapeDataString((string)list.Value[0]["id"]!);

        var soft = await fx.SendAsync(HttpMethod.Delete, fx.MailboxPath("beta", fx.AliceMailbox, $"folders/junkemail/items/{id}?disposalType=softDelete"), null);
        var moved = await fx.GetAsync(fx.MailboxPath("beta", fx.AliceMailbox, $"folders/recoverableitemsdeletions/items/{id}"));
        var hard = await fx.SendAsync(HttpMethod.Delete, fx.MailboxPath("beta", fx.AliceMailbox, $"folders/recoverableitemsdeletions/items/{id}?disposalType=HardDelete"), null);
        var gone = await fx.GetAsync(fx.MailboxPath("beta", fx.AliceMailbox, $"folders/recoverableitemsdeletions/items/{id}"));

        Assert.Equal(HttpStatusCode.NoContent, soft.Status);
        Assert.Equal(HttpStatusCode.OK, moved.Status);
        Assert.NotEqual((string?)list.Value[0]["changeKey"], (string?)moved.Body!["changeKey"]);
        Assert.Equal(HttpStatusCode.NoContent, hard.Status);
        gone.AssertGraphError(HttpStatusCode.NotFound, "ErrorItemNotFound");
    }

    [Theory]
    [InlineData("")]
    [InlineData("?disposalType=moveToTrash")]
    public async Task DeleteItem_WithoutAValidDisposalType_Is400(string query)
    {
        var list = await fx.GetAsync(fx.MailboxPath("v1.0", fx.AliceMailbox, "folders/drafts/items?$top=1"));
        var id = Uri.EscapeDataString((string)list.Value[0]["id"]!);

        var reply = await fx.SendAsync(HttpMethod.Delete, fx.MailboxPath("v1.0", fx.AliceMailbox, $"folders/drafts/items/{id}{query}"), null);

        reply.AssertGraphError(HttpStatusCode.BadRequest, "ErrorInvalidRequest");
        Assert.Contains("disposalType", reply.ErrorMessage);
    }
}
