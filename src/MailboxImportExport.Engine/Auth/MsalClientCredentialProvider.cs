using MailboxImportExport.Engine.Diagnostics;
using Microsoft.Identity.Client;

namespace MailboxImportExport.Engine.Auth;

/// <summary>
/// App-only tokens through MSAL's confidential-client flow. Tokens live in MSAL's shared in-process cache, so
/// every connection and runspace with the same app reuses them, and MSAL renews them before they expire.
/// </summary>
internal sealed class MsalClientCredentialProvider : ITokenProvider
{
    private readonly IConfidentialClientApplication _app;
    private readonly string[] _scopes;

    public MsalClientCredentialProvider(IConfidentialClientApplication app, string[] scopes)
    {
        _app = app;
        _scopes = scopes;
    }

    public bool CanRefresh => true;
    public AccessTokenInfo? Current { get; private set; }

    public async Task<AccessTokenInfo> GetTokenAsync(bool forceRefresh, CancellationToken cancellationToken)
    {
        try
        {
            var result = await _app.AcquireTokenForClient(_scopes).WithForceRefresh(forceRefresh)
                .ExecuteAsync(cancellationToken).ConfigureAwait(false);
            EngineLog.Debug($"Access token from {result.AuthenticationResultMetadata.TokenSource}, expires {result.ExpiresOn:u}.");
            return Current = new AccessTokenInfo(result.AccessToken, result.ExpiresOn, null, JwtClaims.Roles(result.AccessToken));
        }
        catch (MsalServiceException e)
        {
            throw new ExAuthenticationException(e.ErrorCode,
                $"Sign-in was refused by {_app.Authority}: {e.ErrorCode}. {FirstLine(e.Message)} Check the tenant id, client id and credential.", e);
        }
        catch (MsalClientException e)
        {
            throw new ExAuthenticationException(e.ErrorCode, $"Sign-in failed before reaching the service: {FirstLine(e.Message)}", e);
        }
    }

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();
}

/// <summary>Lets MSAL use the module's HTTP handler (and so its certificate rules) instead of its own.</summary>
internal sealed class FixedHttpClientFactory : IMsalHttpClientFactory
{
    private readonly HttpClient _client;
    public FixedHttpClientFactory(HttpMessageHandler handler) => _client = new HttpClient(handler, disposeHandler: true);
    public HttpClient GetHttpClient() => _client;
}
