using System.Net;
using MailboxImportExport.Emulator.Seeding;
using MailboxImportExport.Emulator.Storage;
using MailboxImportExport.Fts;

namespace MailboxImportExport.Emulator.Tests;

/// <summary>The <c>scale:MxN</c> tenant: shape, determinism, and generated blobs that are what their listing says.</summary>
public class ScaleSeedTests
{
    [Fact]
    public async Task ScaleSeed_HasMMailboxesOfNItems_InTheFoldersOfTheirClass()
    {
        await using var server = await EmulatorServer.StartAsync(new EmulatorOptions { Seed = "scale:3x60" });
        using var http = EmulatorFixture.CreatePinnedClient(server);
        var token = server.Control.IssueAccessToken();

        for (var m = 0; m < 3; m++)
        {
            var mailbox = server.Control.GetMailboxId(ScaleSeed.UserPrincipalName(m));
            var folders = await ListAsync(http, token, $"v1.0/admin/exchange/mailboxes/{Uri.EscapeDataString(mailbox)}/folders?$top=100");
            var inbox = folders.Single(f => (string?)f["wellKnownName"] == "inbox");
            var projects = await ListAsync(http, token, $"v1.0/admin/exchange/mailboxes/{Uri.EscapeDataString(mailbox)}/folders/inbox/childFolders");
            var counted = folders.Sum(f => (int)f["totalItemCount"]!) + projects.Sum(f => (int)f["totalItemCount"]!);
            Assert.Equal(60, counted);
            Assert.True((int)inbox["totalItemCount"]! > 0);
            Assert.Equal("Projects", (string?)Assert.Single(projects)["displayName"]);
            foreach (var (folder, type) in new[] { ("calendar", "IPM.Appointment"), ("contacts", "IPM.Contact"), ("tasks", "IPM.Task"), ("sentitems", "IPM.Note") })
            {
                var items = await ListAsync(http, token, $"v1.0/admin/exchange/mailboxes/{Uri.EscapeDataString(mailbox)}/folders/{folder}/items?$top=100");
                Assert.All(items, item => Assert.Equal(type, (string?)item["type"]));
            }
        }
        Assert.Throws<KeyNotFoundException>(() => server.Control.GetMailboxId(ScaleSeed.UserPrincipalName(3)));
    }

    [Fact]
    public async Task GeneratedItems_AreWhatTheirListingSays_AndTheSameInEveryEmulator()
    {
        await using var one = await EmulatorServer.StartAsync(new EmulatorOptions { Seed = "scale:1x300" });
        await using var two = await EmulatorServer.StartAsync(new EmulatorOptions { Seed = "scale:1x300" });
        using var http = EmulatorFixture.CreatePinnedClient(one);
        var mailbox = one.Control.GetMailboxId(ScaleSeed.UserPrincipalName(0));
        var token = one.Control.IssueAccessToken();

        var items = new List<System.Text.Json.Nodes.JsonObject>();
        foreach (var folder in new[] { "inbox", "sentitems", "archive", "calendar" })
            items.AddRange(await ListAsync(http, token, $"v1.0/admin/exchange/mailboxes/{Uri.EscapeDataString(mailbox)}/folders/{folder}/items?$top=1000"));

        Assert.Equal(mailbox, two.Control.GetMailboxId(ScaleSeed.UserPrincipalName(0)));
        Assert.Contains(items, i => (long)i["size"]! > 500_000);
        Assert.Contains(items, i => (long)i["size"]! is > 10_000 and < 450_000 && HasAttachment(one, (string)i["id"]!));
        foreach (var item in items)
        {
            var id = (string)item["id"]!;
            var blob = one.Control.GetItemData(id);
            Assert.Equal((long)item["size"]!, blob.Length);
            Assert.Equal(blob, two.Control.GetItemData(id));
            Assert.Null(FtsReader.TryReadSummary(blob, out var problem) is null ? "unreadable" : problem);
            Assert.Equal(16, ItemBlobProperties.SearchKey(blob)?.Length);
        }
        // Exported through Graph, a generated item is its blob.
        var large = items.First(i => (long)i["size"]! > 500_000);
        using var export = new HttpRequestMessage(HttpMethod.Post, $"v1.0/admin/exchange/mailboxes/{Uri.EscapeDataString(mailbox)}/exportItems")
        {
            Content = new StringContent($$"""{"itemIds":["{{large["id"]}}"]}""", System.Text.Encoding.UTF8, "application/json"),
        };
        export.Headers.Authorization = new("Bearer", token);
        using var exported = await http.SendAsync(export);
        var data = (string)System.Text.Json.Nodes.JsonNode.Parse(await exported.Content.ReadAsStringAsync())!["value"]![0]!["data"]!;
        Assert.Equal(one.Control.GetItemData((string)large["id"]!), Convert.FromBase64String(data));
    }

    [Fact]
    public async Task GeneratedItems_CanBeTouchedImportedAndDeleted_LikeAnyOther()
    {
        await using var fx = await EmulatorFixture.StartAsync(o => o.Seed = "scale:2x20");
        var source = fx.Control.GetMailboxId(ScaleSeed.UserPrincipalName(0));
        var target = fx.Control.GetMailboxId(ScaleSeed.UserPrincipalName(1));
        var item = (string)(await fx.GetAsync(fx.MailboxPath("v1.0", source, "folders/inbox/items?$top=1"))).Value[0]["id"]!;
        var blob = fx.Control.GetItemData(item);

        fx.Control.TouchItem(item);
        var importUrl = await fx.CreateSessionAsync("v1.0", target);
        var imported = await fx.ImportAsync(importUrl, EmulatorFixture.CreateBody("inbox", blob));
        var deleted = await fx.SendAsync(HttpMethod.Delete, fx.MailboxPath("v1.0", source, $"folders/inbox/items/{Uri.EscapeDataString(item)}?disposalType=softDelete"), null);

        Assert.Equal(blob, fx.Control.GetItemData(item));
        Assert.Equal(HttpStatusCode.OK, imported.Status);
        Assert.Equal(blob, fx.Control.GetItemData((string)imported.Body!["itemId"]!));
        Assert.Equal(HttpStatusCode.NoContent, deleted.Status);
    }

    [Theory]
    [InlineData("scale:0x10")]
    [InlineData("scale:10")]
    [InlineData("scale:2x3:huge")]
    [InlineData("scale:2x-3")]
    public void Parse_RefusesMalformedSpecs(string seed)
    {
        var problem = Assert.Throws<FormatException>(() => ScaleSeed.Parse(seed));
        Assert.StartsWith($"--seed {seed}:", problem.Message);
    }

    [Fact]
    public void Parse_ReadsSizeAndProfile()
    {
        Assert.Equal(new ScaleSpec(50, 2000, ScaleProfile.Mixed), ScaleSeed.Parse("scale:50x2000"));
        Assert.Equal(new ScaleSpec(2, 5, ScaleProfile.Small), ScaleSeed.Parse("scale:2x5:small"));
        Assert.Equal("scale:2x5:small", ScaleSeed.Parse("scale:2X5:Small").ToString());
    }

    private static bool HasAttachment(EmulatorServer server, string itemId) =>
        FtsReader.TryReadSummary(server.Control.GetItemData(itemId), out _)!.AttachmentCount > 0;

    private static async Task<List<System.Text.Json.Nodes.JsonObject>> ListAsync(HttpClient http, string token, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new("Bearer", token);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Null(body["@odata.nextLink"]);
        return body["value"]!.AsArray().Select(v => v!.AsObject()).ToList();
    }
}
