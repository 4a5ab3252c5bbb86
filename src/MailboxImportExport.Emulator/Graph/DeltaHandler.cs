using System.Text.Json.Nodes;
using MailboxImportExport.Emulator.Storage;

namespace MailboxImportExport.Emulator.Graph;

/// <summary>
/// Folder and item delta, built on the store's change log: every change bumps a global sequence, and a token
/// carries its scope, the sequence its round started after and ends at, and a cursor (entities are paged in id
/// order). The first round lists everything in scope; later rounds list what changed in (after, upTo], the current
/// state of what is still in scope and <c>@removed</c> for what left it. Tokens are signed, so a forged or foreign
/// one, or one from before <see cref="EmulatorControl.ExpireDeltaTokens"/>, is a 410 syncStateNotFound.
/// </summary>
internal static class DeltaHandler
{
    private const string SkipUse = "delta-skip";
    private const string DeltaUse = "delta";

    /// <summary>What a delta call covers: the folders below a folder (at any depth), or the items in one folder.</summary>
    private sealed class Scope
    {
        public required string Kind { get; init; }
        public required FolderRecord Folder { get; init; }
        public required EntitySchema Schema { get; init; }
        public required ChangeKind ChangeKind { get; init; }
        public required QueryOptions Allowed { get; init; }
        public required Func<IEnumerable<JsonObject>> Current { get; init; }
        public required Func<string, JsonObject?> CurrentEntity { get; init; }
        public required Func<ChangedEntity, bool> Left { get; init; }
    }

    public static Task FoldersAsync(GraphRequest request, FolderRecord root)
    {
        var store = request.Store;
        HashSet<string>? inScope = null;
        HashSet<string> InScope() => inScope ??= store.DescendantFolders(root.Id).Select(f => f.Id).Append(root.Id).ToHashSet();
        return RunAsync(request, new Scope
        {
            Kind = "folders",
            Folder = root,
            Schema = EntitySchema.Folder,
            ChangeKind = ChangeKind.Folder,
            Allowed = QueryOptions.Select | QueryOptions.DeltaTokens,
            Current = () => store.DescendantFolders(root.Id).Select(f => GraphJson.Folder(request, f)),
            CurrentEntity = id => id != root.Id && InScope().Contains(id) && store.GetFolder(root.MailboxId, id) is { } f
                ? GraphJson.Folder(request, f)
                : null,
            // A folder left the scope when it was logged under a folder of the scope, or is gone altogether
            // (a deleted subtree's folders were logged under parents that are gone too).
            Left = change => change.Containers.Any(c => c is not null && InScope().Contains(c))
                || store.GetFolder(root.MailboxId, change.EntityId) is null,
        }, "Collection(mailboxFolder)");
    }

    public static Task ItemsAsync(GraphRequest request, FolderRecord folder)
    {
        var store = request.Store;
        return RunAsync(request, new Scope
        {
            Kind = "items",
            Folder = folder,
            Schema = EntitySchema.Item,
            ChangeKind = ChangeKind.Item,
            Allowed = QueryOptions.Select | QueryOptions.Top | QueryOptions.Filter | QueryOptions.OrderBy | QueryOptions.DeltaTokens,
            Current = () => store.ItemsIn(folder.Id).Select(GraphJson.Item),
            CurrentEntity = id => store.GetItem(folder.MailboxId, id) is { } item && item.FolderId == folder.Id ? GraphJson.Item(item) : null,
            Left = change => change.Containers.Contains(folder.Id),
        }, "Collection(mailboxItem)");
    }

