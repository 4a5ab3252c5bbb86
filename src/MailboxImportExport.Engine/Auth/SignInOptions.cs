using System.Security.Cryptography.X509Certificates;
using MailboxImportExport.Engine.Auth.TokenCache;
using MailboxImportExport.Engine.Diagnostics;
using MailboxImportExport.Engine.Models;
using Microsoft.Identity.Client;
using Microsoft.Identity.Client.AppConfig;
using Microsoft.Identity.Client.Extensibility;

namespace MailboxImportExport.Engine.Auth;

/// <summary>What a successful sign-in hands to the connection.</summary>
internal sealed record SignedIn(ITokenProvider Tokens, string? TenantId, string? ClientId, string? Account);

/// <summary>What every sign-in method shares: where to sign in, which API version, and who shares the tokens.</summary>
public abstract class SignInOptions
{
    /// <summary><c>v1.0</c> (default) or <c>beta</c> (archive mailboxes).</summary>
    public string ApiVersion { get; set; } = "v1.0";
    public ServiceEndpoints Endpoints { get; set; } = ServiceEndpoints.Global;
    public TokenCacheOptions TokenCache { get; set; } = new();

    internal abstract ExAuthMethod Method { get; }
    internal abstract Task<SignedIn> SignInAsync(CancellationToken cancellationToken);
}

/// <summary>An app registration signing in as itself (client credentials): scheduled scripts, services.</summary>
public abstract class AppSignIn : SignInOptions
{
    protected AppSignIn(string tenantId, string clientId)
    {
        if (string.IsNullOrWhiteSpace(tenantId) || tenantId is "common" or "organizations" or "consumers")
            throw new ArgumentException("App-only sign-in needs the tenant: pass -TenantId with the tenant's id or domain (e.g. contoso.onmicrosoft.com).");
        if (string.IsNullOrWhiteSpace(clientId))
            throw new ArgumentException("App-only sign-in needs the app registration's client id: pass -ClientId.");
        TenantId = tenantId;
        ClientId = clientId;
    }

    public string TenantId { get; }
    public string ClientId { get; }

    /// <summary>Identifies the credential without revealing it (the key of the shared MSAL application).</summary>
    private protected abstract string CredentialKey { get; }
    private protected abstract string CredentialDescription { get; }
    private protected abstract ConfidentialClientApplicationBuilder WithCredential(ConfidentialClientApplicationBuilder builder);

    internal override async Task<SignedIn> SignInAsync(CancellationToken cancellationToken)
    {
        var (app, store) = await MsalApplications.ConfidentialAsync(Endpoints, TenantId, ClientId, CredentialKey, TokenCache, WithCredential)
            .ConfigureAwait(false);
        EngineLog.Verbose($"Signing in to {app.Authority} as app {ClientId} with {CredentialDescription}; tokens cached for the {TokenCache.Scope}.");
        var tokens = new AppTokenProvider(app, store, Endpoints.DefaultScope, TenantId);
        await tokens.GetTokenAsync(forceRefresh: false, cancellationToken).ConfigureAwait(false);
        return new SignedIn(tokens, TenantId, ClientId, null);
    }
}

public sealed class ClientSecretSignIn : AppSignIn
{
    private readonly string _secret;

    public ClientSecretSignIn(string tenantId, string clientId, string clientSecret) : base(tenantId, clientId)
    {
        if (string.IsNullOrEmpty(clientSecret)) throw new ArgumentException("The client secret is empty.");
        _secret = clientSecret;
    }

    internal override ExAuthMethod Method => ExAuthMethod.ClientSecret;
    private protected override string CredentialKey => "secret:" + _secret;
    private protected override string CredentialDescription => "a client secret";
    private protected override ConfidentialClientApplicationBuilder WithCredential(ConfidentialClientApplicationBuilder builder) =>
        builder.WithClientSecret(_secret);
}

