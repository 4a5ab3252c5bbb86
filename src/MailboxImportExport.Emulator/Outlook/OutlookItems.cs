using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using MailboxImportExport.Emulator.Graph;
using MailboxImportExport.Emulator.Storage;
using MailboxImportExport.Fts;

namespace MailboxImportExport.Emulator.Outlook;

/// <summary>Whether an Outlook route names a message or an event: the same items of the store, seen two ways.</summary>
internal enum OutlookItemKind
{
    Message,
    Event,
}

/// <summary>A file to attach to an item, from a plain POST or a finished upload session.</summary>
internal sealed record NewAttachment(string Name, string? ContentType, bool IsInline, string? ContentId, byte[] Data);

/// <summary>
/// What the Outlook endpoints read and change of an item: its Outlook JSON (message or event) computed from its
/// stream, so flags and times imported in a stream show as they are, and attachments added to its stream.
/// </summary>
internal static class OutlookItems
{
    public static string KindSegment(OutlookItemKind kind) => kind == OutlookItemKind.Message ? "Messages" : "Events";

    /// <summary>An attachment's id: stable for the item and position, opaque like Exchange's.</summary>
    public static string AttachmentId(string itemId, int index) =>
        "AAMkAt" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes($"{itemId}#{index}")), 0, 18).Replace('/', '_').Replace('+', '-') + index.ToString("D3");

    /// <summary>Adds the file to the item's stream (a new changeKey); the message size limit applies to the result.</summary>
    public static (ItemRecord Item, string AttachmentId) AddAttachment(EmulatorState state, ItemRecord item, NewAttachment file)
    {
        var data = state.Store.GetItemWithData(item.MailboxId, item.Id)?.Data ?? throw GraphException.ItemNotFound();
        var message = FtsMessageReader.Read(data);
        var now = DateTime.UtcNow;
        var attachment = new FtsAttachment();
        var p = attachment.Properties;
        p.Add(FtsProperty.Int32(FtsPropertyId.AttachMethod, 1));
        p.Add(FtsProperty.String(FtsPropertyId.AttachLongFilename, file.Name));
        p.Add(FtsProperty.String(FtsPropertyId.DisplayName, file.Name));
        p.Add(FtsProperty.String(FtsPropertyId.AttachMimeTag, file.ContentType ?? MimeKit.MimeTypes.GetMimeType(file.Name)));
        p.Add(FtsProperty.Int32(FtsPropertyId.AttachSize, file.Data.Length));
        if (file.ContentId is { Length: > 0 }) p.Add(FtsProperty.String(FtsPropertyId.AttachContentId, file.ContentId));
        p.Add(FtsProperty.Boolean(FtsPropertyId.AttachmentHidden, file.IsInline));
        p.Add(FtsProperty.Int32(FtsPropertyId.RenderingPosition, -1));
        p.Add(FtsProperty.Time(FtsPropertyId.CreationTime, now));
        p.Add(FtsProperty.Time(FtsPropertyId.LastModificationTime, now));
        p.Add(FtsProperty.Binary(FtsPropertyId.AttachDataBinary, file.Data));
        message.Attachments.Add(attachment);
        message.Set(FtsProperty.Boolean(FtsPropertyId.HasAttachments, true));
        message.Set(FtsProperty.Int32(FtsPropertyId.MessageFlags, (message.GetInt32(FtsPropertyId.MessageFlags) ?? 0) | MimeToMapi.FlagHasAttachments));
        var updated = new FtsWriter().Write(message);
        CheckMessageSize(state, updated.LongLength);
        return (state.Items.Replace(item, updated), AttachmentId(item.Id, message.Attachments.Count - 1));
    }

    public static void CheckMessageSize(EmulatorState state, long size)
    {
        if (size > state.Control.MaxMessageSize)
            throw new GraphException(413, "ErrorMessageSizeExceeded", "The message exceeds the maximum supported size.");
    }

    public static JsonArray Attachments(string itemId, FtsMessage message) =>
        new(message.Attachments.Select((a, i) => (JsonNode?)AttachmentJson(itemId, i, a)).ToArray());

    public static JsonObject AttachmentJson(string itemId, int index, FtsAttachment attachment)
    {
        var embedded = attachment.EmbeddedMessage is not null;
        return new JsonObject
        {
            ["@odata.type"] = embedded ? "#microsoft.graph.itemAttachment" : "#microsoft.graph.fileAttachment",
            ["id"] = AttachmentId(itemId, index),
            ["name"] = Fts.Conversion.MimeConversion.AttachmentName(attachment),
            ["contentType"] = attachment.GetString(FtsPropertyId.AttachMimeTag),
            ["size"] = attachment.GetInt32(FtsPropertyId.AttachSize) ?? attachment.GetBinary(FtsPropertyId.AttachDataBinary)?.Length ?? 0,
            ["isInline"] = attachment.GetBoolean(FtsPropertyId.AttachmentHidden) ?? false,
            ["contentId"] = attachment.GetString(FtsPropertyId.AttachContentId),
        };
    }

    /// <summary>The message resource, as Graph shows one, read from the item's stream.</summary>
    public static JsonObject MessageJson(ItemRecord item, FtsMessage message)
    {
        var flags = message.GetInt32(FtsPropertyId.MessageFlags) ?? 0;
        var html = message.Find(FtsPropertyId.Html)?.GetBinary();
        return new JsonObject
        {
            ["@odata.etag"] = $"W/\"{item.ChangeKey}\"",
            ["id"] = item.Id,
            ["createdDateTime"] = GraphJson.Time(item.Created),
            ["lastModifiedDateTime"] = GraphJson.Time(item.LastModified),
            ["changeKey"] = item.ChangeKey,
            ["receivedDateTime"] = Time(message.GetTime(FtsPropertyId.MessageDeliveryTime)),
            ["sentDateTime"] = Time(message.GetTime(FtsPropertyId.ClientSubmitTime)),
            ["hasAttachments"] = message.Attachments.Count > 0,
            ["internetMessageId"] = message.GetString(FtsPropertyId.InternetMessageId),
            ["subject"] = message.GetString(FtsPropertyId.Subject),
            ["importance"] = (message.GetInt32(FtsPropertyId.Importance) ?? 1) switch { 0 => "low", 2 => "high", _ => "normal" },
            ["parentFolderId"] = item.FolderId,
            ["isRead"] = (flags & MimeToMapi.FlagRead) != 0,
            ["isDraft"] = (flags & MimeToMapi.FlagUnsent) != 0,
            ["body"] = new JsonObject
            {
                ["contentType"] = html is null ? "text" : "html",
                ["content"] = html is null ? message.GetString(FtsPropertyId.Body) ?? "" : Encoding.UTF8.GetString(html),
            },
            ["sender"] = Address(message.GetString(FtsPropertyId.SenderName), message.GetString(FtsPropertyId.SenderSmtpAddress)),
            ["from"] = Address(message.GetString(FtsPropertyId.SentRepresentingName) ?? message.GetString(FtsPropertyId.SenderName),
                message.GetString(FtsPropertyId.SentRepresentingSmtpAddress) ?? message.GetString(FtsPropertyId.SenderSmtpAddress)),
            ["toRecipients"] = Recipients(message, 1),
            ["ccRecipients"] = Recipients(message, 2),
            ["bccRecipients"] = Recipients(message, 3),
        };
    }

    public static JsonObject EventJson(ItemRecord item, FtsMessage message) => new()
    {
        ["@odata.etag"] = $"W/\"{item.ChangeKey}\"",
        ["id"] = item.Id,
        ["createdDateTime"] = GraphJson.Time(item.Created),
        ["lastModifiedDateTime"] = GraphJson.Time(item.LastModified),
        ["changeKey"] = item.ChangeKey,
        ["subject"] = message.GetString(FtsPropertyId.Subject),
        ["hasAttachments"] = message.Attachments.Count > 0,
        ["start"] = DateTimeTimeZone(message.Find(OutlookEvents.StartName)?.GetTime()),
        ["end"] = DateTimeTimeZone(message.Find(OutlookEvents.EndName)?.GetTime()),
    };

    private static JsonObject? DateTimeTimeZone(DateTime? time) =>
        time is { } t ? new JsonObject { ["dateTime"] = t.ToString("yyyy-MM-ddTHH:mm:ss.fffffff"), ["timeZone"] = "UTC" } : null;

    private static string? Time(DateTime? time) => time is { } t ? GraphJson.Time(new DateTimeOffset(t, TimeSpan.Zero)) : null;

    private static JsonArray Recipients(FtsMessage message, int type) =>
        new(message.Recipients.Where(r => ((r.GetInt32(FtsPropertyId.RecipientType) ?? 1) & 0x0F) == type)
            .Select(r => (JsonNode?)Address(r.GetString(FtsPropertyId.DisplayName), r.GetString(FtsPropertyId.SmtpAddress) ?? r.GetString(FtsPropertyId.EmailAddress)))
            .ToArray());

    private static JsonObject? Address(string? name, string? address) =>
        name is null && address is null ? null : new JsonObject { ["emailAddress"] = new JsonObject { ["name"] = name ?? address, ["address"] = address } };
}

/// <summary>The named properties an event's start and end are kept in (PSETID_Appointment), as the demo data writes them.</summary>
internal static class OutlookEvents
{
    private static readonly Guid PsetidAppointment = new("00062002-0000-0000-C000-000000000046");
    public static readonly FtsNamedProperty StartName = new(PsetidAppointment, 0x820D);
    public static readonly FtsNamedProperty EndName = new(PsetidAppointment, 0x820E);
    public static readonly FtsNamedProperty LocationName = new(PsetidAppointment, 0x8208);
}
