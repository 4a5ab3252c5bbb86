using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using MailboxImportExport.Fts;

namespace MailboxImportExport.Emulator.Tests;

public class ExportImportTests(EmulatorFixture fx) : IClassFixture<EmulatorFixture>
{
    [Theory]
    [InlineData("v1.0")]
    [InlineData("beta")]
    public async Task ExportImportExport_IsByteIdentical_AndUpdateKeepsTheId(string version)
    {
        var source = await FirstItemAsync(version, "folders/inbox/items?$filter=size gt 100000");
        var exported = await ExportAsync(version, fx.AliceMailbox, source);
        var data = (string)exported["data"]!;
        var sourceItem = await fx.GetAsync(fx.MailboxPath(version, fx.AliceMailbox, $"folders/inbox/items/{Uri.EscapeDataString(source)}"));
        Assert.Equal((string?)sourceItem.Body!["changeKey"], (string?)exported["changeKey"]);
        Assert.Equal(source, (string?)exported["itemId"]);
        Assert.Equal(fx.Control.GetItemData(source), Convert.FromBase64String(data));

        var importUrl = await fx.CreateSessionAsync(version, fx.BobMailbox);
        var created = await fx.ImportAsync(importUrl, $$"""{"FolderId":"inbox","Mode":"create","Data":"{{data}}"}""");
        Assert.Equal(HttpStatusCode.OK, created.Status);
        var newId = (string)created.Body!["itemId"]!;
        Assert.EndsWith($"api/g{version}/$metadata#microsoft.graph.importMailboxItemResponse", (string?)created.Body["@odata.context"]);

        var again = await ExportAsync(version, fx.BobMailbox, newId);
        Assert.Equal(data, (string?)again["data"]);
        Assert.Equal((string?)created.Body["changeKey"], (string?)again["changeKey"]);
        var listed = await fx.GetAsync(fx.MailboxPath(version, fx.BobMailbox, $"folders/inbox/items/{Uri.EscapeDataString(newId)}"));
        Assert.Equal(Convert.FromBase64String(data).Length, (long)listed.Body!["size"]!);
        Assert.Equal("IPM.Note", (string?)listed.Body["type"]);

        var taskBlob = fx.Control.GetItemData(await FirstItemAsync(version, "folders/tasks/items"));
        var updated = await fx.ImportAsync(importUrl, $$"""{"folderId":"inbox","mode":"Update","data":"{{Convert.ToBase64String(taskBlob)}}","itemId":"{{newId}}","changeKey":"{{created.Body["changeKey"]}}"}""");
        Assert.Equal(HttpStatusCode.OK, updated.Status);
        Assert.Equal(newId, (string?)updated.Body!["itemId"]);
        Assert.NotEqual((string?)created.Body["changeKey"], (string?)updated.Body["changeKey"]);
        Assert.Equal(taskBlob, fx.Control.GetItemData(newId));
        var afterUpdate = await fx.GetAsync(fx.MailboxPath(version, fx.BobMailbox, $"folders/inbox/items/{Uri.EscapeDataString(newId)}"));
        Assert.Equal("IPM.Task", (string?)afterUpdate.Body!["type"]);
        Assert.Equal(taskBlob.Length, (long)afterUpdate.Body["size"]!);

        var stale = await fx.ImportAsync(importUrl, $$"""{"FolderId":"inbox","Mode":"update","Data":"{{data}}","ItemId":"{{newId}}","ChangeKey":"{{created.Body["changeKey"]}}"}""");
        stale.AssertGraphError(HttpStatusCode.Conflict, "ErrorIrresolvableConflict");
    }

