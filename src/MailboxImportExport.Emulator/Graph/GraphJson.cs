using System.Text.Json.Nodes;
using MailboxImportExport.Emulator.Storage;

namespace MailboxImportExport.Emulator.Graph;

/// <summary>The JSON shapes of mailboxFolder and mailboxItem, and the @odata.context values that go with them.</summary>
internal static class GraphJson
{
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ");

    public static string MailboxUrl(GraphRequest request, string mailboxId) => $"{request.ServiceRoot}admin/exchange/mailboxes/{mailboxId}";

    public static string Context(GraphRequest request, string fragment) => $"{request.ServiceRoot}$metadata#{fragment}";

    public static string MailboxContext(GraphRequest request, string mailboxId, string rest) =>
        Context(request, $"admin/exchange/mailboxes('{mailboxId}')/{rest}");

    /// <summary>A folder; parentMailboxUrl only on beta (v1.0 does not list it).</summary>
    public static JsonObject Folder(GraphRequest request, FolderRecord folder)
    {
        var json = new JsonObject
        {
            ["@odata.type"] = "#microsoft.graph.mailboxFolder",
            ["id"] = folder.Id,
            ["displayName"] = folder.DisplayName,
            ["parentFolderId"] = folder.ParentId,
            ["childFolderCount"] = folder.ChildFolderCount,
            ["totalItemCount"] = folder.TotalItemCount,
            ["type"] = folder.Type,
            ["wellKnownName"] = folder.WellKnownName,
        };
        if (request.IsBeta) json["parentMailboxUrl"] = MailboxUrl(request, folder.MailboxId);
        return json;
    }

    public static JsonObject Item(ItemRecord item) => new()
    {
        ["@odata.type"] = "#microsoft.graph.mailboxItem",
        ["@odata.etag"] = $"W/\"{item.ChangeKey}\"",
        ["id"] = item.Id,
        ["createdDateTime"] = Time(item.Created),
        ["lastModifiedDateTime"] = Time(item.LastModified),
        ["changeKey"] = item.ChangeKey,
        ["categories"] = new JsonArray(),
        ["type"] = item.Type,
        ["size"] = item.Size,
    };

    /// <summary>A delta entry for something that left the scope (deleted or moved away).</summary>
    public static JsonObject Removed(string id) => new()
    {
        ["id"] = id,
        ["@removed"] = new JsonObject { ["reason"] = "deleted" },
    };
}
