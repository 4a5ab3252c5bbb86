using System.Text.Json.Nodes;
using MailboxImportExport.Emulator.Auth;
using MailboxImportExport.Emulator.Hosting;
using MailboxImportExport.Emulator.Storage;

namespace MailboxImportExport.Emulator.Graph;

/// <summary>
/// Maps Graph paths (after /v1.0 or /beta; segments already percent-decoded, compared case-insensitively) to the
/// handlers, after checking the bearer token. Folder chains <c>folders/{id}(/childFolders/{id})*</c> resolve to one
/// folder first, so every folder operation has a single handler whichever way the path reached it.
/// </summary>
internal static class GraphRouter
{
    public static Task DispatchAsync(GraphRequest request)
    {
        CheckBearer(request);
        var s = request.Segments;
        if (s.Count == 4 && Is(s[0], "users") && Is(s[2], "settings") && Is(s[3], "exchange"))
        {
            return OnlyGet(request, GraphPermission.ReadUsers, () => MailboxHandlers.GetExchangeSettingsAsync(request, s[1]));
        }
        if (s.Count >= 4 && Is(s[0], "admin") && Is(s[1], "exchange") && Is(s[2], "mailboxes"))
        {
            var mailbox = MailboxHandlers.Resolve(request.Store, s[3], request.IsBeta);
            request.AuthorizeOwner(mailbox.UserObjectId);
            var rest = s.Skip(4).ToList();
            return MailboxGate.RunAsync(request.State, request.Http, request.AppId, mailbox.Id, http => MailboxRouteAsync(request.On(http), mailbox, rest));
        }
        throw GraphException.SegmentNotFound(s.Count == 0 ? request.Version : s[0]);
    }

    private static Task MailboxRouteAsync(GraphRequest request, MailboxRecord mailbox, List<string> rest)
    {
        // Getting a mailbox is undocumented (the SDK generates it): any valid token may.
        if (rest.Count == 0) return OnlyGet(request, permission: null, () => MailboxHandlers.GetMailboxAsync(request, mailbox));
        switch (rest[0].ToLowerInvariant())
        {
            case "exportitems" when rest.Count == 1:
                return Only(request, "POST", GraphPermission.ExportItems, () => ExportHandler.HandleAsync(request, mailbox));
            case "createimportsession" when rest.Count == 1:
                return Only(request, "POST", GraphPermission.ImportItems, () => ImportHandlers.CreateSessionAsync(request, mailbox));
            case "folders":
                return FoldersRouteAsync(request, mailbox, rest);
            default:
                throw GraphException.SegmentNotFound(rest[0]);
        }
    }

    private static Task FoldersRouteAsync(GraphRequest request, MailboxRecord mailbox, List<string> rest)
    {
        var messageRoot = request.Store.GetWellKnownFolder(mailbox.Id, WellKnownFolders.MsgFolderRoot)!;
        if (rest.Count == 1)
        {
            // The folder list is the children of msgfolderroot, and a new folder goes there.
            var context = GraphJson.MailboxContext(request, mailbox.Id, "folders");
            return ListOrCreate(request, messageRoot, context);
        }
        if (rest.Count == 2 && IsDelta(rest[1])) return OnlyGet(request, GraphPermission.ReadFolders, () => DeltaHandler.FoldersAsync(request, messageRoot));

        var folder = MailboxHandlers.ResolveFolder(request.Store, mailbox, rest[1]);
        var next = 2;
        while (next + 1 < rest.Count && Is(rest[next], "childFolders") && !IsDelta(rest[next + 1]))
        {
            var child = MailboxHandlers.ResolveFolder(request.Store, mailbox, rest[next + 1]);
            if (child.ParentId != folder.Id) throw GraphException.ItemNotFound();
            folder = child;
            next += 2;
        }
        return FolderRouteAsync(request, folder, rest.Skip(next).ToList());
    }