public sealed class CertificateSignIn : AppSignIn
{
    public CertificateSignIn(string tenantId, string clientId, X509Certificate2 certificate) : base(tenantId, clientId)
    {
        if (!certificate.HasPrivateKey)
            throw new ArgumentException($"The certificate {certificate.Thumbprint} ({certificate.Subject}) has no private key; sign-in needs one. Use the PFX, or the certificate store entry that holds the key.");
        Certificate = certificate;
    }

    public X509Certificate2 Certificate { get; }

    internal override ExAuthMethod Method => ExAuthMethod.Certificate;
    private protected override string CredentialKey => "certificate:" + Certificate.Thumbprint;
    private protected override string CredentialDescription => $"certificate {Certificate.Thumbprint} ({Certificate.Subject}, expires {Certificate.NotAfter:yyyy-MM-dd})";
    // The x5c chain is sent so that certificates registered by subject name and issuer (SNI) work too.
    private protected override ConfidentialClientApplicationBuilder WithCredential(ConfidentialClientApplicationBuilder builder) =>
        builder.WithCertificate(Certificate, sendX5C: true);
}

/// <summary>A person signing in (delegated permissions: their own mailbox only).</summary>
public abstract class UserSignIn : SignInOptions
{
    /// <summary>Graph's delegated permissions the cmdlets need, from listing mailboxes to importing items.</summary>
    public static readonly IReadOnlyList<string> DefaultScopes = new[]
    {
        "User.Read.All", "MailboxFolder.ReadWrite", "MailboxItem.Read", "MailboxItem.ReadWrite", "MailboxItem.ImportExport",
        // Bringing mail in (Import-ExMailMessage) and adding attachments go through the Outlook endpoints.
        "Mail.ReadWrite", "Calendars.ReadWrite",
    };

    protected UserSignIn(string clientId)
    {
        if (string.IsNullOrWhiteSpace(clientId))
            throw new ArgumentException("Sign-in as a user needs the client id of a public-client app registration in your tenant: pass -ClientId.");
        ClientId = clientId;
    }

    public string ClientId { get; }
    /// <summary>A tenant id or domain; "organizations" lets any work account sign in.</summary>
    public string TenantId { get; set; } = "organizations";
    public IReadOnlyList<string> Scopes { get; set; } = DefaultScopes;
    /// <summary>The account to sign in as (login hint), and to pick from the cache when several are there.</summary>
    public string? Account { get; set; }

    /// <summary>Asks the person to sign in (browser or device code), when the cache holds no usable sign-in.</summary>
    private protected abstract Task<AuthenticationResult> PromptAsync(IPublicClientApplication app, string[] scopes, CancellationToken cancellationToken);

    internal override async Task<SignedIn> SignInAsync(CancellationToken cancellationToken)
    {
        var scopes = Scopes.Select(Endpoints.QualifyScope).ToArray();
        var app = await MsalApplications.PublicAsync(Endpoints, TenantId, ClientId, TokenCache).ConfigureAwait(false);
        var result = await SilentAsync(app, scopes, cancellationToken).ConfigureAwait(false);
        if (result is null)
        {
            EngineLog.Verbose($"Signing in at {app.Authority} with {Method} sign-in for scopes {string.Join(", ", Scopes)}.");
            try
            {
                result = await PromptAsync(app, scopes, cancellationToken).ConfigureAwait(false);
            }
            catch (MsalException e)
            {
                throw new ExAuthenticationException(e.ErrorCode, $"Sign-in failed: {e.ErrorCode}. {MsalTokenProvider.FirstLine(e.Message)}", e);
            }
        }
        var tokens = new UserTokenProvider(app, result.Account, scopes);
        await tokens.GetTokenAsync(forceRefresh: false, cancellationToken).ConfigureAwait(false);
        return new SignedIn(tokens, result.TenantId, ClientId, result.Account.Username);
    }