    private static Task RunAsync(GraphRequest request, Scope scope, string contextFragment)
    {
        var requestQuery = ODataQuery.Parse(request, scope.Schema, scope.Allowed);
        var state = ReadState(request, scope, requestQuery);
        var query = ODataQuery.FromDeltaState(scope.Schema, (string?)state["sel"], (string?)state["flt"]);
        var after = (long)state["after"]!;
        var upTo = (long)state["upTo"]!;
        var cursor = (string?)state["last"];

        var entries = after < 0 ? query.FilterAndSort(scope.Current()) : Changes(request, scope, query, after, upTo);
        var pending = entries
            .Where(e => cursor is null || string.CompareOrdinal((string)e["id"]!, cursor) > 0)
            .OrderBy(e => (string)e["id"]!, StringComparer.Ordinal)
            .ToList();
        var pageSize = Math.Clamp(ODataQuery.PreferredMaxPageSize(request) ?? (int?)state["top"] ?? request.State.Control.DefaultPageSize, 1, ODataQuery.MaxPageSize);
        var page = pending.Take(pageSize).Select(e => e.ContainsKey("@removed") ? e : query.ApplySelect(e)).ToList();

        var body = new JsonObject
        {
            ["@odata.context"] = GraphJson.Context(request, contextFragment),
            ["value"] = new JsonArray(page.ToArray<JsonNode?>()),
        };
        if (pending.Count > pageSize)
        {
            state["last"] = (string)page[^1]["id"]!;
            body["@odata.nextLink"] = Link(request, "$skiptoken", request.State.Signer.Sign(SkipUse, state));
        }
        else
        {
            state["after"] = upTo;
            state.Remove("last");
            state.Remove("upTo");
            body["@odata.deltaLink"] = Link(request, "$deltatoken", request.State.Signer.Sign(DeltaUse, state));
        }
        return request.WriteJsonAsync(200, body);
    }

    private static IEnumerable<JsonObject> Changes(GraphRequest request, Scope scope, ODataQuery query, long after, long upTo)
    {
        foreach (var change in request.Store.ChangesBetween(scope.Folder.MailboxId, scope.ChangeKind, after, upTo))
        {
            if (scope.CurrentEntity(change.EntityId) is { } entity)
            {
                if (query.Filter is null || query.Filter(entity)) yield return entity;
            }
            else if (scope.Left(change))
            {
                yield return GraphJson.Removed(change.EntityId);
            }
        }
    }

    /// <summary>The state of this call: from its skip or delta token, or a new first round from its query options.</summary>
    private static JsonObject ReadState(GraphRequest request, Scope scope, ODataQuery requestQuery)
    {
        var control = request.State.Control;
        var skipToken = request.QueryValue("$skiptoken");
        var deltaToken = request.QueryValue("$deltatoken");
        if (skipToken is null && deltaToken is null)
        {
            return new JsonObject
            {
                ["kind"] = scope.Kind,
                ["mbx"] = scope.Folder.MailboxId,
                ["folder"] = scope.Folder.Id,
                ["epoch"] = control.DeltaEpoch,
                ["after"] = -1L,
                ["upTo"] = request.Store.CurrentSequence(),
                ["sel"] = requestQuery.Select is null ? null : string.Join(",", requestQuery.Select),
                ["flt"] = requestQuery.FilterText,
                ["top"] = requestQuery.Top,
            };
        }
        var state = skipToken is not null
            ? request.State.Signer.Verify(skipToken, SkipUse)
            : request.State.Signer.Verify(deltaToken, DeltaUse);
        if (state is null || (int?)state["epoch"] != control.DeltaEpoch || (string?)state["kind"] != scope.Kind
            || (string?)state["mbx"] != scope.Folder.MailboxId || (string?)state["folder"] != scope.Folder.Id)
        {
            throw new GraphException(410, "syncStateNotFound",
                "The sync state for this delta or skip token was not found or has expired. Restart a full synchronization without a token.");
        }
        if (skipToken is null) state["upTo"] = request.Store.CurrentSequence();
        return state;
    }

    /// <summary>The request's own path (delta or delta(), as sent) with only the state token: the token carries the rest.</summary>
    private static string Link(GraphRequest request, string tokenName, string token)
    {
        var (path, _) = CollectionResponse.RawPathAndQuery(request.Http);
        return $"{request.State.BaseUri.GetLeftPart(UriPartial.Authority)}{path}?{Uri.EscapeDataString(tokenName)}={Uri.EscapeDataString(token)}";
    }
}
