using Microsoft.Identity.Client;

namespace MailboxImportExport.Engine.Auth.TokenCache;

/// <summary>The one place a scope's tokens live; every MSAL application of that scope reads and writes it.</summary>
internal interface ITokenCacheStore
{
    /// <summary>Makes an MSAL application's cache load from and save to this store.</summary>
    void Register(ITokenCache cache);

    /// <summary>Removes an app's own (app-only) tokens; MSAL removes account tokens itself.</summary>
    void RemoveAppTokens(string clientId, string tenantId);
}

internal static class TokenCacheStores
{
    public static async Task<ITokenCacheStore> GetAsync(TokenCacheOptions options) =>
        options.Scope == TokenCacheScope.Process
            ? ProcessTokenStore.Instance
            : await PersistentTokenStore.GetAsync(options.AllowUnencryptedFile).ConfigureAwait(false);
}