    /// <summary>A sign-in from the shared cache: the named account, or the only one there is for this app and tenant.</summary>
    private async Task<AuthenticationResult?> SilentAsync(IPublicClientApplication app, string[] scopes, CancellationToken cancellationToken)
    {
        // A tenant named by id only takes its own accounts; "organizations" or a domain takes any.
        var tenantId = Guid.TryParse(TenantId, out _) ? TenantId : null;
        var accounts = (await app.GetAccountsAsync().ConfigureAwait(false))
            .Where(a => tenantId is null || string.Equals(a.HomeAccountId?.TenantId, tenantId, StringComparison.OrdinalIgnoreCase))
            .ToList();
        var account = Account is null
            ? accounts.Count == 1 ? accounts[0] : null
            : accounts.FirstOrDefault(a => string.Equals(a.Username, Account, StringComparison.OrdinalIgnoreCase));
        if (account is null) return null;
        try
        {
            var result = await app.AcquireTokenSilent(scopes, account).ExecuteAsync(cancellationToken).ConfigureAwait(false);
            EngineLog.Verbose($"Signed in as {account.Username} from the token cache, without asking.");
            return result;
        }
        catch (MsalUiRequiredException e)
        {
            EngineLog.Verbose($"The cached sign-in of {account.Username} cannot be used ({e.ErrorCode}); asking again.");
            return null;
        }
    }
}

/// <summary>Sign-in in the system browser, which returns to a loopback listener: the admin at a prompt.</summary>
public sealed class InteractiveSignIn : UserSignIn
{
    public InteractiveSignIn(string clientId) : base(clientId) { }

    /// <summary>Replaces the system browser (tests drive the sign-in page over HTTP).</summary>
    internal ICustomWebUi? WebUi { get; set; }

    internal override ExAuthMethod Method => ExAuthMethod.Interactive;

    private protected override Task<AuthenticationResult> PromptAsync(IPublicClientApplication app, string[] scopes, CancellationToken cancellationToken)
    {
        EngineLog.Prompt("Opening the sign-in page in your browser. Finish signing in there; press Ctrl+C to cancel.");
        var request = app.AcquireTokenInteractive(scopes).WithPrompt(Prompt.SelectAccount);
        if (Account is not null) request = request.WithLoginHint(Account);
        if (WebUi is not null) request = request.WithCustomWebUi(WebUi);
        return WithBrowserAdviceAsync(request.ExecuteAsync(cancellationToken));
    }

    /// <summary>Where no browser can open (a server, an SSH session on Linux), the way out is device code sign-in: say so.</summary>
    private static async Task<AuthenticationResult> WithBrowserAdviceAsync(Task<AuthenticationResult> signIn)
    {
        try
        {
            return await signIn.ConfigureAwait(false);
        }
        catch (MsalClientException e) when (e.ErrorCode == MsalError.LinuxXdgOpen)
        {
            throw new ExAuthenticationException("BrowserUnavailable",
                "No web browser could be opened on this computer for the sign-in page (xdg-open, gnome-open, kfmclient and wslview are missing or failed). "
                + "Sign in with -UseDeviceCode instead, which shows a code to enter in a browser on any other device.", e);
        }
    }
}

/// <summary>Sign-in on another device with a code: SSH sessions and machines without a browser.</summary>
public sealed class DeviceCodeSignIn : UserSignIn
{
    public DeviceCodeSignIn(string clientId) : base(clientId) { }

    internal override ExAuthMethod Method => ExAuthMethod.DeviceCode;

    private protected override Task<AuthenticationResult> PromptAsync(IPublicClientApplication app, string[] scopes, CancellationToken cancellationToken) =>
        app.AcquireTokenWithDeviceCode(scopes, code =>
        {
            EngineLog.Prompt(code.Message);
            return Task.CompletedTask;
        }).ExecuteAsync(cancellationToken);
}

/// <summary>The managed identity of the Azure resource the script runs on (system-assigned, or user-assigned by client id).</summary>
public sealed class ManagedIdentitySignIn : SignInOptions
{
    /// <summary>The client id of a user-assigned identity; null for the system-assigned one.</summary>
    public string? ClientId { get; set; }

    internal override ExAuthMethod Method => ExAuthMethod.ManagedIdentity;

