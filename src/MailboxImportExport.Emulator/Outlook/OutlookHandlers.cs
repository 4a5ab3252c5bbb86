using System.Text;
using System.Text.Json.Nodes;
using MailboxImportExport.Emulator.Graph;
using MailboxImportExport.Emulator.Storage;
using MailboxImportExport.Fts;
using MimeKit;

namespace MailboxImportExport.Emulator.Outlook;

/// <summary>
/// The Outlook endpoints under <c>/users/{id|upn}</c> (and <c>/me</c>) that bringing mail in and adding attachments
/// need: messages created from MIME or JSON, read, patched, deleted and purged; events created and read; attachments
/// posted, listed and uploaded through sessions. Messages and events are items of the user's primary mailbox, so
/// listing and exportItems see them; their JSON is computed from their stream.
/// </summary>
internal static class OutlookHandlers
{
    /// <summary>The service's limit on one Graph request's body ("The maximum request length supported is 4MB.").</summary>
    public const int MaxRequestBytes = 4 * 1024 * 1024;
    /// <summary>The largest attachment a plain POST takes: larger ones go through an upload session.</summary>
    public const int MaxPostedAttachmentBytes = 3 * 1024 * 1024;

    public static readonly GraphPermission Mail = new(["Mail.ReadWrite"], ["Mail.ReadWrite"]);
    public static readonly GraphPermission Calendars = new(["Calendars.ReadWrite"], ["Calendars.ReadWrite"]);
    private static readonly GraphPermission AttachmentSessions = new(["Calendars.ReadWrite", "Mail.ReadWrite"], ["Calendars.ReadWrite", "Mail.ReadWrite"]);

    /// <summary>users/{u}/{rest} once the user is known; <paramref name="rest"/> starts at messages, mailFolders or events.</summary>
    public static Task RouteAsync(GraphRequest request, UserRecord user, MailboxRecord mailbox, IReadOnlyList<string> rest)
    {
        var kind = Is(rest[0], "events") ? OutlookItemKind.Event : OutlookItemKind.Message;
        var permission = kind == OutlookItemKind.Event ? Calendars : Mail;
        if (Is(rest[0], "mailFolders"))
        {
            if (rest.Count == 3 && Is(rest[2], "messages") && request.Method == "POST")
                return Permitted(request, Mail, () => CreateMessageAsync(request, mailbox, MailboxHandlers.ResolveFolder(request.Store, mailbox, rest[1]), inFolderRoute: true));
            throw GraphException.SegmentNotFound(rest.Count > 2 ? rest[2] : rest[0]);
        }
        if (rest.Count == 1)
        {
            if (request.Method != "POST") throw MethodNotAllowed(request);
            return kind == OutlookItemKind.Message
                ? Permitted(request, Mail, () => CreateMessageAsync(request, mailbox, request.Store.GetWellKnownFolder(mailbox.Id, "drafts")!, inFolderRoute: false))
                : Permitted(request, Calendars, () => CreateEventAsync(request, mailbox));
        }
        var item = FindItem(request, mailbox, rest[1], kind);
        return (rest.Count, rest.Count > 2 ? rest[2].ToLowerInvariant() : null, rest.Count > 3 ? rest[3].ToLowerInvariant() : null) switch
        {
            (2, _, _) => request.Method switch
            {
                "GET" => Permitted(request, permission, () => GetAsync(request, item, kind)),
                "PATCH" when kind == OutlookItemKind.Message => Permitted(request, permission, () => PatchMessageAsync(request, item)),
                "DELETE" => Permitted(request, permission, () => DeleteAsync(request, item, permanent: false)),
                _ => throw MethodNotAllowed(request),
            },
            (3, "permanentdelete", _) when request.Method == "POST" => Permitted(request, permission, () => DeleteAsync(request, item, permanent: true)),
            (3, "attachments", _) => request.Method switch
            {
                "GET" => Permitted(request, permission, () => ListAttachmentsAsync(request, item)),
                "POST" => Permitted(request, permission, () => PostAttachmentAsync(request, item)),
                _ => throw MethodNotAllowed(request),
            },
            (4, "attachments", "createuploadsession") when request.Method == "POST" =>
                Permitted(request, AttachmentSessions, () => request.State.UploadSessions.CreateAsync(request, user, kind, item)),
            _ => throw GraphException.SegmentNotFound(rest[^1]),
        };
    }

    private static ItemRecord FindItem(GraphRequest request, MailboxRecord mailbox, string id, OutlookItemKind kind)
    {
        if (!IdFactory.IsWellFormedItemId(id)) throw GraphException.IdMalformed();
        var item = request.Store.GetItem(mailbox.Id, id) ?? throw GraphException.ItemNotFound();
        var isEvent = item.Type.StartsWith("IPM.Appointment", StringComparison.OrdinalIgnoreCase);
        // A message id under /events (or the other way round) is not found, as in Outlook.
        if (isEvent != (kind == OutlookItemKind.Event)) throw GraphException.ItemNotFound();
        return item;
    }

