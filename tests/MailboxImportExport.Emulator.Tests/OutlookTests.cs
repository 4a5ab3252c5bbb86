using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using MailboxImportExport.Emulator.Outlook;
using MailboxImportExport.Fts;
using MimeKit;

namespace MailboxImportExport.Emulator.Tests;

/// <summary>The Outlook endpoints that bring outside mail in: messages from MIME and JSON, attachments, upload sessions.</summary>
public class OutlookTests(EmulatorFixture fx) : IClassFixture<EmulatorFixture>
{
    private const string Bob = EmulatorFixture.Bob;
    private static readonly DateTimeOffset Sent = new(2024, 2, 28, 17, 5, 0, TimeSpan.Zero);

    private static string Mime(int attachmentBytes = 0, string subject = "Grüße aus Köln")
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Zoë Ångström", "zoe@fabrikam.test"));
        message.To.Add(new MailboxAddress("Bob Berg", "bob@contoso.test"));
        message.Cc.Add(new MailboxAddress("Carol Chen", "carol@contoso.test"));
        message.Subject = subject;
        message.Date = Sent;
        message.MessageId = "outside-1@fabrikam.test";
        message.Headers.Add("X-Fabrikam-Tracking", "42");
        var body = new BodyBuilder { TextBody = "Plain", HtmlBody = "<p>Hello <img src=\"cid:logo@fabrikam.test\"></p>" };
        body.LinkedResources.Add("logo.png", Enumerable.Repeat((byte)7, 500).ToArray(), ContentType.Parse("image/png")).ContentId = "logo@fabrikam.test";
        if (attachmentBytes > 0) body.Attachments.Add("data.bin", Pattern(attachmentBytes));
        message.Body = body.ToMessageBody();
        var output = new MemoryStream();
        message.WriteTo(output);
        return Convert.ToBase64String(output.ToArray());
    }

    private static byte[] Pattern(int length) => Enumerable.Range(0, length).Select(i => (byte)(i * 13 + 5)).ToArray();

    private Task<Reply> PostRawAsync(string path, string body, string contentType) =>
        fx.SendAsync(HttpMethod.Post, path, null, configure: r => r.Content = new StringContent(body, Encoding.ASCII, contentType));

    private async Task<JsonObject> CreateDraftAsync(int attachmentBytes = 0)
    {
        var reply = await PostRawAsync($"v1.0/users/{Bob}/messages", Mime(attachmentBytes), "text/plain");
        Assert.True(reply.Status == HttpStatusCode.Created, reply.Body?.ToJsonString());
        return reply.Body!;
    }

    [Fact]
    public async Task A_message_created_from_MIME_is_a_read_draft_in_Drafts_that_exports_with_its_parts()
    {
        var draft = await CreateDraftAsync(attachmentBytes: 5000);

        Assert.True((bool)draft["isDraft"]!);
        Assert.True((bool)draft["isRead"]!);
        Assert.Equal("Grüße aus Köln", (string?)draft["subject"]);
        Assert.Equal("2024-02-28T17:05:00Z", (string?)draft["sentDateTime"]);
        Assert.Equal("zoe@fabrikam.test", (string?)draft["from"]!["emailAddress"]!["address"]);
        Assert.Equal("bob@contoso.test", (string?)draft["toRecipients"]![0]!["emailAddress"]!["address"]);
        var id = (string)draft["id"]!;
        var drafts = await fx.GetAllPagesAsync(fx.MailboxPath("v1.0", fx.BobMailbox, "folders/drafts/items"));
        Assert.Contains(drafts, i => (string?)i["id"] == id);

        var message = FtsMessageReader.Read(fx.Control.GetItemData(id));
        Assert.Equal(0x9 | 0x10, message.GetInt32(FtsPropertyId.MessageFlags));
        Assert.Equal(Sent.UtcDateTime, message.GetTime(FtsPropertyId.ClientSubmitTime));
        Assert.Contains("X-Fabrikam-Tracking: 42", message.GetString(FtsPropertyId.TransportMessageHeaders));
        var logo = message.Attachments.Single(a => a.GetString(FtsPropertyId.AttachContentId) == "logo@fabrikam.test");
        Assert.True(logo.GetBoolean(FtsPropertyId.AttachmentHidden));
        Assert.Equal(Pattern(5000), message.Attachments.Single(a => a.GetString(FtsPropertyId.AttachLongFilename) == "data.bin").GetBinary(FtsPropertyId.AttachDataBinary));
    }

    [Fact]
    public async Task MIME_creation_errors_are_the_services()
    {
        (await PostRawAsync($"v1.0/users/{Bob}/messages", "not base64 at all!", "text/plain"))
            .AssertGraphError(HttpStatusCode.BadRequest, "ErrorMimeContentInvalidBase64String");
        (await PostRawAsync($"v1.0/users/{Bob}/mailFolders/inbox/messages", Mime(), "text/plain"))
            .AssertGraphError(HttpStatusCode.BadRequest, "UnableToDeserializePostBody");
        (await PostRawAsync($"v1.0/users/{Bob}/messages", Mime(attachmentBytes: 3_200_000), "text/plain"))
            .AssertGraphError(HttpStatusCode.RequestEntityTooLarge, "RequestEntityTooLarge");
        (await PostRawAsync($"v1.0/users/{Bob}/messages", Mime(), "application/xml"))
            .AssertGraphError(HttpStatusCode.UnsupportedMediaType, "UnsupportedMediaType");
        (await PostRawAsync($"v1.0/users/nobody@contoso.test/messages", Mime(), "text/plain"))
            .AssertGraphError(HttpStatusCode.NotFound, "ErrorInvalidUser");
    }

    [Fact]
    public async Task JSON_creation_honours_flags_and_times_only_at_creation()
    {
        var created = await fx.PostJsonAsync($"v1.0/users/{Bob}/mailFolders/inbox/messages", """
            {"subject":"Not a draft","body":{"contentType":"text","content":"x"},
             "singleValueExtendedProperties":[{"id":"Integer 0x0E07","value":"0"},{"id":"SystemTime 0x0E06","value":"2024-03-01T08:00:00Z"}]}
            """);
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.False((bool)created.Body!["isDraft"]!);
        Assert.False((bool)created.Body["isRead"]!);
        Assert.Equal("2024-03-01T08:00:00Z", (string?)created.Body["receivedDateTime"]);
        var id = (string)created.Body["id"]!;

        var patched = await fx.SendAsync(HttpMethod.Patch, $"v1.0/users/{Bob}/messages/{Uri.EscapeDataString(id)}",
            """{"isDraft":true,"isRead":true,"subject":"changed"}""");

        Assert.Equal(HttpStatusCode.OK, patched.Status);
        Assert.False((bool)patched.Body!["isDraft"]!);
        Assert.True((bool)patched.Body["isRead"]!);
        Assert.Equal("Not a draft", (string?)patched.Body["subject"]); // not a draft: its subject stays
    }

    [Fact]
    public async Task Small_attachments_are_posted_and_large_ones_refused_with_the_session_route_named()
    {
        var id = Uri.EscapeDataString((string)(await CreateDraftAsync())["id"]!);
        var path = $"v1.0/users/{Bob}/messages/{id}/attachments";

        var posted = await fx.PostJsonAsync(path, $$"""{"@odata.type":"#microsoft.graph.fileAttachment","name":"small.txt","contentBytes":"{{Convert.ToBase64String(Pattern(1000))}}","isInline":false}""");
        // 3.15 MB in base64 is more than the 4 MB a Graph request may carry.
        var tooLarge = await fx.PostJsonAsync(path, $$"""{"@odata.type":"#microsoft.graph.fileAttachment","name":"big.bin","contentBytes":"{{Convert.ToBase64String(Pattern(3_150_000))}}"}""");

        Assert.Equal(HttpStatusCode.Created, posted.Status);
        Assert.Equal("small.txt", (string?)posted.Body!["name"]);
        Assert.Equal(1000, (int)posted.Body["size"]!);
        tooLarge.AssertGraphError(HttpStatusCode.RequestEntityTooLarge, "RequestEntityTooLarge");
        Assert.Contains("createUploadSession", tooLarge.ErrorMessage);
        var listed = await fx.GetAsync(path);
        Assert.Contains(listed.Value, a => (string?)a["name"] == "small.txt" && (string?)a["id"] == (string?)posted.Body["id"]);
    }

    private async Task<(string Url, JsonObject Body)> CreateSessionAsync(string itemPath, long size, string name = "large.bin")
    {
        var reply = await fx.PostJsonAsync($"{itemPath}/attachments/createUploadSession",
            $$$"""{"AttachmentItem":{"attachmentType":"file","name":"{{{name}}}","size":{{{size}}},"contentType":"application/octet-stream"}}""");
        Assert.True(reply.Status == HttpStatusCode.Created, reply.Body?.ToJsonString());
        return ((string)reply.Body!["uploadUrl"]!, reply.Body);
    }

    private async Task<(HttpStatusCode Status, JsonObject? Body, HttpResponseMessage Response)> PutAsync(string url, byte[] bytes, long from, long to, long total,
        bool bearer = false, int? bodyLength = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, url) { Content = new ByteArrayContent(bytes, (int)from, bodyLength ?? (int)(to - from + 1)) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        // Set unchecked: .NET refuses to build a range that ends beyond its total, which is one of the cases tested.
        request.Content.Headers.TryAddWithoutValidation("Content-Range", $"bytes {from}-{to}/{total}");
        if (bearer) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", fx.Token);
        var response = await fx.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text)!.AsObject(), response);
    }

    [Fact]
    public async Task An_upload_session_takes_ordered_ranges_and_adds_the_attachment_byte_for_byte()
    {
        var itemId = (string)(await CreateDraftAsync())["id"]!;
        var itemPath = $"v1.0/users/{Bob}/messages/{Uri.EscapeDataString(itemId)}";
        const int size = 5_000_000;
        var data = Pattern(size);
        var (url, session) = await CreateSessionAsync(itemPath, size);
        Assert.Equal("0-", (string?)session["nextExpectedRanges"]![0]);
        Assert.DoesNotContain("Bearer", url);

        var first = await PutAsync(url, data, 0, 2_999_999, size);
        Assert.Equal(HttpStatusCode.OK, first.Status);
        // The docs' example: ExpirationDateTime in PascalCase, nextExpectedRanges in camelCase, a single offset.
        Assert.Equal("3000000", (string?)first.Body!["nextExpectedRanges"]![0]);
        Assert.NotNull(first.Body["ExpirationDateTime"]);
        var status = await fx.Http.GetAsync(url);
        Assert.Contains("3000000", await status.Content.ReadAsStringAsync());

        var last = await PutAsync(url, data, 3_000_000, size - 1, size);
        Assert.Equal(HttpStatusCode.Created, last.Status);
        Assert.Null(last.Body);
        Assert.Matches(@"/api/v2\.0/Users\('.+'\)/Messages\('.+'\)/Attachments\('.+'\)$", last.Response.Headers.Location!.ToString());

        var message = FtsMessageReader.Read(fx.Control.GetItemData(itemId));
        Assert.Equal(data, message.Attachments.Single(a => a.GetString(FtsPropertyId.AttachLongFilename) == "large.bin").GetBinary(FtsPropertyId.AttachDataBinary));
        var info = fx.Control.UploadSessions.Single(s => s.ItemId == itemId);
        Assert.Equal(UploadSessionState.Completed, info.State);
        Assert.Equal(size, info.BytesReceived);
        Assert.Equal(2, info.ChunksAccepted);
    }

    [Fact]
    public async Task The_upload_url_refuses_a_token_bad_ranges_and_wrong_lengths_with_the_expected_offset()
    {
        var itemPath = $"v1.0/users/{Bob}/messages/{Uri.EscapeDataString((string)(await CreateDraftAsync())["id"]!)}";
        const int size = 4_000_000;
        var data = Pattern(size);
        var (url, _) = await CreateSessionAsync(itemPath, size);

        Assert.Equal(HttpStatusCode.Unauthorized, (await PutAsync(url, data, 0, 999, size, bearer: true)).Status);
        var outOfOrder = await PutAsync(url, data, 1000, 1999, size);
        Assert.Equal(HttpStatusCode.BadRequest, outOfOrder.Status);
        Assert.Equal("fragmentOutOfOrder", (string?)outOfOrder.Body!["error"]!["code"]);
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(url, data, 0, 999, size)).Status);
        var overlap = await PutAsync(url, data, 500, 1499, size);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, overlap.Status);
        Assert.Equal("fragmentOverlap", (string?)overlap.Body!["error"]!["code"]);
        var mismatch = await PutAsync(url, data, 1000, 1999, size, bodyLength: 900);
        Assert.Equal("fragmentLengthMismatch", (string?)mismatch.Body!["error"]!["code"]);
        var otherTotal = await PutAsync(url, Pattern(size + 20), 1000, 1999, size + 11);
        Assert.Equal("invalidRange", (string?)otherTotal.Body!["error"]!["code"]);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, (await PutAsync(url, Pattern(size + 20), 1000, size + 10, size)).Status);

        Assert.Equal(HttpStatusCode.NoContent, (await fx.Http.DeleteAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await PutAsync(url, data, 1000, 1999, size)).Status);
    }

    [Fact]
    public async Task Sessions_below_the_minimum_or_expired_are_refused()
    {
        var itemPath = $"v1.0/users/{Bob}/messages/{Uri.EscapeDataString((string)(await CreateDraftAsync())["id"]!)}";
        var small = await fx.PostJsonAsync($"{itemPath}/attachments/createUploadSession", """{"AttachmentItem":{"attachmentType":"file","name":"a.txt","size":1000}}""");
        small.AssertGraphError(HttpStatusCode.BadRequest, "ErrorAttachmentSizeShouldNotBeLessThanMinimumSize");

        var (url, _) = await CreateSessionAsync(itemPath, 3_500_000);
        fx.Control.ExpireUploadSessions();
        var expired = await PutAsync(url, Pattern(3_500_000), 0, 999, 3_500_000);

        Assert.Equal(HttpStatusCode.Unauthorized, expired.Status);
        Assert.Contains("expired", (string?)expired.Body!["error"]!["message"]);
    }

    [Fact]
    public async Task Events_take_upload_sessions_too_and_say_so_in_the_location()
    {
        var created = await fx.PostJsonAsync($"v1.0/users/{Bob}/events",
            """{"subject":"Review","start":{"dateTime":"2026-05-01T09:00:00","timeZone":"UTC"},"end":{"dateTime":"2026-05-01T10:00:00","timeZone":"UTC"}}""");
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var id = (string)created.Body!["id"]!;
        const int size = 3_200_000;
        var (url, _) = await CreateSessionAsync($"v1.0/users/{Bob}/events/{Uri.EscapeDataString(id)}", size, "agenda.pdf");

        var done = await PutAsync(url, Pattern(size), 0, size - 1, size);

        Assert.Equal(HttpStatusCode.Created, done.Status);
        Assert.Contains("/Events('", done.Response.Headers.Location!.ToString());
        var item = await fx.GetAsync($"v1.0/users/{Bob}/events/{Uri.EscapeDataString(id)}");
        Assert.True((bool)item.Body!["hasAttachments"]!);
        Assert.Equal("2026-05-01T09:00:00.0000000", (string?)item.Body["start"]!["dateTime"]);
        (await fx.GetAsync($"v1.0/users/{Bob}/messages/{Uri.EscapeDataString(id)}")).AssertGraphError(HttpStatusCode.NotFound, "ErrorItemNotFound");
    }

    [Fact]
    public async Task A_draft_exported_patched_and_imported_shows_the_flags_and_times_of_its_stream_and_the_draft_is_purged()
    {
        var draftId = (string)(await CreateDraftAsync())["id"]!;
        var exported = await fx.PostJsonAsync(fx.MailboxPath("v1.0", fx.BobMailbox, "exportItems"), $$"""{"itemIds":["{{draftId}}"]}""");
        var data = Convert.FromBase64String((string)exported.Value[0]["data"]!);
        var received = new DateTime(2024, 2, 28, 17, 6, 0, DateTimeKind.Utc);
        var patched = new MemoryStream();
        FtsPatch.Apply(() => new MemoryStream(data), patched,
            [FtsProperty.Int32(FtsPropertyId.MessageFlags, 0x10), FtsProperty.Time(FtsPropertyId.MessageDeliveryTime, received)]);
        var session = await fx.PostJsonAsync(fx.MailboxPath("v1.0", fx.BobMailbox, "createImportSession"), "");
        using var import = new HttpRequestMessage(HttpMethod.Post, (string)session.Body!["importUrl"]!)
        {
            Content = new StringContent($$"""{"FolderId":"inbox","Mode":"create","Data":"{{Convert.ToBase64String(patched.ToArray())}}"}""", Encoding.UTF8, "application/json"),
        };
        var imported = JsonNode.Parse(await (await fx.Http.SendAsync(import)).Content.ReadAsStringAsync())!;

        var message = await fx.GetAsync($"v1.0/users/{Bob}/messages/{Uri.EscapeDataString((string)imported["itemId"]!)}");
        Assert.False((bool)message.Body!["isDraft"]!);
        Assert.False((bool)message.Body["isRead"]!);
        Assert.Equal("2024-02-28T17:06:00Z", (string?)message.Body["receivedDateTime"]);
        Assert.Equal("2024-02-28T17:05:00Z", (string?)message.Body["sentDateTime"]);

        var purge = await fx.SendAsync(HttpMethod.Post, $"v1.0/users/{Bob}/messages/{Uri.EscapeDataString(draftId)}/permanentDelete", null);
        Assert.Equal(HttpStatusCode.NoContent, purge.Status);
        (await fx.GetAsync($"v1.0/users/{Bob}/messages/{Uri.EscapeDataString(draftId)}")).AssertGraphError(HttpStatusCode.NotFound, "ErrorItemNotFound");
    }
}