    internal override async Task<SignedIn> SignInAsync(CancellationToken cancellationToken)
    {
        var identity = ClientId is null ? ManagedIdentityId.SystemAssigned : ManagedIdentityId.WithUserAssignedClientId(ClientId);
        var builder = ManagedIdentityApplicationBuilder.Create(identity);
        if (Endpoints.IsEmulator) builder = builder.WithHttpClientFactory(new FixedHttpClientFactory(Endpoints.CreateHandler()));
        var app = builder.Build();
        EngineLog.Verbose($"Signing in with the {(ClientId is null ? "system-assigned" : $"user-assigned ({ClientId})")} managed identity.");
        var tokens = new ManagedIdentityTokenProvider(app, Endpoints.GraphResource);
        var token = await tokens.GetTokenAsync(forceRefresh: false, cancellationToken).ConfigureAwait(false);
        return new SignedIn(tokens, JwtClaims.TenantId(token.Token), JwtClaims.AppId(token.Token) ?? ClientId, null);
    }
}

/// <summary>A token obtained elsewhere: used as is, never refreshed, never cached.</summary>
public sealed class AccessTokenSignIn : SignInOptions
{
    private readonly StaticTokenProvider _tokens;

    public AccessTokenSignIn(string accessToken) => _tokens = new StaticTokenProvider(accessToken);

    public string? TenantId { get; set; }

    internal override ExAuthMethod Method => ExAuthMethod.AccessToken;

    internal override Task<SignedIn> SignInAsync(CancellationToken cancellationToken)
    {
        var token = _tokens.Current!;
        if (token.ExpiresOn is { } expires && expires <= DateTimeOffset.UtcNow)
            throw new ExAuthenticationException("TokenExpired",
                $"The access token expired at {expires:u}. Get a new token, or use a sign-in method that refreshes tokens itself.");
        return Task.FromResult(new SignedIn(_tokens, TenantId ?? JwtClaims.TenantId(token.Token), JwtClaims.AppId(token.Token), token.Account));
    }
}

/// <summary>The emulator's built-in demo app, so that <c>Connect-ExMailboxService -Emulator &lt;uri&gt;</c> needs nothing else.</summary>
public sealed class EmulatorSignIn : SignInOptions
{
    public EmulatorSignIn(Uri emulator, string? certificateSha256 = null) =>
        Endpoints = ServiceEndpoints.Emulator(emulator, certificateSha256);

    public string TenantId { get; set; } = EmulatorDefaults.TenantId;

    internal override ExAuthMethod Method => ExAuthMethod.Emulator;

    internal override async Task<SignedIn> SignInAsync(CancellationToken cancellationToken)
    {
        var secret = await DemoAppSecretAsync(cancellationToken).ConfigureAwait(false);
        return await new ClientSecretSignIn(TenantId, EmulatorDefaults.ClientId, secret) { Endpoints = Endpoints, TokenCache = TokenCache }
            .SignInAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The demo app's secret, from the emulator itself (over the pinned loopback connection): the engine
    /// carries no credential of its own.</summary>
    private async Task<string> DemoAppSecretAsync(CancellationToken cancellationToken)
    {
        var address = new Uri(Endpoints.AuthorityHost, "emulator/demo-app");
        using var http = new HttpClient(Endpoints.CreateHandler());
        try
        {
            using var response = await http.GetAsync(address, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                throw new ExAuthenticationException("EmulatorDemoAppUnavailable",
                    $"{address} answered {(int)response.StatusCode}: is an emulator of this module's version listening at {Endpoints.AuthorityHost}?");
            using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync().ConfigureAwait(false));
            return json.RootElement.GetProperty("clientSecret").GetString()
                ?? throw new ExAuthenticationException("EmulatorDemoAppUnavailable", $"{address} named no client secret.");
        }
        catch (Exception e) when (e is HttpRequestException or System.Text.Json.JsonException or KeyNotFoundException)
        {
            throw new ExAuthenticationException("EmulatorUnreachable",
                $"The emulator at {Endpoints.AuthorityHost} did not answer ({e.Message}). Start it (mailbox-emulator, or Start-ExEmulator) and pass the address it prints.", e);
        }
    }
}