    [Fact]
    public async Task Export_ReportsPerItemFailuresInsideThe200_InBothCasings()
    {
        var good = await FirstItemAsync("v1.0", "folders/inbox/items");
        var body = $$"""{"ItemIds":["{{good}}","AgAAAAAAAAAAAAAAAAAAAAAAAAA=","bogus"]}""";

        var lower = await fx.PostJsonAsync(fx.MailboxPath("v1.0", fx.AliceMailbox, "exportItems"), body);
        fx.Control.ExportErrorCasing = ExportErrorCasing.Capitalized;
        var upper = await fx.PostJsonAsync(fx.MailboxPath("v1.0", fx.AliceMailbox, "exportItems"), body);
        fx.Control.ExportErrorCasing = ExportErrorCasing.Lowercase;

        Assert.Equal(HttpStatusCode.OK, lower.Status);
        Assert.EndsWith("$metadata#Collection(microsoft.graph.exportItemResponse)", (string?)lower.Body!["@odata.context"]);
        var values = lower.Value;
        Assert.NotNull(values[0]["data"]);
        Assert.Equal("ErrorItemNotFound", (string?)values[1]["error"]!["code"]);
        Assert.Null(values[1]["data"]);
        Assert.Equal("ErrorInvalidIdMalformed", (string?)values[2]["error"]!["code"]);
        Assert.Equal("ErrorItemNotFound", (string?)upper.Value[1]["Error"]!["code"]);
        Assert.False(upper.Value[1].ContainsKey("error"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(21)]
    public async Task Export_OutsideOneToTwenty_Is400(int count)
    {
        var ids = string.Join(",", Enumerable.Repeat("\"AgAAAAAAAAAAAAAAAAAAAAAAAAA=\"", count));

        var reply = await fx.PostJsonAsync(fx.MailboxPath("beta", fx.AliceMailbox, "exportItems"), $$"""{"itemIds":[{{ids}}]}""");

        reply.AssertGraphError(HttpStatusCode.BadRequest, "ErrorInvalidRequest");
        Assert.Contains("20", reply.ErrorMessage);
    }

    [Fact]
    public async Task Export_TwentyItems_AndMalformedJson()
    {
        var items = await fx.GetAsync(fx.MailboxPath("v1.0", fx.AliceMailbox, "folders/inbox/items?$top=20&$filter=size lt 100000"));
        var ids = string.Join(",", items.Value.Select(i => $"\"{i["id"]}\""));

        var twenty = await fx.PostJsonAsync(fx.MailboxPath("v1.0", fx.AliceMailbox, "exportItems"), $$"""{"itemIds":[{{ids}}]}""");
        var malformed = await fx.PostJsonAsync(fx.MailboxPath("v1.0", fx.AliceMailbox, "exportItems"), "{itemIds:");

        Assert.Equal(20, twenty.Value.Count(v => v["data"] is not null));
        malformed.AssertGraphError(HttpStatusCode.BadRequest, "BadRequest");
    }

    [Theory]
    [InlineData("v1.0")]
    [InlineData("beta")]
    public async Task CreateImportSession_HasTheDocumentedShape_AndIgnoresABody(string version)
    {
        var reply = await fx.PostJsonAsync(fx.MailboxPath(version, fx.AliceMailbox, "createImportSession"), """{"folderId":"inbox"}""");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.EndsWith("$metadata#microsoft.graph.mailboxItemImportSession", (string?)reply.Body!["@odata.context"]);
        Assert.StartsWith($"{fx.Server.BaseUri}api/g{version}/Mailboxes('{fx.AliceMailbox}')/importItem?authtoken=", (string?)reply.Body["importUrl"]);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$", (string)reply.Body["expirationDateTime"]!);
        var expires = DateTimeOffset.Parse((string)reply.Body["expirationDateTime"]!);
        Assert.InRange(expires, DateTimeOffset.UtcNow.AddMinutes(59), DateTimeOffset.UtcNow.AddMinutes(61));
    }

    [Theory]
    [InlineData("""{"FolderId":"inbox","Mode":"create","Data":"DATA","ItemId":"AgAAAAAAAAAAAAAAAAAAAAAAAAA="}""", HttpStatusCode.BadRequest, "ErrorInvalidRequest", "ItemId")]
    [InlineData("""{"FolderId":"inbox","Mode":"update","Data":"DATA","ItemId":"AgAAAAAAAAAAAAAAAAAAAAAAAAA="}""", HttpStatusCode.BadRequest, "ErrorInvalidRequest", "ChangeKey")]
    [InlineData("""{"FolderId":"inbox","Mode":"merge","Data":"DATA"}""", HttpStatusCode.BadRequest, "ErrorInvalidRequest", "Mode")]
    [InlineData("""{"FolderId":"inbox","Mode":"update","Data":"DATA","ItemId":"AgAAAAAAAAAAAAAAAAAAAAAAAAA=","ChangeKey":"x"}""", HttpStatusCode.NotFound, "ErrorItemNotFound", "ItemId")]
    [InlineData("""{"FolderId":"AQAAAAAAAAAAAAAAAAAAAAAAAAA=","Mode":"create","Data":"DATA"}""", HttpStatusCode.NotFound, "ErrorItemNotFound", "")]
    [InlineData("""{"FolderId":"inbox","Mode":"create","Data":"not base64!"}""", HttpStatusCode.BadRequest, "ErrorInvalidRequest", "base64")]
    [InlineData("""{"FolderId":"inbox","Mode":"create","Data":"aGVsbG8gd29ybGQ="}""", HttpStatusCode.BadRequest, "ErrorCorruptData", "not an item export")]
    [InlineData("""{"FolderId":"inbox","Mode":"create","Data":"TRUNCATED"}""", HttpStatusCode.BadRequest, "ErrorCorruptData", "truncated")]
    [InlineData("""{"FolderId":"inbox","Mode":"create","Data":""", HttpStatusCode.BadRequest, "BadRequest", "JSON")]
    public async Task Import_BadRequests_AreRejected(string body, HttpStatusCode status, string code, string mentions)
    {
        var blob = fx.Control.GetItemData(await FirstItemAsync("v1.0", "folders/inbox/items"));
        body = body.Replace("DATA", Convert.ToBase64String(blob)).Replace("TRUNCATED", Convert.ToBase64String(blob.AsSpan(0, blob.Length - 3).ToArray()));
        var importUrl = await fx.CreateSessionAsync("v1.0", fx.AliceMailbox);

        var reply = await fx.ImportAsync(importUrl, body);

        reply.AssertGraphError(status, code);
        Assert.Contains(mentions, reply.ErrorMessage);
    }

    [Fact]
    public async Task Import_WithAnAuthorizationHeader_Is401()
    {
        var importUrl = await fx.CreateSessionAsync("beta", fx.AliceMailbox);

        var reply = await fx.ImportAsync(importUrl, await CreateBodyAsync(), request => request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", fx.Token));

        reply.AssertGraphError(HttpStatusCode.Unauthorized, "InvalidAuthenticationToken");
        Assert.Contains("Authorization", reply.ErrorMessage);
    }

    [Fact]
    public async Task Import_ExpiredOrForeignSessions_Are401()
    {
        var before = fx.Control.ImportSessionLifetime;
        fx.Control.ImportSessionLifetime = TimeSpan.FromMilliseconds(-1);
        var lapsed = await fx.CreateSessionAsync("v1.0", fx.AliceMailbox);
        fx.Control.ImportSessionLifetime = before;
        var revoked = await fx.CreateSessionAsync("v1.0", fx.AliceMailbox);
        fx.Control.ExpireImportSessions();
        var bobs = await fx.CreateSessionAsync("v1.0", fx.BobMailbox);
        var body = await CreateBodyAsync();

        var lapsedReply = await fx.ImportAsync(lapsed, body);
        var revokedReply = await fx.ImportAsync(revoked, body);
        var foreign = await fx.ImportAsync(bobs.Replace(Uri.EscapeDataString(fx.BobMailbox), fx.AliceMailbox).Replace(fx.BobMailbox, fx.AliceMailbox), body);
        var fresh = await fx.ImportAsync(await fx.CreateSessionAsync("v1.0", fx.AliceMailbox), body);

        lapsedReply.AssertGraphError(HttpStatusCode.Unauthorized, "InvalidAuthenticationToken");
        Assert.Contains("expired", lapsedReply.ErrorMessage);
        revokedReply.AssertGraphError(HttpStatusCode.Unauthorized, "InvalidAuthenticationToken");
        foreign.AssertGraphError(HttpStatusCode.Unauthorized, "InvalidAuthenticationToken");
        Assert.Equal(HttpStatusCode.OK, fresh.Status);
        Assert.All(fx.Control.Requests.Where(r => r.Path.EndsWith("/importItem")), r => Assert.Contains("authtoken=REDACTED", r.Query));
    }

    [Fact]
    public async Task ImportedItem_TypeComesFromTheBlob()
    {
        var message = new FtsMessage();
        message.Properties.Add(FtsProperty.String(FtsPropertyId.MessageClass, "IPM.StickyNote"));
        message.Properties.Add(FtsProperty.String(FtsPropertyId.Subject, "Remember"));
        var blob = new FtsWriter().Write(message);

        var reply = await fx.ImportAsync(await fx.CreateSessionAsync("beta", fx.AliceMailbox),
            $$"""{"FolderId":"{{await fx.FolderIdAsync("beta", fx.AliceMailbox, "drafts")}}","Mode":"create","Data":"{{Convert.ToBase64String(blob)}}"}""");
        var item = await fx.GetAsync(fx.MailboxPath("beta", fx.AliceMailbox, $"folders/drafts/items/{Uri.EscapeDataString((string)reply.Body!["itemId"]!)}"));

        Assert.Equal("IPM.StickyNote", (string?)item.Body!["type"]);
        Assert.Equal(blob.Length, (long)item.Body["size"]!);
    }

    private async Task<string> CreateBodyAsync()
    {
        var blob = fx.Control.GetItemData(await FirstItemAsync("v1.0", "folders/inbox/items"));
        return $$"""{"FolderId":"inbox","Mode":"create","Data":"{{Convert.ToBase64String(blob)}}"}""";
    }

    private async Task<string> FirstItemAsync(string version, string itemsPath)
    {
        var reply = await fx.GetAsync(fx.MailboxPath(version, fx.AliceMailbox, itemsPath));
        return (string)reply.Value[0]["id"]!;
    }

    private async Task<JsonObject> ExportAsync(string version, string mailbox, string itemId)
    {
        var reply = await fx.PostJsonAsync(fx.MailboxPath(version, mailbox, "exportItems"), $$"""{"itemIds":["{{itemId}}"]}""");
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        return Assert.Single(reply.Value);
    }
}
