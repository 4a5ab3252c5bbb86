using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using MailboxImportExport.Emulator.Graph;
using MailboxImportExport.Fts;

namespace MailboxImportExport.Emulator.Outlook;

/// <summary>Messages and events created from Graph JSON: the properties a client can set at creation.</summary>
internal static class JsonToMapi
{
    /// <summary>
    /// A message from the JSON of POST /messages. Without extended properties it is a read draft (flags 0x9); the
    /// extended properties Integer 0x0E07, SystemTime 0x0E06 and SystemTime 0x0039 set the flags and the received and
    /// sent times, which is how a client makes a message that is not a draft (honoured at creation only).
    /// </summary>
    public static FtsMessage Message(JsonObject body, DateTimeOffset now)
    {
        var extended = ExtendedProperties(body);
        var message = new FtsMessage();
        var p = message.Properties;
        p.Add(FtsProperty.Int32(FtsPropertyId.Importance, Text(body, "importance")?.ToLowerInvariant() switch { "low" => 0, "high" => 2, _ => 1 }));
        p.Add(FtsProperty.String(FtsPropertyId.MessageClass, "IPM.Note"));
        p.Add(FtsProperty.String(FtsPropertyId.Subject, Text(body, "subject") ?? ""));
        if (extended.TryGetValue("systemtime 0x0039", out var sent)) p.Add(FtsProperty.Time(FtsPropertyId.ClientSubmitTime, Time(sent)));
        if (FolderHandlers.Property(body, "from") is JsonObject from && Address(from) is var (name, address))
        {
            MapiAddresses.AddSentRepresenting(p, name, address);
            MapiAddresses.AddSender(p, name, address);
        }
        p.Add(FtsProperty.Time(FtsPropertyId.MessageDeliveryTime, extended.TryGetValue("systemtime 0x0e06", out var received) ? Time(received) : now.UtcDateTime));
        var flags = extended.TryGetValue("integer 0x0e07", out var flagText) && int.TryParse(flagText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var given)
            ? given
            : MimeToMapi.FlagRead | MimeToMapi.FlagUnsent;
        if (FolderHandlers.Property(body, "isRead") is JsonValue read && read.TryGetValue<bool>(out var isRead))
            flags = isRead ? flags | MimeToMapi.FlagRead : flags & ~MimeToMapi.FlagRead;
        p.Add(FtsProperty.Int32(FtsPropertyId.MessageFlags, flags));
        if (FolderHandlers.Property(body, "body") is JsonObject content && Text(content, "content") is { } text)
        {
            if (string.Equals(Text(content, "contentType"), "html", StringComparison.OrdinalIgnoreCase))
            {
                p.Add(FtsProperty.Binary(FtsPropertyId.Html, Encoding.UTF8.GetBytes(text)));
                p.Add(FtsProperty.Int32(FtsPropertyId.InternetCodepage, 65001));
            }
            else
            {
                p.Add(FtsProperty.String(FtsPropertyId.Body, text));
            }
        }
        p.Add(FtsProperty.Time(FtsPropertyId.CreationTime, now.UtcDateTime));
        p.Add(FtsProperty.Time(FtsPropertyId.LastModificationTime, now.UtcDateTime));
        foreach (var (key, type) in new[] { ("toRecipients", 1), ("ccRecipients", 2), ("bccRecipients", 3) })
        {
            if (FolderHandlers.Property(body, key) is not JsonArray list) continue;
            foreach (var entry in list.OfType<JsonObject>())
            {
                if (Address(entry) is var (recipientName, recipientAddress))
                    message.Recipients.Add(MapiAddresses.Recipient(type, recipientName, recipientAddress));
            }
        }
        p.Add(FtsProperty.Boolean(FtsPropertyId.HasAttachments, false));
        return message;
    }

    /// <summary>An event from the JSON of POST /events: subject, start and end (dateTime in the given zone; UTC when none).</summary>
    public static FtsMessage Event(JsonObject body, DateTimeOffset now)
    {
        var start = EventTime(body, "start") ?? throw GraphException.InvalidRequest("An event needs 'start': {dateTime, timeZone}.");
        var end = EventTime(body, "end") ?? start.AddMinutes(30);
        var message = new FtsMessage();
        var p = message.Properties;
        p.Add(FtsProperty.Int32(FtsPropertyId.Importance, 1));
        p.Add(FtsProperty.String(FtsPropertyId.MessageClass, "IPM.Appointment"));
        p.Add(FtsProperty.String(FtsPropertyId.Subject, Text(body, "subject") ?? ""));
        p.Add(FtsProperty.Int32(FtsPropertyId.MessageFlags, MimeToMapi.FlagRead));
        p.Add(FtsProperty.Time(FtsPropertyId.CreationTime, now.UtcDateTime));
        p.Add(FtsProperty.Time(FtsPropertyId.LastModificationTime, now.UtcDateTime));
        p.Add(FtsProperty.Time(0x8001, start).WithName(OutlookEvents.StartName));
        p.Add(FtsProperty.Time(0x8002, end).WithName(OutlookEvents.EndName));
        p.Add(FtsProperty.Boolean(FtsPropertyId.HasAttachments, false));
        return message;
    }

    private static DateTime? EventTime(JsonObject body, string name)
    {
        if (FolderHandlers.Property(body, name) is not JsonObject value || Text(value, "dateTime") is not { } text) return null;
        if (!DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time))
            throw GraphException.InvalidRequest($"'{name}.dateTime' is not a date and time: '{text}'.");
        var zone = Text(value, "timeZone");
        if (zone is null or "UTC" or "Etc/UTC") return time;
        try
        {
            return TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(time, DateTimeKind.Unspecified), TimeZoneInfo.FindSystemTimeZoneById(zone));
        }
        catch (TimeZoneNotFoundException)
        {
            throw GraphException.InvalidRequest($"Unknown time zone '{zone}'.");
        }
    }

    /// <summary>singleValueExtendedProperties as id (lower case) → value.</summary>
    private static Dictionary<string, string> ExtendedProperties(JsonObject body)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (FolderHandlers.Property(body, "singleValueExtendedProperties") is not JsonArray list) return result;
        foreach (var entry in list.OfType<JsonObject>())
            if (Text(entry, "id") is { } id && Text(entry, "value") is { } value)
                result[string.Join(" ", id.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant()] = value;
        return result;
    }

    private static DateTime Time(string text) =>
        DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : throw GraphException.InvalidRequest($"'{text}' is not a SystemTime value.");

    private static (string Name, string Address)? Address(JsonObject recipient)
    {
        if (FolderHandlers.Property(recipient, "emailAddress") is not JsonObject email || Text(email, "address") is not { } address) return null;
        return (Text(email, "name") ?? address, address);
    }

    private static string? Text(JsonObject body, string name) =>
        FolderHandlers.Property(body, name) is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
