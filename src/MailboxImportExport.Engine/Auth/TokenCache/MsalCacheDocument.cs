using System.Text;
using System.Text.Json.Nodes;

namespace MailboxImportExport.Engine.Auth.TokenCache;

/// <summary>
/// Edits MSAL's serialized cache (the cross-MSAL "v3" JSON: sections of credential entries). MSAL can remove an
/// account's tokens itself, but has no call that removes an app's own (app-only) tokens; this does that.
/// </summary>
internal static class MsalCacheDocument
{
    /// <summary>The cache without the app-only access tokens of <paramref name="clientId"/> in <paramref name="tenantId"/>.</summary>
    public static byte[] WithoutAppTokens(byte[] cache, string clientId, string tenantId, out int removed)
    {
        removed = 0;
        if (cache.Length == 0 || JsonNode.Parse(Encoding.UTF8.GetString(cache)) is not JsonObject document
            || document["AccessToken"] is not JsonObject accessTokens)
        {
            return cache;
        }
        var keys = accessTokens
            .Where(entry => entry.Value is JsonObject token && IsAppTokenOf(token, clientId, tenantId))
            .Select(entry => entry.Key)
            .ToList();
        foreach (var key in keys) accessTokens.Remove(key);
        removed = keys.Count;
        return removed == 0 ? cache : Encoding.UTF8.GetBytes(document.ToJsonString());
    }

    private static bool IsAppTokenOf(JsonObject token, string clientId, string tenantId) =>
        string.IsNullOrEmpty((string?)token["home_account_id"])
        && string.Equals((string?)token["client_id"], clientId, StringComparison.OrdinalIgnoreCase)
        && string.Equals((string?)token["realm"], tenantId, StringComparison.OrdinalIgnoreCase);
}
