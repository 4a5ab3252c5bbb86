using System.Net;
using System.Text.Json.Nodes;
using MailboxImportExport.Fts;

namespace MailboxImportExport.Emulator.Tests;

/// <summary><c>--seed FILE.json</c> and <c>--seed empty</c>: the tenant an admin writes, and the errors that name the line and field.</summary>
public sealed class SeedFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mie-seed-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private const string Tenant = """
        {
          "users": [
            {
              "userPrincipalName": "dave@contoso.test",
              "displayName": "Dave Dunn",
              "mailbox": {
                "folders": [
                  { "path": "/Inbox", "items": [
                      { "subject": "Quarterly report", "from": "erin@fabrikam.test", "received": "2026-03-01T09:30:00Z",
                        "size": 60000, "attachments": [ { "name": "report.pdf", "size": 40000, "contentType": "application/pdf" } ] },
                      { "subject": "Lunch", "count": 3 }
                  ] },
                  { "path": "/Inbox/Projects/2027", "items": [ { "subject": "Kick-off" } ] },
                  { "path": "/Calendar", "items": [ { "subject": "Team sync" } ] }
                ]
              },
              "archive": { "folders": [ { "path": "/Old Mail", "items": [ { "subject": "From 2019" } ] } ] }
            },
            { "userPrincipalName": "frank@contoso.test" }
          ]
        }
        """;

    private string Write(string json)
    {
        var path = Path.Combine(_folder, "tenant.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public async Task A_seed_file_gives_its_users_mailboxes_folders_and_items()
    {
        await using var server = await EmulatorServer.StartAsync(new EmulatorOptions { Seed = Write(Tenant) });
        using var http = EmulatorFixture.CreatePinnedClient(server);
        var token = server.Control.IssueAccessToken();
        var mailbox = Uri.EscapeDataString(server.Control.GetMailboxId("dave@contoso.test"));

        var inbox = await ListAsync(http, token, $"v1.0/admin/exchange/mailboxes/{mailbox}/folders/inbox/items?$top=100");
        // The mailbox API lists no subjects: they are read from each item's stream.
        string? Subject(JsonObject item) => FtsReader.TryReadSummary(server.Control.GetItemData((string)item["id"]!), out _)?.Subject;
        Assert.Equal(["Lunch 1", "Lunch 2", "Lunch 3", "Quarterly report"], inbox.Select(Subject).Order(StringComparer.Ordinal));
        var report = inbox.Single(i => Subject(i) == "Quarterly report");
        Assert.InRange((long)report["size"]!, 59_000, 61_000);
        var summary = FtsReader.TryReadSummary(server.Control.GetItemData((string)report["id"]!), out _)!;
        Assert.Equal("erin@fabrikam.test", summary.SenderAddress);

        var projects2027 = server.Control.GetFolderId(server.Control.GetMailboxId("dave@contoso.test"), "/Inbox/Projects/2027");
        Assert.Single(await ListAsync(http, token, $"v1.0/admin/exchange/mailboxes/{mailbox}/folders/{Uri.EscapeDataString(projects2027)}/items"));
        var calendar = await ListAsync(http, token, $"v1.0/admin/exchange/mailboxes/{mailbox}/folders/calendar/items");
        Assert.Equal("IPM.Appointment", (string)Assert.Single(calendar)["type"]!);

        var archive = server.Control.GetMailboxId("dave@contoso.test", archive: true);
        Assert.NotNull(server.Control.GetFolderId(archive, "/Old Mail"));
        // A user without "mailbox" has none, as carol in the demo tenant.
        Assert.Throws<KeyNotFoundException>(() => server.Control.GetMailboxId("frank@contoso.test"));
    }

    [Fact]
    public async Task The_empty_seed_has_no_users()
    {
        await using var server = await EmulatorServer.StartAsync(new EmulatorOptions { Seed = EmulatorServer.EmptySeed });
        Assert.Throws<KeyNotFoundException>(() => server.Control.GetMailboxId("alice@contoso.test"));
    }

    [Theory]
    [InlineData("""{ "users": [ { "userPrincipalName": "dave" } ] }""", "tenant.json, line 1: users[0].userPrincipalName: 'dave' is not a user principal name")]
    [InlineData("{\n  \"users\": [\n    { \"userPrincipalName\": \"dave@contoso.test\",\n      \"mailbox\": { \"folders\": [ { \"path\": \"/Inbox\", \"items\": [ { \"subject\": \"A\", \"size\": -5 } ] } ] } }\n  ]\n}",
        "tenant.json, line 4: users[0].mailbox.folders[0].items[0].size: expected a whole number from 1 to 157286400, found -5.")]
    [InlineData("{\n  \"users\": [ { \"userPrincipalName\": \"dave@contoso.test\", \"mailbox\": {},\n    \"mailboxes\": {} } ]\n}",
        "tenant.json, line 3: users[0].mailboxes: unknown field 'mailboxes'; users[0] takes userPrincipalName, displayName, mailbox, archive.")]
    [InlineData("{\n  \"users\": [ { \"userPrincipalName\": \"dave@contoso.test\", \"mailbox\": { \"folders\": [ { \"items\": [] } ] } } ]\n}",
        "tenant.json, line 2: users[0].mailbox.folders[0].path: 'path' is missing.")]
    [InlineData("{ \"users\": [ { \"userPrincipalName\": \"dave@contoso.test\", \"mailbox\": { \"folders\": [ { \"path\": \"/Inbox\", \"items\": [ { \"subject\": \"A\", \"size\": 10 } ] } ] } } ] }",
        "size: 10 bytes is less than this item needs without a body")]
    [InlineData("{ \"users\": [ \n\n { \"userPrincipalName\": \"dave@contoso.test\" ", "tenant.json, line 3: not valid JSON")]
    [InlineData("{ \"people\": [] }", "tenant.json, line 1: people: unknown field 'people'; the file takes users.")]
    public async Task A_mistake_is_refused_naming_the_line_and_field(string json, string message)
    {
        var error = await Assert.ThrowsAsync<FormatException>(() => EmulatorServer.StartAsync(new EmulatorOptions { Seed = Write(json) }));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_seed_file_is_named()
    {
        var error = await Assert.ThrowsAsync<FormatException>(() => EmulatorServer.StartAsync(new EmulatorOptions { Seed = Path.Combine(_folder, "none.json") }));
        Assert.Contains("none.json' cannot be read", error.Message, StringComparison.Ordinal);
    }

    private static async Task<List<JsonObject>> ListAsync(HttpClient http, string token, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new("Bearer", token);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return body["value"]!.AsArray().Select(node => node!.AsObject()).ToList();
    }
}
