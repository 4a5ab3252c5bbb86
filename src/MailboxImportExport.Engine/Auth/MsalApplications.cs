using System.Security.Cryptography;
using System.Text;
using MailboxImportExport.Engine.Auth.TokenCache;
using MailboxImportExport.Engine.Diagnostics;
using MailboxImportExport.Engine.Threading;
using Microsoft.Identity.Client;

namespace MailboxImportExport.Engine.Auth;

/// <summary>
/// The process's MSAL applications, one per cloud, tenant, client, credential and cache scope, each wired to its
/// scope's shared token cache. Reusing them lets every runspace that connects the same way skip signing in again.
/// The credential's fingerprint is part of the key, so a wrong secret is never answered from tokens the right one got.
/// </summary>
internal static class MsalApplications
{
    // A cache that could not be opened is tried again next time.
    private static readonly AsyncCache<string, (object App, ITokenCacheStore Store)> Apps = new(StringComparer.Ordinal);

    public static async Task<(IConfidentialClientApplication App, ITokenCacheStore Store)> ConfidentialAsync(ServiceEndpoints endpoints, string tenant, string clientId,
        string credential, TokenCacheOptions cache, Func<ConfidentialClientApplicationBuilder, ConfidentialClientApplicationBuilder> withCredential)
    {
        var instance = await endpoints.InstanceAsync().ConfigureAwait(false);
        return await GetAsync<IConfidentialClientApplication>($"confidential|{Key(endpoints, instance, tenant, clientId)}|{Fingerprint(clientId, credential)}|{cache.Key}",
            () => TokenCacheStores.GetAsync(cache, endpoints.AuthorityHost, instance, Fingerprint(clientId, credential)),
            () => withCredential(ConfidentialClientApplicationBuilder.Create(clientId).WithCloud(endpoints, tenant)).Build(),
            app => app.AppTokenCache).ConfigureAwait(false);
    }

    /// <summary>The shared public client; people's accounts are signed out through MSAL itself, so the store stays inside.</summary>
    public static async Task<IPublicClientApplication> PublicAsync(ServiceEndpoints endpoints, string tenant, string clientId, TokenCacheOptions cache)
    {
        var instance = await endpoints.InstanceAsync().ConfigureAwait(false);
        return (await GetAsync<IPublicClientApplication>($"public|{Key(endpoints, instance, tenant, clientId)}|{cache.Key}",
            () => TokenCacheStores.GetAsync(cache, endpoints.AuthorityHost, instance, credentialFingerprint: null),
            // The system browser returns to a loopback listener on a free port that MSAL picks.
            () => PublicClientApplicationBuilder.Create(clientId).WithCloud(endpoints, tenant).WithRedirectUri("http://localhost").Build(),
            app => app.UserTokenCache).ConfigureAwait(false)).App;
    }

    private static async Task<(T App, ITokenCacheStore Store)> GetAsync<T>(string key, Func<Task<ITokenCacheStore>> openStore, Func<T> build,
        Func<T, ITokenCache> tokenCache) where T : class
    {
        var (app, store) = await Apps.GetAsync(key, async _ =>
        {
            var opened = await openStore().ConfigureAwait(false);
            var built = build();
            opened.Register(tokenCache(built));
            return ((object)built, opened);
        }).ConfigureAwait(false);
        return ((T)app, store);
    }

    private static T WithCloud<T>(this AbstractApplicationBuilder<T> builder, ServiceEndpoints endpoints, string tenant)
        where T : AbstractApplicationBuilder<T>
    {
        var authority = endpoints.Authority(tenant);
        var configured = endpoints.IsKnownCloud
            ? builder.WithAuthority(authority)
            : builder.WithAuthority(authority, validateAuthority: false).WithInstanceDiscovery(false);
        if (endpoints.IsEmulator) configured = configured.WithHttpClientFactory(new FixedHttpClientFactory(endpoints.CreateHandler()));
        return configured.WithLogging(LogMsal, LogLevel.Info, enablePiiLogging: false, enableDefaultPlatformLogging: false);
    }

    // An emulator started again on the same port is another service (its own tenant and signing key): its instance is part of the key.
    private static string Key(ServiceEndpoints endpoints, string instance, string tenant, string clientId) =>
        $"{endpoints.AuthorityHost}|{instance}|{endpoints.GraphRoot}|{tenant.ToLowerInvariant()}|{clientId.ToLowerInvariant()}";

    /// <summary>Tells credentials apart without revealing them: it names app-only cache partitions (and their files).</summary>
    private static string Fingerprint(string clientId, string credential)
    {
        using var sha = SHA256.Create();
        var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(clientId.ToLowerInvariant() + "\n" + credential));
        return BitConverter.ToString(hash, 0, 8).Replace("-", "").ToLowerInvariant();
    }

    private static void LogMsal(LogLevel level, string message, bool containsPii)
    {
        if (!containsPii) EngineLog.Debug("MSAL: " + message);
    }
}

/// <summary>Lets MSAL use the module's HTTP handler (and so its certificate rules) instead of its own.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The client lives as long as the MSAL application that holds the factory, which has no disposal.")]
internal sealed class FixedHttpClientFactory : IMsalHttpClientFactory
{
    private readonly HttpClient _client;
    public FixedHttpClientFactory(HttpMessageHandler handler) => _client = new HttpClient(handler, disposeHandler: true);
    public HttpClient GetHttpClient() => _client;
}