    private static Task FolderRouteAsync(GraphRequest request, FolderRecord folder, List<string> tail)
    {
        switch (tail.Count)
        {
            case 0:
                return request.Method switch
                {
                    "GET" => Permitted(request, GraphPermission.ReadFolders, () => FolderHandlers.GetAsync(request, folder)),
                    "PATCH" => Permitted(request, GraphPermission.WriteFolders, () => FolderHandlers.UpdateAsync(request, folder)),
                    "DELETE" => Permitted(request, GraphPermission.WriteFolders, () => FolderHandlers.DeleteAsync(request, folder)),
                    _ => throw MethodNotAllowed(request),
                };
            case 1 when tail[0] == "$ref":
                return Only(request, "DELETE", GraphPermission.WriteFolders, () => FolderHandlers.DeleteAsync(request, folder));
            case 1 when Is(tail[0], "childFolders"):
                return ListOrCreate(request, folder, GraphJson.MailboxContext(request, folder.MailboxId, $"folders('{folder.Id}')/childFolders"));
            case 2 when Is(tail[0], "childFolders") && IsDelta(tail[1]):
                return OnlyGet(request, GraphPermission.ReadFolders, () => DeltaHandler.FoldersAsync(request, folder));
            case 1 when Is(tail[0], "items"):
                return OnlyGet(request, GraphPermission.ReadItems, () => ItemHandlers.ListAsync(request, folder));
            case 2 when Is(tail[0], "items") && IsDelta(tail[1]):
                return OnlyGet(request, GraphPermission.ReadItems, () => DeltaHandler.ItemsAsync(request, folder));
            case 2 when Is(tail[0], "items"):
                return request.Method switch
                {
                    "GET" => Permitted(request, GraphPermission.ReadItems, () => ItemHandlers.GetAsync(request, folder, tail[1])),
                    "DELETE" => Permitted(request, GraphPermission.DeleteItems, () => ItemHandlers.DeleteAsync(request, folder, tail[1])),
                    _ => throw MethodNotAllowed(request),
                };
            default:
                throw GraphException.SegmentNotFound(tail[0]);
        }
    }

    private static Task ListOrCreate(GraphRequest request, FolderRecord parent, string context) => request.Method switch
    {
        "GET" => Permitted(request, GraphPermission.ReadFolders, () => FolderHandlers.ListChildrenAsync(request, parent, context)),
        "POST" => Permitted(request, GraphPermission.WriteFolders, () => FolderHandlers.CreateAsync(request, parent)),
        _ => throw MethodNotAllowed(request),
    };

    private const string ExpiredTokenMessage = "Lifetime validation failed, the token is expired.";

    /// <summary>
    /// 401 unless the bearer token is valid; notes whose a delegated token is and which app it belongs to, and lets the
    /// 401 fault expire this token.
    /// </summary>
    private static void CheckBearer(GraphRequest request)
    {
        var tokens = request.State.AccessTokens;
        var (result, claims) = tokens.Check(request.Http.Request.Headers.Authorization);
        // A user token without an object id reaches no mailbox rather than every one.
        if ((string?)claims?["idtyp"] == "user") request.SignedInUserId = (string?)claims["oid"] ?? "";
        request.GrantedPermissions = GrantedBy(claims);
        if ((string?)claims?["appid"] is { } appId) request.AppId = appId;
        var message = result switch
        {
            TokenCheck.Valid => null,
            TokenCheck.Missing => "Access token is empty.",
            TokenCheck.Expired => ExpiredTokenMessage,
            _ => "Access token validation failure. Invalid audience or signature.",
        };
        if (message is not null) throw Unauthorized(request, message);
        RequestTrace.Of(request.Http).ExpireCredential = () =>
        {
            tokens.Revoke((string?)claims!["uti"]);
            return Unauthorized(request, ExpiredTokenMessage);
        };
    }

    private static GraphException Unauthorized(GraphRequest request, string message)
    {
        // Graph's header names the global login host's common authorize endpoint; the emulator is its own login host.
        request.Http.Response.Headers.WWWAuthenticate =
            $"Bearer realm=\"\", authorization_uri=\"{request.State.BaseUri}common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"";
        return new GraphException(401, "InvalidAuthenticationToken", message);
    }

    private static bool IsDelta(string segment) => Is(segment, "delta") || Is(segment, "delta()");

    private static bool Is(string segment, string name) => segment.Equals(name, StringComparison.OrdinalIgnoreCase);

    /// <summary>A user token's <c>scp</c> (space-separated), or an app token's <c>roles</c> (an array).</summary>
    private static HashSet<string> GrantedBy(JsonObject? claims)
    {
        var granted = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (claims?["scp"] is { } scp) granted.UnionWith(((string?)scp ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries));
        if (claims?["roles"] is JsonArray roles) granted.UnionWith(roles.Select(r => (string?)r).OfType<string>());
        return granted;
    }

    private static Task OnlyGet(GraphRequest request, GraphPermission? permission, Func<Task> handler) => Only(request, "GET", permission, handler);

    /// <summary>The handler, when the request has the one method the resource allows and the token the permission.</summary>
    private static Task Only(GraphRequest request, string method, GraphPermission? permission, Func<Task> handler) =>
        request.Method == method ? (permission is null ? handler() : Permitted(request, permission, handler)) : throw MethodNotAllowed(request);

    private static Task Permitted(GraphRequest request, GraphPermission permission, Func<Task> handler)
    {
        request.RequirePermission(permission);
        return handler();
    }

    private static GraphException MethodNotAllowed(GraphRequest request) =>
        new(405, "Request_BadRequest", $"The HTTP method '{request.Method}' is not allowed on this resource.");
}