    // ---- messages ----

    /// <summary>
    /// POST /messages: <c>text/plain</c> with base64 MIME makes a draft from the MIME (only on /messages, not on a
    /// folder's messages); <c>application/json</c> makes a message from the JSON, whose extended properties
    /// 0x0E07 (flags), 0x0E06 (received) and 0x0039 (sent) count at creation only.
    /// </summary>
    private static async Task CreateMessageAsync(GraphRequest request, MailboxRecord mailbox, FolderRecord folder, bool inFolderRoute)
    {
        var body = await ReadLimitedBodyAsync(request);
        var mediaType = request.Http.Request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        var now = DateTimeOffset.UtcNow;
        FtsMessage message;
        if (mediaType == "text/plain")
        {
            if (inFolderRoute)
                throw new GraphException(400, "UnableToDeserializePostBody",
                    "were unable to deserialize (Emulator: MIME content is taken on /users/{id}/messages only, not on a folder's messages, as in the service.)");
            message = MimeToMapi.Draft(ParseMime(body), now);
        }
        else if (mediaType == "application/json")
        {
            message = JsonToMapi.Message(ParseJson(body), now);
        }
        else
        {
            throw new GraphException(415, "UnsupportedMediaType", "Send the message as application/json, or as base64 MIME in text/plain.");
        }
        var data = new FtsWriter().Write(message);
        OutlookItems.CheckMessageSize(request.State, data.LongLength);
        var item = request.State.Items.Create(folder, data, created: now);
        var json = OutlookItems.MessageJson(item, message);
        json.Insert(0, "@odata.context", GraphJson.Context(request, $"users('{mailbox.UserObjectId}')/messages/$entity"));
        await request.WriteJsonAsync(201, json);
    }

    private static MimeMessage ParseMime(byte[] base64)
    {
        byte[] mime;
        try
        {
            mime = Convert.FromBase64String(Encoding.ASCII.GetString(base64).Trim());
        }
        catch (FormatException)
        {
            throw new GraphException(400, "ErrorMimeContentInvalidBase64String", "Invalid base64 string for MIME content.");
        }
        try
        {
            var parsed = MimeMessage.Load(new MemoryStream(mime));
            // Exchange refuses text that has no header at all; the parser would take it for a body.
            if (parsed.Headers.Count == 0) throw new FormatException("no headers");
            return parsed;
        }
        catch (FormatException)
        {
            throw new GraphException(400, "ErrorMimeContentInvalid", "The MIME content is not valid.");
        }
    }

    private static JsonObject ParseJson(byte[] body)
    {
        try
        {
            return JsonNode.Parse(body) as JsonObject ?? throw GraphException.MalformedJson();
        }
        catch (System.Text.Json.JsonException)
        {
            throw GraphException.MalformedJson();
        }
    }

    /// <summary>The body, refused past the service's 4 MB request limit before it is all read.</summary>
    private static async Task<byte[]> ReadLimitedBodyAsync(GraphRequest request, string? hint = null)
    {
        var http = request.Http;
        if (http.Request.ContentLength > MaxRequestBytes) throw RequestTooLarge(hint);
        var buffer = new MemoryStream();
        var scratch = new byte[81920];
        int read;
        while ((read = await http.Request.Body.ReadAsync(scratch, http.RequestAborted)) > 0)
        {
            buffer.Write(scratch, 0, read);
            if (buffer.Length > MaxRequestBytes) throw RequestTooLarge(hint);
        }
        return buffer.ToArray();
    }

    private static GraphException RequestTooLarge(string? hint) =>
        new(413, "RequestEntityTooLarge", "The maximum request length supported is 4MB." + (hint is null ? "" : $" (Emulator: {hint})"));

    internal const string UploadSessionHint = "attachments of 3 MB and more go through an upload session (createUploadSession).";

    private static Task GetAsync(GraphRequest request, ItemRecord item, OutlookItemKind kind)
    {
        var message = Read(request, item);
        var json = kind == OutlookItemKind.Message ? OutlookItems.MessageJson(item, message) : OutlookItems.EventJson(item, message);
        json.Insert(0, "@odata.context", GraphJson.Context(request, $"users/{(kind == OutlookItemKind.Message ? "messages" : "events")}/$entity"));
        return request.WriteJsonAsync(200, json);
    }

