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

/// <summary>
/// Picks the store of a sign-in. App-only tokens are kept apart per credential: MSAL finds them by app and tenant
/// alone, so a shared store would answer a wrong secret with the tokens the right one obtained. Process stores are
/// also apart per sign-in host, because MSAL keys entries by host without its port, and emulators differ only by port,
/// and per emulator instance: one started again on the same port signs with another key.
/// </summary>
internal static class TokenCacheStores
{
    public static async Task<ITokenCacheStore> GetAsync(TokenCacheOptions options, Uri authorityHost, string instance, string? credentialFingerprint)
    {
        var partition = credentialFingerprint is null ? "msal" : "msal.app-" + credentialFingerprint;
        return options.Scope == TokenCacheScope.Process
            ? ProcessTokenStore.For($"{authorityHost}|{instance}|{partition}")
            : await PersistentTokenStore.GetAsync(options.AllowUnencryptedFile, partition).ConfigureAwait(false);
    }
}
