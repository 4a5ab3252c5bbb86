using MailboxImportExport.Emulator.Storage;

namespace MailboxImportExport.Emulator.Graph;

/// <summary>List, get and delete of the items in one folder.</summary>
internal static class ItemHandlers
{
    public static Task ListAsync(GraphRequest request, FolderRecord folder)
    {
        var query = ODataQuery.Parse(request, EntitySchema.Item, QueryOptions.Collection | QueryOptions.Expand, PropertiesOf(request, folder));
        // Newest first unless $orderby says otherwise, as Outlook lists a folder.
        var items = request.Store.ItemsIn(folder.Id).OrderByDescending(i => i.Created).ThenBy(i => i.Id, StringComparer.Ordinal);
        var context = GraphJson.MailboxContext(request, folder.MailboxId, $"folders('{folder.Id}')/items");
        return CollectionResponse.WriteAsync(request, context, items.Select(GraphJson.Item), query);
    }

    public static Task GetAsync(GraphRequest request, FolderRecord folder, string itemId)
    {
        var query = ODataQuery.Parse(request, EntitySchema.Item, QueryOptions.Entity | QueryOptions.Expand, PropertiesOf(request, folder));
        var json = query.Project(GraphJson.Item(Find(request, folder, itemId)));
        json.Insert(0, "@odata.context", GraphJson.MailboxContext(request, folder.MailboxId, $"folders('{folder.Id}')/items/$entity"));
        return request.WriteJsonAsync(200, json);
    }

    /// <summary>The extended properties of the folder's items, read from their stored exports.</summary>
    private static ExtendedPropertySource PropertiesOf(GraphRequest request, FolderRecord folder) =>
        entity => request.State.ItemProperties.Of(folder.MailboxId, (string)entity["id"]!, (string)entity["changeKey"]!);

    /// <summary>DELETE ?disposalType=softDelete|hardDelete (required).</summary>
    public static Task DeleteAsync(GraphRequest request, FolderRecord folder, string itemId)
    {
        var disposal = request.QueryValue("disposalType");
        var soft = disposal?.ToLowerInvariant() switch
        {
            "softdelete" => true,
            "harddelete" => false,
            null or "" => throw GraphException.InvalidRequest("The query parameter 'disposalType' is required: softDelete or hardDelete."),
            _ => throw GraphException.InvalidRequest($"Invalid disposalType '{disposal}': use softDelete or hardDelete."),
        };
        request.State.Items.Delete(Find(request, folder, itemId), soft);
        request.Http.Response.StatusCode = 204;
        return Task.CompletedTask;
    }

    /// <summary>The item, which must be in <paramref name="folder"/>; a malformed id is a 400, anything else a 404.</summary>
    private static ItemRecord Find(GraphRequest request, FolderRecord folder, string itemId)
    {
        if (!IdFactory.IsWellFormedItemId(itemId)) throw GraphException.IdMalformed();
        var item = request.Store.GetItem(folder.MailboxId, itemId);
        return item is not null && item.FolderId == folder.Id ? item : throw GraphException.ItemNotFound();
    }
}
