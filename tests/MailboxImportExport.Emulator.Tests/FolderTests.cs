using System.Net;

namespace MailboxImportExport.Emulator.Tests;

public class FolderTests(EmulatorFixture fx) : IClassFixture<EmulatorFixture>
{
    private static readonly string[] WellKnownUnderRoot =
        { "inbox", "sentitems", "drafts", "deleteditems", "junkemail", "outbox", "archive", "calendar", "contacts", "tasks" };

    [Theory]
    [InlineData("v1.0")]
    [InlineData("beta")]
    public async Task FolderList_IsTheChildrenOfMsgFolderRoot_PagedByTen(string version)
    {
        var first = await fx.GetAsync(fx.MailboxPath(version, fx.AliceMailbox, "folders?$top=4"));
        var all = await fx.GetAllPagesAsync(fx.MailboxPath(version, fx.AliceMailbox, "folders?$top=4"));
        var unpaged = await fx.GetAsync(fx.MailboxPath(version, fx.AliceMailbox, "folders"));
        var root = await fx.GetAsync(fx.MailboxPath(version, fx.AliceMailbox, "folders/msgfolderroot"));

        Assert.Equal(4, first.Value.Count);
        Assert.EndsWith("?%24top=4&%24skip=4", (string?)first.Body!["@odata.nextLink"]);
        Assert.Equal(10, unpaged.Value.Count); // the default page size is 10 and there are exactly 10
        Assert.Null(unpaged.Body!["@odata.nextLink"]);
        Assert.Equal(WellKnownUnderRoot, all.Select(f => (string?)f["wellKnownName"]));
        Assert.All(all, f => Assert.Equal((string?)root.Body!["id"], (string?)f["parentFolderId"]));
        Assert.Equal(all.Count, (int)root.Body!["childFolderCount"]!);
        Assert.DoesNotContain(all, f => (string?)f["wellKnownName"] == "recoverableitemsdeletions");
        Assert.Equal(version == "beta", first.Value[0].ContainsKey("parentMailboxUrl"));
        Assert.Contains("/folders", (string?)first.Body["@odata.context"]);
    }

    [Theory]
    [InlineData("v1.0")]
    [InlineData("beta")]
    public async Task FolderList_SupportsFilterSelectCountTopSkipAndOrderBy(string version)
    {
        var calendars = await fx.GetAsync(fx.MailboxPath(version, fx.AliceMailbox,
            "folders?$filter=type eq 'IPF.Appointment'&$select=displayName,type,wellKnownName&$count=true"));
        var ordered = await fx.GetAsync(fx.MailboxPath(version, fx.AliceMailbox, "folders?$orderby=displayName desc&$top=3&$skip=1"));

        Assert.Equal(1, (int)calendars.Body!["@odata.count"]!);
        var calendar = Assert.Single(calendars.Value);
        Assert.Equal(new[] { "@odata.type", "id", "displayName", "type", "wellKnownName" }, calendar.Select(p => p.Key));
        Assert.Equal(new[] { "Sent Items", "Outbox", "Junk Email" }, ordered.Value.Select(f => (string?)f["displayName"]));
        Assert.Contains("%24top=3", (string?)ordered.Body!["@odata.nextLink"]);
        Assert.EndsWith("%24skip=4", (string?)ordered.Body["@odata.nextLink"]);
    }

    [Theory]
    [InlineData("displayName eq 'Inbox' or type eq 'IPF.Note'", "'or' is not supported")]
    [InlineData("subject eq 'x'", "Could not find a property named 'subject'")]
    [InlineData("startswith(displayName,'In')", "functions are not supported")]
    [InlineData("displayName eq Inbox", "not a valid string value")]
    [InlineData("displayName gt 'A'", "'gt' is not supported on the string property")]
    public async Task UnparseableFilter_Is400NamingTheProblem(string filter, string expected)
    {
        var reply = await fx.GetAsync(fx.MailboxPath("v1.0", fx.AliceMailbox, $"folders?$filter={Uri.EscapeDataString(filter)}"));

        reply.AssertGraphError(HttpStatusCode.BadRequest, "BadRequest");
        Assert.Contains(expected, reply.ErrorMessage);
    }

    [Fact]
    public async Task UnsupportedQueryOptions_Are400()
    {
        var expand = await fx.GetAsync(fx.MailboxPath("v1.0", fx.AliceMailbox, "folders?$expand=childFolders"));
        var top = await fx.GetAsync(fx.MailboxPath("v1.0", fx.AliceMailbox, "folders?$top=-1"));

        expand.AssertGraphError(HttpStatusCode.BadRequest, "BadRequest");
        top.AssertGraphError(HttpStatusCode.BadRequest, "BadRequest");
    }

