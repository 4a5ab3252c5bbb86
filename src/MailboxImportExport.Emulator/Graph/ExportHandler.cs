using System.Text.Json;
using System.Text.Json.Nodes;
using MailboxImportExport.Emulator.Storage;

namespace MailboxImportExport.Emulator.Graph;

/// <summary>
/// <c>POST …/exportItems</c>: 1 to 20 item ids (the body property in any casing); per-item failures are reported
/// inside the 200, with the error key cased as <see cref="EmulatorControl.ExportErrorCasing"/> says.
/// </summary>
internal static class ExportHandler
{
    public const int MaxItemIds = 20;

    public static async Task HandleAsync(GraphRequest request, MailboxRecord mailbox)
    {
        var itemIds = ReadItemIds(await request.ReadJsonObjectAsync());
        var errorKey = request.State.Control.ExportErrorCasing == ExportErrorCasing.Capitalized ? "Error" : "error";

        var http = request.Http;
        GraphResponses.StartJson(http, 200);
        // Written as it goes: twenty multi-megabyte items need not sit in memory as one JSON document.
        await using var writer = new Utf8JsonWriter(http.Response.Body, GraphResponses.WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("@odata.context", GraphJson.Context(request, "Collection(microsoft.graph.exportItemResponse)"));
        writer.WriteStartArray("value");
        foreach (var itemId in itemIds)
        {
            writer.WriteStartObject();
            writer.WriteString("itemId", itemId);
            var found = IdFactory.IsWellFormedItemId(itemId) ? request.Store.GetItemWithData(mailbox.Id, itemId) : null;
            if (found is { } item)
            {
                writer.WriteString("changeKey", item.Item.ChangeKey);
                writer.WriteBase64String("data", item.Data);
            }
            else
            {
                var movedTo = IdFactory.IsWellFormedItemId(itemId) && mailbox.IsArchive
                    ? request.Store.ArchiveFamilyOf(mailbox.Id).FirstOrDefault(other => !other.Equals(mailbox.Id, StringComparison.OrdinalIgnoreCase) && request.Store.GetItem(other, itemId) is not null)
                    : null;
                var (code, message) = movedTo is not null
                    ? ("ErrorArchiveFolderMovedPermanently", $"{GraphJson.MailboxUrl(request, movedTo)}/exportItems")
                    : IdFactory.IsWellFormedItemId(itemId)
                    ? ("ErrorItemNotFound", "The specified object was not found in the store.")
                    : ("ErrorInvalidIdMalformed", "Id is malformed.");
                writer.WriteStartObject(errorKey);
                writer.WriteString("code", code);
                writer.WriteString("message", message);
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
            await writer.FlushAsync(http.RequestAborted);
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static List<string> ReadItemIds(JsonObject body)
    {
        if (FolderHandlers.Property(body, "itemIds") is not JsonArray ids)
        {
            throw GraphException.InvalidRequest($"The request body must have 'itemIds': an array of 1 to {MaxItemIds} item IDs.");
        }
        if (ids.Count is 0 or > MaxItemIds)
        {
            throw GraphException.InvalidRequest($"exportItems takes 1 to {MaxItemIds} item IDs per request; this request has {ids.Count}.");
        }
        return ids.Select(id => id is JsonValue value && value.TryGetValue<string>(out var text)
                ? text
                : throw GraphException.InvalidRequest("Every entry of 'itemIds' must be a string."))
            .ToList();
    }
}
