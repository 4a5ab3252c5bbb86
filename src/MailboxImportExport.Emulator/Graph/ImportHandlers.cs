using System.Globalization;
using System.Text.Json.Nodes;
using MailboxImportExport.Emulator.Storage;
using MailboxImportExport.Fts;

namespace MailboxImportExport.Emulator.Graph;

/// <summary>
/// createImportSession, and the importUrl it hands out: <c>POST {BaseUri}api/g{version}/Mailboxes('{mbx}')/importItem?authtoken=…</c>,
/// authenticated by the signed authtoken alone (mailbox, version, expiry, session id, app, and the session generation
/// of <see cref="EmulatorControl.ExpireImportSessions"/>).
/// </summary>
internal static class ImportHandlers
{
    private const string SessionUse = "import";

    /// <summary>
    /// POST createImportSession: no body (one sent is ignored); 200 with importUrl and expirationDateTime. The authtoken
    /// names the session, and the app that created it: its imports count against that app's limits for the mailbox.
    /// </summary>
    public static Task CreateSessionAsync(GraphRequest request, MailboxRecord mailbox)
    {
        var expires = request.State.Clock.GetUtcNow() + request.State.Control.ImportSessionLifetime;
        var token = request.State.Signer.Sign(SessionUse, new JsonObject
        {
            ["mbx"] = mailbox.Id,
            ["ver"] = request.Version,
            ["gen"] = request.State.Control.ImportSessionGeneration,
            ["exp"] = expires.ToUnixTimeMilliseconds(),
            ["sid"] = Guid.NewGuid().ToString("N"),
            ["app"] = request.AppId,
        });
        return request.WriteJsonAsync(200, new JsonObject
        {
            ["@odata.context"] = GraphJson.Context(request, "microsoft.graph.mailboxItemImportSession"),
            ["importUrl"] = $"{request.State.BaseUri}api/g{request.Version}/Mailboxes('{mailbox.Id}')/importItem?authtoken={Uri.EscapeDataString(token)}",
            // Seven fractional digits, like the docs' example.
            ["expirationDateTime"] = expires.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture),
        });
    }

    /// <summary>
    /// The importUrl's credential: no Authorization header, and a valid unexpired authtoken for this mailbox and
    /// version. Returns the app the session belongs to; lets the 401 fault expire this one session.
    /// </summary>
    public static string Authenticate(GraphRequest request, MailboxRecord mailbox)
    {
        if (request.Http.Request.Headers.ContainsKey("Authorization"))
        {
            throw new GraphException(401, "InvalidAuthenticationToken",
                "The importUrl is pre-authenticated by its authtoken; do not send an Authorization header.");
        }
        var claims = request.State.Signer.Verify(request.QueryValue("authtoken"), SessionUse);
        if (claims is null || !string.Equals((string?)claims["mbx"], mailbox.Id, StringComparison.OrdinalIgnoreCase)
            || (string?)claims["ver"] != request.Version)
        {
            throw new GraphException(401, "InvalidAuthenticationToken", "The authtoken of this importUrl is missing or invalid.");
        }
        var sessionId = (string?)claims["sid"] ?? "";
        var state = request.State;
        if ((int?)claims["gen"] != state.Control.ImportSessionGeneration
            || (long?)claims["exp"] <= state.Clock.GetUtcNow().ToUnixTimeMilliseconds()
            || state.ExpiredImportSessions.ContainsKey(sessionId))
        {
            throw SessionExpired();
        }
        Hosting.RequestTrace.Of(request.Http).ExpireCredential = () =>
        {
            state.ExpiredImportSessions[sessionId] = true;
            return SessionExpired();
        };
        // Sessions created before sessions named their app (an older --data file) count against the demo app.
        return (string?)claims["app"] ?? Engine.Auth.EmulatorDefaults.ClientId;
    }

    private static GraphException SessionExpired() =>
        new(401, "InvalidAuthenticationToken", "The import session has expired. Create a new import session.");

    /// <summary>
    /// The importUrl, once authenticated: checks the body, the Mode rules, the folder and the data, then creates or
    /// updates the item (as the store semantics of <see cref="EmulatorControl"/> say).
    /// </summary>
    public static async Task ImportItemAsync(GraphRequest request, MailboxRecord mailbox)
    {
        var body = await request.ReadJsonObjectAsync();
        var mode = FolderHandlers.RequiredString(body, "Mode").ToLowerInvariant();
        var itemId = OptionalString(body, "ItemId");
        var changeKey = OptionalString(body, "ChangeKey");
        switch (mode)
        {
            case "create" when itemId is not null || changeKey is not null:
                throw GraphException.InvalidRequest("Mode 'create' does not take ItemId or ChangeKey; use Mode 'update' to overwrite an item.");
            case "update" when itemId is null || changeKey is null:
                throw GraphException.InvalidRequest("Mode 'update' requires both ItemId and ChangeKey.");
            case "create" or "update":
                break;
            default:
                throw GraphException.InvalidRequest($"Invalid Mode '{mode}': use create or update.");
        }
        var folder = MailboxHandlers.ResolveFolder(request.Store, mailbox, FolderHandlers.RequiredString(body, "FolderId"));
        var data = ReadData(FolderHandlers.RequiredString(body, "Data"));

        var control = request.State.Control;
        var item = mode == "create"
            ? request.State.Items.Import(folder, data, control.ImportedCreatedDateTime, control.ImportedSearchKey)
            : request.State.Items.ImportOver(FindForUpdate(request.Store, folder, itemId!, changeKey!), data, control.ImportedSearchKey);
        request.State.Imports.Committed(folder.Id, created: mode == "create");
        await request.WriteJsonAsync(200, new JsonObject
        {
            ["@odata.context"] = $"{request.State.BaseUri}api/g{request.Version}/$metadata#microsoft.graph.importMailboxItemResponse",
            ["itemId"] = item.Id,
            ["changeKey"] = item.ChangeKey,
        });
    }

    /// <summary>Base64 of an item export: the envelope of an IMessage export, with a stream the FTS reader reads cleanly.</summary>
    private static byte[] ReadData(string base64)
    {
        byte[] data;
        try
        {
            data = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            throw GraphException.InvalidRequest("Data is not valid base64.");
        }
        using (var envelope = new MemoryStream(data, writable: false))
        {
            try
            {
                if (!FtsPayloadStream.Open(envelope).Header.IsMessageExport)
                {
                    throw new GraphException(400, "ErrorCorruptData", "Data is not an item export: its header does not describe an IMessage copy.");
                }
            }
            catch (FtsFormatException e)
            {
                throw new GraphException(400, "ErrorCorruptData", $"Data is not an item export: {e.Message}.");
            }
        }
        if (FtsReader.TryReadSummary(data, out var problem) is null || problem is not null)
        {
            throw new GraphException(400, "ErrorCorruptData", $"Data is not a readable item export: {problem}.");
        }
        return data;
    }

    /// <summary>The item an update overwrites: it must be in the folder (else 404) at the given version (else 409).</summary>
    private static ItemRecord FindForUpdate(MailboxStore store, FolderRecord folder, string itemId, string changeKey)
    {
        var item = IdFactory.IsWellFormedItemId(itemId) ? store.GetItem(folder.MailboxId, itemId) : null;
        if (item is null || item.FolderId != folder.Id)
        {
            throw new GraphException(404, "ErrorItemNotFound", "No item with this ItemId exists in the target folder.");
        }
        if (!string.Equals(item.ChangeKey, changeKey, StringComparison.Ordinal))
        {
            throw new GraphException(409, "ErrorIrresolvableConflict",
                "The ChangeKey does not match the item's current version; read the item again and retry with its current changeKey.");
        }
        return item;
    }

    private static string? OptionalString(JsonObject body, string name) =>
        FolderHandlers.Property(body, name) is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;
}
