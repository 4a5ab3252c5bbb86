using System.Text.Json.Nodes;
using MailboxImportExport.Emulator.Storage;

namespace MailboxImportExport.Emulator.Graph;

/// <summary>Users' exchange settings, mailbox lookup, and the folder resolution every mailbox route shares.</summary>
internal static class MailboxHandlers
{
    /// <summary><c>GET /users/{id|upn}/settings/exchange</c>: one object, not a collection.</summary>
    public static Task GetExchangeSettingsAsync(GraphRequest request, string userKey)
    {
        var user = request.Store.FindUser(userKey) ?? throw new GraphException(404, "Request_ResourceNotFound",
            $"Resource '{userKey}' does not exist or one of its queried reference-property objects are not present.");
        request.AuthorizeOwner(user.ObjectId);
        var mailboxes = request.Store.MailboxesOf(user.ObjectId);
        var primary = mailboxes.FirstOrDefault(m => !m.IsArchive) ?? throw new GraphException(404, "MailboxNotEnabledForRESTAPI",
            $"The mailbox of '{user.UserPrincipalName}' is either inactive, soft-deleted, or is hosted on-premise.");
        var body = new JsonObject
        {
            ["@odata.context"] = GraphJson.Context(request, $"users('{Uri.EscapeDataString(userKey)}')/settings/exchange/$entity"),
            ["id"] = user.ObjectId,
            ["primaryMailboxId"] = primary.Id,
        };
        if (request.IsBeta) body["inPlaceArchiveMailboxId"] = mailboxes.FirstOrDefault(m => m.IsArchive)?.Id;
        return request.WriteJsonAsync(200, body);
    }

    /// <summary><c>GET /users</c>: the tenant's users, with $select, $filter (eq, ne, startswith) and $top paging.</summary>
    public static Task ListUsersAsync(GraphRequest request)
    {
        var query = ODataQuery.Parse(request, EntitySchema.User, QueryOptions.Select | QueryOptions.Filter | QueryOptions.Top | QueryOptions.Skip | QueryOptions.Count);
        var users = request.Store.Users()
            .Where(u => request.SignedInUserId is null || u.ObjectId.Equals(request.SignedInUserId, StringComparison.OrdinalIgnoreCase))
            .Select(u => new JsonObject
            {
                ["id"] = u.ObjectId,
                ["userPrincipalName"] = u.UserPrincipalName,
                ["displayName"] = u.DisplayName,
                ["mail"] = u.UserPrincipalName,
            });
        return CollectionResponse.WriteAsync(request, GraphJson.Context(request, "users"), users, query);
    }

    /// <summary>
    /// The mailbox a route names. Unknown ids, and archive mailboxes on v1.0 (archives are beta-only), are a 404.
    /// </summary>
    public static MailboxRecord Resolve(MailboxStore store, string mailboxId, bool isBeta)
    {
        var mailbox = store.FindMailbox(mailboxId);
        if (mailbox is null)
        {
            throw new GraphException(404, "ErrorInvalidMailboxItemId", $"The mailbox '{mailboxId}' was not found.");
        }
        if (mailbox.IsArchive && !isBeta)
        {
            throw new GraphException(404, "ErrorInvalidMailboxItemId",
                $"The mailbox '{mailboxId}' is an archive mailbox; archive mailboxes are only available on the beta endpoint.");
        }
        return mailbox;
    }

    /// <summary><c>GET /admin/exchange/mailboxes/{id}</c> (undocumented; the SDKs generate it): just the id.</summary>
    public static Task GetMailboxAsync(GraphRequest request, MailboxRecord mailbox) =>
        request.WriteJsonAsync(200, new JsonObject
        {
            ["@odata.context"] = GraphJson.Context(request, "admin/exchange/mailboxes/$entity"),
            ["id"] = mailbox.Id,
        });

    /// <summary>
    /// A folder by id or well-known name: a malformed id is a 400, an unknown one a 404. A folder that lives in another
    /// mailbox of the same archive (an auxiliary archive, or the main one) is a 308 to the same request there.
    /// </summary>
    public static FolderRecord ResolveFolder(MailboxStore store, MailboxRecord mailbox, string idOrName, GraphRequest? request = null)
    {
        if (!WellKnownFolders.IsWellKnownName(idOrName) && !IdFactory.IsWellFormedFolderId(idOrName)) throw GraphException.IdMalformed();
        if (store.FindFolder(mailbox.Id, idOrName) is { } folder) return folder;
        if (request is not null && mailbox.IsArchive)
        {
            foreach (var other in store.ArchiveFamilyOf(mailbox.Id).Where(id => !id.Equals(mailbox.Id, StringComparison.OrdinalIgnoreCase)))
                if (store.FindFolder(other, idOrName) is not null) throw new RedirectException(RedirectedUrl(request, mailbox.Id, other));
        }
        throw GraphException.ItemNotFound();
    }

    /// <summary>The request's own URL, under another mailbox id: what the archive redirect's Location says.</summary>
    private static string RedirectedUrl(GraphRequest request, string from, string to)
    {
        var (path, query) = CollectionResponse.RawPathAndQuery(request.Http);
        var segments = path.Split('/');
        var index = Array.FindIndex(segments, s => Uri.UnescapeDataString(s).Equals(from, StringComparison.OrdinalIgnoreCase));
        segments[index] = to;
        return $"{request.State.BaseUri.GetLeftPart(UriPartial.Authority)}{string.Join("/", segments)}{(query.Length > 0 ? "?" + query : "")}";
    }
}