    [Theory]
    [InlineData("v1.0")]
    [InlineData("beta")]
    public async Task ChildFolders_GetByIdAndByChain_AndWellKnownNamesAnyCase(string version)
    {
        var children = await fx.GetAsync(fx.MailboxPath(version, fx.AliceMailbox, "folders/INBOX/childFolders"));
        var projects = children.Value.Single(f => (string?)f["displayName"] == "Projects");
        var projectsId = Uri.EscapeDataString((string)projects["id"]!);
        var direct = await fx.GetAsync(fx.MailboxPath(version, fx.AliceMailbox, $"folders/{projectsId}?$select=displayName"));
        var chained = await fx.GetAsync(fx.MailboxPath(version, fx.AliceMailbox, $"folders/inbox/childFolders/{projectsId}"));
        var sub = await fx.GetAsync(fx.MailboxPath(version, fx.AliceMailbox, $"folders/inbox/childFolders/{projectsId}/childFolders"));
        var wrongParent = await fx.GetAsync(fx.MailboxPath(version, fx.AliceMailbox, $"folders/sentitems/childFolders/{projectsId}"));

        Assert.Equal(new[] { "Projects", "Receipts" }, children.Value.Select(f => (string?)f["displayName"]));
        Assert.Null((string?)projects["wellKnownName"]);
        Assert.Equal(1, (int)projects["childFolderCount"]!);
        Assert.Equal(fx.Control.GetFolderId(fx.AliceMailbox, "/Inbox/Projects"), (string?)direct.Body!["id"]);
        Assert.Equal(new[] { "@odata.context", "@odata.type", "id", "displayName" }, direct.Body.Select(p => p.Key));
        Assert.Equal((int)projects["totalItemCount"]!, (int)chained.Body!["totalItemCount"]!);
        Assert.Equal("2026", (string?)Assert.Single(sub.Value)["displayName"]);
        wrongParent.AssertGraphError(HttpStatusCode.NotFound, "ErrorItemNotFound");
    }

    [Fact]
    public async Task FolderIds_AreOpaqueAndNeedEncoding_AndBadOnesAreDistinguished()
    {
        var all = await fx.GetAllPagesAsync(fx.MailboxPath("v1.0", fx.AliceMailbox, "folders?$top=100"));
        var malformed = await fx.GetAsync(fx.MailboxPath("v1.0", fx.AliceMailbox, "folders/not-an-id"));
        var unknown = await fx.GetAsync(fx.MailboxPath("v1.0", fx.AliceMailbox, "folders/AQAAAAAAAAAAAAAAAAAAAAAAAAA="));

        Assert.Contains(all, f => ((string)f["id"]!).Contains('/'));
        Assert.All(all, f => Assert.EndsWith("=", (string)f["id"]!));
        malformed.AssertGraphError(HttpStatusCode.BadRequest, "ErrorInvalidIdMalformed");
        unknown.AssertGraphError(HttpStatusCode.NotFound, "ErrorItemNotFound");
    }

    [Theory]
    [InlineData("v1.0")]
    [InlineData("beta")]
    public async Task CreateRenameDelete_KeepCountsTrue(string version)
    {
        var name = $"Created {version}";
        var inbox = await fx.GetAsync(fx.MailboxPath(version, fx.AliceMailbox, "folders/inbox"));
        var created = await fx.PostJsonAsync(fx.MailboxPath(version, fx.AliceMailbox, "folders/inbox/childFolders"),
            $$"""{"displayName":"{{name}}","type":"IPF.Note"}""");
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var id = Uri.EscapeDataString((string)created.Body!["id"]!);
        Assert.Equal(0, (int)created.Body["totalItemCount"]!);
        Assert.Null((string?)created.Body["wellKnownName"]);
        var after = await fx.GetAsync(fx.MailboxPath(version, fx.AliceMailbox, "folders/inbox"));
        Assert.Equal((int)inbox.Body!["childFolderCount"]! + 1, (int)after.Body!["childFolderCount"]!);

        var renamed = await fx.SendAsync(HttpMethod.Patch, fx.MailboxPath(version, fx.AliceMailbox, $"folders/{id}"), $$"""{"displayName":"{{name}} renamed"}""");
        Assert.Equal(HttpStatusCode.OK, renamed.Status);
        Assert.Equal($"{name} renamed", (string?)renamed.Body!["displayName"]);

        var deleted = await fx.SendAsync(HttpMethod.Delete, fx.MailboxPath(version, fx.AliceMailbox, $"folders/inbox/childFolders/{id}/$ref"), null);
        Assert.Equal(HttpStatusCode.NoContent, deleted.Status);
        var gone = await fx.GetAsync(fx.MailboxPath(version, fx.AliceMailbox, $"folders/{id}"));
        gone.AssertGraphError(HttpStatusCode.NotFound, "ErrorItemNotFound");
    }

