using System.Text.Json.Nodes;
using MailboxImportExport.Emulator.Storage;

namespace MailboxImportExport.Emulator.Graph;

/// <summary>
/// Folder routes. <c>/folders</c> and <c>/folders/{id}/childFolders</c> are the same operations on a different
/// parent (msgfolderroot for the former), and <c>/folders/{id}</c> and <c>/childFolders/{id}</c> the same on a
/// resolved folder, so one handler serves each pair.
/// </summary>
internal static class FolderHandlers
{
    public static Task ListChildrenAsync(GraphRequest request, FolderRecord parent, string context)
    {
        var query = ODataQuery.Parse(request, EntitySchema.Folder, QueryOptions.Collection);
        var folders = request.Store.ChildFolders(parent.Id).Select(f => GraphJson.Folder(request, f));
        return CollectionResponse.WriteAsync(request, context, folders, query);
    }

    /// <summary>The whole folder tree of the mailbox, flat, parents first: every folder below its hidden root.</summary>
    public static Task ListTreeAsync(GraphRequest request, FolderRecord messageRoot, string context)
    {
        var query = ODataQuery.Parse(request, EntitySchema.Folder, QueryOptions.Collection);
        var folders = request.Store.DescendantFolders(messageRoot.ParentId ?? messageRoot.Id).Select(f => GraphJson.Folder(request, f));
        return CollectionResponse.WriteAsync(request, context, folders, query);
    }

    public static Task GetAsync(GraphRequest request, FolderRecord folder)
    {
        var query = ODataQuery.Parse(request, EntitySchema.Folder, QueryOptions.Entity);
        var json = query.ApplySelect(GraphJson.Folder(request, folder));
        json.Insert(0, "@odata.context", GraphJson.MailboxContext(request, folder.MailboxId, "folders/$entity"));
        return request.WriteJsonAsync(200, json);
    }

    /// <summary>POST: displayName and type are required; a sibling of the same name is a 409.</summary>
    public static async Task CreateAsync(GraphRequest request, FolderRecord parent)
    {
        var body = await request.ReadJsonObjectAsync();
        var displayName = RequiredString(body, "displayName");
        var type = RequiredString(body, "type");
        EnsureNoSiblingNamed(request.Store, parent.Id, displayName, exceptId: null);
        var id = request.State.Ids.NewFolderId();
        request.Store.AddFolder(new NewFolder(id, parent.MailboxId, parent.Id, displayName, type, null));
        var json = GraphJson.Folder(request, request.Store.GetFolder(parent.MailboxId, id)!);
        json.Insert(0, "@odata.context", GraphJson.MailboxContext(request, parent.MailboxId, "folders/$entity"));
        request.Http.Response.Headers.Location = $"{GraphJson.MailboxUrl(request, parent.MailboxId)}/folders/{Uri.EscapeDataString(id)}";
        await request.WriteJsonAsync(201, json);
    }

    /// <summary>PATCH: displayName may change; type may not (delete and recreate instead).</summary>
    public static async Task UpdateAsync(GraphRequest request, FolderRecord folder)
    {
        var body = await request.ReadJsonObjectAsync();
        if (Property(body, "type") is { } type && !string.Equals(AsString(type, "type"), folder.Type, StringComparison.Ordinal))
        {
            throw new GraphException(400, "ErrorInvalidPropertyUpdate",
                $"The folder type cannot be changed (it is '{folder.Type}'). Delete the folder and create a new one with the type you need.");
        }
        if (Property(body, "displayName") is { } name)
        {
            var displayName = AsString(name, "displayName");
            if (displayName.Trim().Length == 0) throw GraphException.InvalidRequest("The property 'displayName' cannot be empty.");
            if (folder.ParentId is not null) EnsureNoSiblingNamed(request.Store, folder.ParentId, displayName, folder.Id);
            request.Store.RenameFolder(folder, displayName);
        }
        await GetAsync(request, request.Store.GetFolder(folder.MailboxId, folder.Id)!);
    }

    /// <summary>DELETE (with or without /$ref): removes the folder and everything in it. Distinguished folders stay.</summary>
    public static Task DeleteAsync(GraphRequest request, FolderRecord folder)
    {
        if (folder.WellKnownName is not null || folder.ParentId is null)
        {
            throw new GraphException(403, "ErrorDeleteDistinguishedFolder", "Distinguished folders cannot be deleted.");
        }
        request.Store.DeleteFolderTree(folder);
        request.Http.Response.StatusCode = 204;
        return Task.CompletedTask;
    }

    private static void EnsureNoSiblingNamed(MailboxStore store, string parentId, string displayName, string? exceptId)
    {
        if (store.FindChildFolderByName(parentId, displayName) is { } existing && existing.Id != exceptId)
        {
            throw new GraphException(409, "ErrorFolderExists", $"A folder named '{displayName}' already exists in this folder.");
        }
    }

    /// <summary>A body property by name, case-insensitively (clients differ in casing).</summary>
    public static JsonNode? Property(JsonObject body, string name) =>
        body.FirstOrDefault(p => p.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    public static string RequiredString(JsonObject body, string name)
    {
        var value = Property(body, name) is { } node ? AsString(node, name) : null;
        return string.IsNullOrWhiteSpace(value)
            ? throw GraphException.InvalidRequest($"The property '{name}' is required.")
            : value!;
    }

    private static string AsString(JsonNode node, string name) =>
        node is JsonValue value && value.TryGetValue<string>(out var text)
            ? text
            : throw GraphException.InvalidRequest($"The property '{name}' must be a string.");
}
