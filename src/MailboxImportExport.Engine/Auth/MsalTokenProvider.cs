using MailboxImportExport.Engine.Diagnostics;
using Microsoft.Identity.Client;

namespace MailboxImportExport.Engine.Auth;

/// <summary>
/// What the MSAL-backed providers share: the token in hand serves every call until five minutes before it
/// expires (so a long export does not touch the cache, or a keyring, per request); after that MSAL is asked
/// again and answers from the shared cache or refreshes silently. MSAL failures become sign-in errors that say what to do.
/// </summary>
internal abstract class MsalTokenProvider : ITokenProvider
{
    private static readonly TimeSpan RenewBeforeExpiry = TimeSpan.FromMinutes(5);

    protected MsalTokenProvider(string authority) => Authority = authority;

    protected string Authority { get; }
    public bool CanRefresh => true;
    public AccessTokenInfo? Current { get; private set; }

    public async Task<AccessTokenInfo> GetTokenAsync(bool forceRefresh, CancellationToken cancellationToken)
    {
        if (!forceRefresh && Current is { ExpiresOn: { } expires } current && expires - DateTimeOffset.UtcNow > RenewBeforeExpiry)
            return current;
        try
        {
            var result = await AcquireAsync(forceRefresh, cancellationToken).ConfigureAwait(false);
            EngineLog.Debug($"Access token from {result.AuthenticationResultMetadata.TokenSource}, expires {result.ExpiresOn:u}.");
            return Current = new AccessTokenInfo(result.AccessToken, result.ExpiresOn, result.Account?.Username, JwtClaims.Roles(result.AccessToken));
        }
        catch (MsalUiRequiredException e)
        {
            throw new ExAuthenticationException("SignInRequired",
                $"The sign-in can no longer be renewed without you ({e.ErrorCode}: {FirstLine(e.Message)}). Run Connect-ExMailboxService again.", e);
        }
        catch (MsalServiceException e)
        {
            throw new ExAuthenticationException(e.ErrorCode,
                $"Sign-in was refused by {Authority}: {e.ErrorCode}. {FirstLine(e.Message)} Check the tenant id, client id and credential.", e);
        }
        catch (MsalClientException e)
        {
            throw new ExAuthenticationException(e.ErrorCode, $"Sign-in failed before reaching the service: {FirstLine(e.Message)}", e);
        }
    }

    public abstract Task SignOutAsync(CancellationToken cancellationToken);

    protected abstract Task<AuthenticationResult> AcquireAsync(bool forceRefresh, CancellationToken cancellationToken);

    internal static string FirstLine(string text) => text.Split('\n')[0].Trim();
}

/// <summary>App-only tokens (client secret or certificate) through MSAL's client-credentials flow.</summary>
internal sealed class AppTokenProvider : MsalTokenProvider
{
    private readonly IConfidentialClientApplication _app;
    private readonly TokenCache.ITokenCacheStore _store;
    private readonly string _scope;
    private readonly string _tenantId;

    public AppTokenProvider(IConfidentialClientApplication app, TokenCache.ITokenCacheStore store, string scope, string tenantId)
        : base(app.Authority)
    {
        _app = app;
        _store = store;
        _scope = scope;
        _tenantId = tenantId;
    }

    protected override Task<AuthenticationResult> AcquireAsync(bool forceRefresh, CancellationToken cancellationToken) =>
        _app.AcquireTokenForClient(new[] { _scope }).WithForceRefresh(forceRefresh).ExecuteAsync(cancellationToken);

    public override Task SignOutAsync(CancellationToken cancellationToken)
    {
        _store.RemoveAppTokens(_app.AppConfig.ClientId, _tenantId);
        return Task.CompletedTask;
    }
}

/// <summary>Delegated tokens of one signed-in account, renewed silently with its refresh token.</summary>
internal sealed class UserTokenProvider : MsalTokenProvider
{
    private readonly IPublicClientApplication _app;
    private readonly IAccount _account;
    private readonly string[] _scopes;

    public UserTokenProvider(IPublicClientApplication app, IAccount account, string[] scopes) : base(app.Authority)
    {
        _app = app;
        _account = account;
        _scopes = scopes;
    }

    protected override Task<AuthenticationResult> AcquireAsync(bool forceRefresh, CancellationToken cancellationToken) =>
        _app.AcquireTokenSilent(_scopes, _account).WithForceRefresh(forceRefresh).ExecuteAsync(cancellationToken);

    public override async Task SignOutAsync(CancellationToken cancellationToken)
    {
        await _app.RemoveAsync(_account).ConfigureAwait(false);
        EngineLog.Debug($"Removed the tokens of {_account.Username} from the token cache.");
    }
}

/// <summary>Tokens of the Azure resource's managed identity; the local identity endpoint is asked again near expiry.</summary>
internal sealed class ManagedIdentityTokenProvider : MsalTokenProvider
{
    private readonly IManagedIdentityApplication _app;
    private readonly string _resource;

    public ManagedIdentityTokenProvider(IManagedIdentityApplication app, string resource) : base("the managed identity endpoint")
    {
        _app = app;
        _resource = resource;
    }

    protected override Task<AuthenticationResult> AcquireAsync(bool forceRefresh, CancellationToken cancellationToken) =>
        _app.AcquireTokenForManagedIdentity(_resource).WithForceRefresh(forceRefresh).ExecuteAsync(cancellationToken);

    /// <summary>Managed identity tokens live in that application's own memory only; they go with it.</summary>
    public override Task SignOutAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