    [Fact]
    public async Task CreateAtTheTop_AndDeleteWithoutRef_RemovesItsItems()
    {
        var created = await fx.PostJsonAsync(fx.MailboxPath("v1.0", fx.AliceMailbox, "folders"), """{"DisplayName":"Top level","Type":"IPF.Note"}""");
        var id = (string)created.Body!["id"]!;
        var itemId = fx.Control.AddItem(fx.AliceMailbox, id, fx.Control.GetItemData(await AnyInboxItemIdAsync()));

        var deleted = await fx.SendAsync(HttpMethod.Delete, fx.MailboxPath("v1.0", fx.AliceMailbox, $"folders/{Uri.EscapeDataString(id)}"), null);

        Assert.Equal(HttpStatusCode.NoContent, deleted.Status);
        Assert.Throws<KeyNotFoundException>(() => fx.Control.GetItemData(itemId));
    }

    [Theory]
    [InlineData("""{"type":"IPF.Note"}""", "displayName")]
    [InlineData("""{"displayName":"No type"}""", "type")]
    public async Task Create_WithoutARequiredField_Is400NamingIt(string body, string field)
    {
        var reply = await fx.PostJsonAsync(fx.MailboxPath("v1.0", fx.AliceMailbox, "folders"), body);

        reply.AssertGraphError(HttpStatusCode.BadRequest, "ErrorInvalidRequest");
        Assert.Contains($"'{field}'", reply.ErrorMessage);
    }

    [Fact]
    public async Task Create_MalformedJson_Is400()
    {
        var reply = await fx.PostJsonAsync(fx.MailboxPath("v1.0", fx.AliceMailbox, "folders"), """{"displayName": """);

        reply.AssertGraphError(HttpStatusCode.BadRequest, "BadRequest");
        Assert.Contains("JSON", reply.ErrorMessage);
    }

    [Fact]
    public async Task DuplicateNames_Are409_OnCreateAndRename()
    {
        var duplicate = await fx.PostJsonAsync(fx.MailboxPath("beta", fx.AliceMailbox, "folders/inbox/childFolders"), """{"displayName":"projects","type":"IPF.Note"}""");
        var receipts = Uri.EscapeDataString(fx.Control.GetFolderId(fx.AliceMailbox, "/Inbox/Receipts"));
        var rename = await fx.SendAsync(HttpMethod.Patch, fx.MailboxPath("beta", fx.AliceMailbox, $"folders/{receipts}"), """{"displayName":"Projects"}""");

        duplicate.AssertGraphError(HttpStatusCode.Conflict, "ErrorFolderExists");
        rename.AssertGraphError(HttpStatusCode.Conflict, "ErrorFolderExists");
    }

    [Fact]
    public async Task TypeChange_Is400SayingTypeCannotChange()
    {
        var receipts = Uri.EscapeDataString(fx.Control.GetFolderId(fx.AliceMailbox, "/Inbox/Receipts"));

        var reply = await fx.SendAsync(HttpMethod.Patch, fx.MailboxPath("v1.0", fx.AliceMailbox, $"folders/{receipts}"), """{"type":"IPF.Contact"}""");

        reply.AssertGraphError(HttpStatusCode.BadRequest, "ErrorInvalidPropertyUpdate");
        Assert.Contains("type cannot be changed", reply.ErrorMessage);
    }

    [Theory]
    [InlineData("inbox")]
    [InlineData("msgfolderroot")]
    [InlineData("recoverableitemsdeletions")]
    public async Task DistinguishedFolders_CannotBeDeleted(string name)
    {
        var reply = await fx.SendAsync(HttpMethod.Delete, fx.MailboxPath("v1.0", fx.AliceMailbox, $"folders/{name}/$ref"), null);

        reply.AssertGraphError(HttpStatusCode.Forbidden, "ErrorDeleteDistinguishedFolder");
    }

    private async Task<string> AnyInboxItemIdAsync()
    {
        var items = await fx.GetAsync(fx.MailboxPath("v1.0", fx.AliceMailbox, "folders/inbox/items?$top=1"));
        return (string)items.Value[0]["id"]!;
    }
}