    /// <summary>
    /// PATCH: isRead changes the read flag and subject changes a draft's subject; isDraft and the flags property
    /// answer 200 and change nothing, as the service does (the unsent flag is read-only after the first save).
    /// </summary>
    private static async Task PatchMessageAsync(GraphRequest request, ItemRecord item)
    {
        var body = await request.ReadJsonObjectAsync();
        var message = Read(request, item);
        var flags = message.GetInt32(FtsPropertyId.MessageFlags) ?? 0;
        if (FolderHandlers.Property(body, "isRead") is JsonValue read && read.TryGetValue<bool>(out var isRead))
            message.Set(FtsProperty.Int32(FtsPropertyId.MessageFlags, isRead ? flags | MimeToMapi.FlagRead : flags & ~MimeToMapi.FlagRead));
        if ((flags & MimeToMapi.FlagUnsent) != 0 && FolderHandlers.Property(body, "subject") is JsonValue subject && subject.TryGetValue<string>(out var text))
            message.Set(FtsProperty.String(FtsPropertyId.Subject, text));
        var updated = request.State.Items.Replace(item, new FtsWriter().Write(message));
        await request.WriteJsonAsync(200, OutlookItems.MessageJson(updated, message));
    }

    /// <summary>DELETE moves the item to Deleted Items; permanentDelete purges it (it would go to Purges; the emulator drops it).</summary>
    private static Task DeleteAsync(GraphRequest request, ItemRecord item, bool permanent)
    {
        var deleted = request.Store.GetWellKnownFolder(item.MailboxId, "deleteditems")!;
        if (permanent || item.FolderId == deleted.Id) request.State.Items.Delete(item, soft: false);
        else request.State.Items.Move(item, deleted);
        request.Http.Response.StatusCode = 204;
        return Task.CompletedTask;
    }

    // ---- events ----

    private static async Task CreateEventAsync(GraphRequest request, MailboxRecord mailbox)
    {
        var body = ParseJson(await ReadLimitedBodyAsync(request));
        var now = DateTimeOffset.UtcNow;
        var message = JsonToMapi.Event(body, now);
        var calendar = request.Store.GetWellKnownFolder(mailbox.Id, "calendar")!;
        var item = request.State.Items.Create(calendar, new FtsWriter().Write(message), created: now);
        var json = OutlookItems.EventJson(item, message);
        json.Insert(0, "@odata.context", GraphJson.Context(request, $"users('{mailbox.UserObjectId}')/events/$entity"));
        await request.WriteJsonAsync(201, json);
    }

    // ---- attachments ----

    private static Task ListAttachmentsAsync(GraphRequest request, ItemRecord item) =>
        request.WriteJsonAsync(200, new JsonObject
        {
            ["@odata.context"] = GraphJson.Context(request, "attachments"),
            ["value"] = OutlookItems.Attachments(item.Id, Read(request, item)),
        });

    /// <summary>POST …/attachments with a fileAttachment (contentBytes in base64), below the upload-session size.</summary>
    private static async Task PostAttachmentAsync(GraphRequest request, ItemRecord item)
    {
        var body = ParseJson(await ReadLimitedBodyAsync(request, UploadSessionHint));
        var type = (FolderHandlers.Property(body, "@odata.type") as JsonValue)?.ToString();
        if (type is null || !type.TrimStart('#').Equals("microsoft.graph.fileAttachment", StringComparison.OrdinalIgnoreCase))
            throw GraphException.InvalidRequest("The emulator takes file attachments: \"@odata.type\": \"#microsoft.graph.fileAttachment\".");
        var name = FolderHandlers.RequiredString(body, "name");
        byte[] data;
        try
        {
            data = Convert.FromBase64String(FolderHandlers.RequiredString(body, "contentBytes"));
        }
        catch (FormatException)
        {
            throw GraphException.InvalidRequest("contentBytes is not valid base64.");
        }
        if (data.Length > MaxPostedAttachmentBytes)
            throw new GraphException(413, "RequestEntityTooLarge", $"The attachment is {data.Length:N0} bytes: {UploadSessionHint}");
        var isInline = FolderHandlers.Property(body, "isInline") is JsonValue inline && inline.TryGetValue<bool>(out var flag) && flag;
        var contentType = (FolderHandlers.Property(body, "contentType") as JsonValue)?.ToString();
        var contentId = (FolderHandlers.Property(body, "contentId") as JsonValue)?.ToString();
        var (updated, _) = OutlookItems.AddAttachment(request.State, item, new NewAttachment(name, contentType, isInline, contentId, data));
        var message = Read(request, updated);
        var json = OutlookItems.AttachmentJson(updated.Id, message.Attachments.Count - 1, message.Attachments[^1]);
        json.Insert(0, "@odata.context", GraphJson.Context(request, "attachments/$entity"));
        await request.WriteJsonAsync(201, json);
    }

    private static FtsMessage Read(GraphRequest request, ItemRecord item) =>
        FtsMessageReader.Read(request.Store.GetItemWithData(item.MailboxId, item.Id)?.Data ?? throw GraphException.ItemNotFound());

    private static bool Is(string segment, string name) => segment.Equals(name, StringComparison.OrdinalIgnoreCase);

    private static Task Permitted(GraphRequest request, GraphPermission permission, Func<Task> handler)
    {
        request.RequirePermission(permission);
        return handler();
    }

    private static GraphException MethodNotAllowed(GraphRequest request) =>
        new(405, "Request_BadRequest", $"The HTTP method '{request.Method}' is not allowed on this resource.");
}
