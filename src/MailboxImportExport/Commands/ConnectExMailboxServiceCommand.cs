using System.Management.Automation;
using System.Net;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using MailboxImportExport.Engine.Auth;
using MailboxImportExport.Engine.Auth.TokenCache;
using MailboxImportExport.Engine.Models;

namespace MailboxImportExport.Commands;

/// <summary>Signs this PowerShell session in to Graph (or the local emulator), in whichever way the admin runs it.</summary>
[Cmdlet(VerbsCommunications.Connect, "ExMailboxService", DefaultParameterSetName = InteractiveSet)]
[OutputType(typeof(ExConnection))]
public sealed class ConnectExMailboxServiceCommand : ExCmdlet
{
    private const string InteractiveSet = "Interactive";
    private const string DeviceCodeSet = "DeviceCode";
    private const string ClientSecretSet = "ClientSecret";
    private const string ClientSecretCredentialSet = "ClientSecretCredential";
    private const string CertificateThumbprintSet = "CertificateThumbprint";
    private const string CertificatePathSet = "CertificatePath";
    private const string CertificateSet = "Certificate";
    private const string ManagedIdentitySet = "ManagedIdentity";
    private const string AccessTokenSet = "AccessToken";
    private const string EmulatorSet = "Emulator";

    [Parameter(ParameterSetName = DeviceCodeSet, Mandatory = true)]
    [Alias("DeviceCode")]
    public SwitchParameter UseDeviceCode { get; set; }

    [Parameter(ParameterSetName = ClientSecretSet, Mandatory = true)]
    [ValidateNotNull]
    public SecureString ClientSecret { get; set; } = null!;

    [Parameter(ParameterSetName = ClientSecretCredentialSet, Mandatory = true)]
    [ValidateNotNull]
    [Credential]
    public PSCredential ClientSecretCredential { get; set; } = null!;

    [Parameter(ParameterSetName = CertificateThumbprintSet, Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string CertificateThumbprint { get; set; } = null!;

    [Parameter(ParameterSetName = CertificatePathSet, Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string CertificatePath { get; set; } = null!;

    [Parameter(ParameterSetName = CertificatePathSet)]
    [ValidateNotNull]
    public SecureString? CertificatePassword { get; set; }

    [Parameter(ParameterSetName = CertificateSet, Mandatory = true)]
    [ValidateNotNull]
    public X509Certificate2 Certificate { get; set; } = null!;

    [Parameter(ParameterSetName = ManagedIdentitySet, Mandatory = true)]
    [Alias("ManagedIdentity")]
    public SwitchParameter Identity { get; set; }

    [Parameter(ParameterSetName = AccessTokenSet, Mandatory = true)]
    [ValidateNotNull]
    public SecureString AccessToken { get; set; } = null!;

    /// <summary>The emulator's https loopback base URL: alone, signs in as its demo app; with another method, signs in that way at the emulator.</summary>
    [Parameter(ParameterSetName = EmulatorSet, Mandatory = true, Position = 0)]
    [Parameter(ParameterSetName = DeviceCodeSet)]
    [Parameter(ParameterSetName = ClientSecretSet)]
    [Parameter(ParameterSetName = ClientSecretCredentialSet)]
    [Parameter(ParameterSetName = CertificateThumbprintSet)]
    [Parameter(ParameterSetName = CertificatePathSet)]
    [Parameter(ParameterSetName = CertificateSet)]
    [Parameter(ParameterSetName = ManagedIdentitySet)]
    [Parameter(ParameterSetName = AccessTokenSet)]
    [ValidateNotNull]
    public Uri Emulator { get; set; } = null!;

    [Parameter(ParameterSetName = InteractiveSet)]
    [Parameter(ParameterSetName = DeviceCodeSet)]
    [Parameter(ParameterSetName = ClientSecretSet)]
    [Parameter(ParameterSetName = CertificateThumbprintSet)]
    [Parameter(ParameterSetName = CertificatePathSet)]
    [Parameter(ParameterSetName = CertificateSet)]
    [Parameter(ParameterSetName = ManagedIdentitySet)]
    [ValidateNotNullOrEmpty]
    [Alias("ApplicationId", "AppId")]
    public string? ClientId { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [Alias("Tenant")]
    public string? TenantId { get; set; }

    [Parameter(ParameterSetName = InteractiveSet)]
    [Parameter(ParameterSetName = DeviceCodeSet)]
    [ValidateNotNullOrEmpty]
    public string[]? Scopes { get; set; }

    [Parameter(ParameterSetName = InteractiveSet)]
    [Parameter(ParameterSetName = DeviceCodeSet)]
    [ValidateNotNullOrEmpty]
    [Alias("UserPrincipalName", "LoginHint")]
    public string? Account { get; set; }

    [Parameter]
    [ValidateSet("v1.0", "beta")]
    public string ApiVersion { get; set; } = "v1.0";

    [Parameter(ParameterSetName = InteractiveSet)]
    [Parameter(ParameterSetName = DeviceCodeSet)]
    [Parameter(ParameterSetName = ClientSecretSet)]
    [Parameter(ParameterSetName = ClientSecretCredentialSet)]
    [Parameter(ParameterSetName = CertificateThumbprintSet)]
    [Parameter(ParameterSetName = CertificatePathSet)]
    [Parameter(ParameterSetName = CertificateSet)]
    [Parameter(ParameterSetName = ManagedIdentitySet)]
    [Parameter(ParameterSetName = AccessTokenSet)]
    public ExEnvironment Environment { get; set; } = ExEnvironment.Global;

    [Parameter(ParameterSetName = InteractiveSet)]
    [Parameter(ParameterSetName = DeviceCodeSet)]
    [Parameter(ParameterSetName = ClientSecretSet)]
    [Parameter(ParameterSetName = ClientSecretCredentialSet)]
    [Parameter(ParameterSetName = CertificateThumbprintSet)]
    [Parameter(ParameterSetName = CertificatePathSet)]
    [Parameter(ParameterSetName = CertificateSet)]
    [ValidateNotNull]
    public Uri? AuthorityHost { get; set; }

    [Parameter(ParameterSetName = InteractiveSet)]
    [Parameter(ParameterSetName = DeviceCodeSet)]
    [Parameter(ParameterSetName = ClientSecretSet)]
    [Parameter(ParameterSetName = ClientSecretCredentialSet)]
    [Parameter(ParameterSetName = CertificateThumbprintSet)]
    [Parameter(ParameterSetName = CertificatePathSet)]
    [Parameter(ParameterSetName = CertificateSet)]
    [Parameter(ParameterSetName = ManagedIdentitySet)]
    [Parameter(ParameterSetName = AccessTokenSet)]
    [ValidateNotNull]
    public Uri? GraphEndpoint { get; set; }

    [Parameter(ParameterSetName = InteractiveSet)]
    [Parameter(ParameterSetName = DeviceCodeSet)]
    [Parameter(ParameterSetName = ClientSecretSet)]
    [Parameter(ParameterSetName = ClientSecretCredentialSet)]
    [Parameter(ParameterSetName = CertificateThumbprintSet)]
    [Parameter(ParameterSetName = CertificatePathSet)]
    [Parameter(ParameterSetName = CertificateSet)]
    public TokenCacheScope TokenCacheScope { get; set; }

    [Parameter(ParameterSetName = InteractiveSet)]
    [Parameter(ParameterSetName = DeviceCodeSet)]
    [Parameter(ParameterSetName = ClientSecretSet)]
    [Parameter(ParameterSetName = ClientSecretCredentialSet)]
    [Parameter(ParameterSetName = CertificateThumbprintSet)]
    [Parameter(ParameterSetName = CertificatePathSet)]
    [Parameter(ParameterSetName = CertificateSet)]
    public SwitchParameter AllowUnencryptedTokenCache { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void EndProcessing()
    {
        // A session that tries to connect has its own connection state from now on: if this fails, it must not go on
        // silently with another runspace's connection.
        ConnectionRegistry.KeepOwn();
        ExConnection connection;
        try
        {
            var options = SignInOptions();
            connection = Await(ct => ExConnector.ConnectAsync(options, ct, PowerShellHost()));
        }
        catch (Exception e) when (IsServiceFailure(e) || e is ArgumentException or PlatformNotSupportedException)
        {
            ThrowTerminatingError(ErrorFor(e, "ConnectFailed", IsBound(nameof(Emulator)) ? Emulator : null));
            return;
        }

        ConnectionRegistry.Connect(connection);
        Verbose($"Connected to {connection.GraphEndpoint} ({connection.ApiVersion}) with {connection.AuthMethod} sign-in" +
                $"{(connection.Account is null ? "" : " as " + connection.Account)}; the token expires {connection.TokenExpiresOn:u}.");
        if (PassThru) WriteObject(connection);
    }

    /// <summary>The PowerShell running the module, for the User-Agent: <c>PowerShell Core 7.6.9</c>.</summary>
    private string PowerShellHost()
    {
        var table = SessionState.PSVariable.GetValue("PSVersionTable") as System.Collections.Hashtable;
        return $"PowerShell {table?["PSEdition"] ?? "Desktop"} {table?["PSVersion"]}".TrimEnd();
    }

    private SignInOptions SignInOptions()
    {
        var endpoints = Endpoints();
        SignInOptions options = ParameterSetName switch
        {
            EmulatorSet => TenantId is null ? new EmulatorSignIn(Emulator) : new EmulatorSignIn(Emulator) { TenantId = TenantId },
            AccessTokenSet => new AccessTokenSignIn(Plain(AccessToken)) { TenantId = TenantId },
            ManagedIdentitySet => new ManagedIdentitySignIn { ClientId = ClientId },
            ClientSecretSet => new ClientSecretSignIn(AppTenant(), AppClientId(), Plain(ClientSecret)),
            ClientSecretCredentialSet => new ClientSecretSignIn(AppTenant(), ClientSecretCredential.UserName,
                ClientSecretCredential.GetNetworkCredential().Password),
            CertificateThumbprintSet => new CertificateSignIn(AppTenant(), AppClientId(), CertificateLoader.FromStore(CertificateThumbprint)),
            CertificatePathSet => new CertificateSignIn(AppTenant(), AppClientId(),
                CertificateLoader.FromFile(SessionState.Path.GetUnresolvedProviderPathFromPSPath(CertificatePath),
                    CertificatePassword is null ? null : Plain(CertificatePassword))),
            CertificateSet => new CertificateSignIn(AppTenant(), AppClientId(), Certificate),
            DeviceCodeSet => User(new DeviceCodeSignIn(AppClientId())),
            _ => User(new InteractiveSignIn(AppClientId())),
        };
        options.ApiVersion = ApiVersion;
        options.Endpoints = endpoints;
        options.TokenCache = new TokenCacheOptions
        {
            // The emulator is for tests and demos: keep its tokens out of the user's keyring unless asked.
            Scope = IsBound(nameof(TokenCacheScope)) ? TokenCacheScope
                : endpoints.IsEmulator || ParameterSetName is ManagedIdentitySet or AccessTokenSet ? TokenCacheScope.Process
                : TokenCacheScope.CurrentUser,
            AllowUnencryptedFile = AllowUnencryptedTokenCache,
        };
        if (AllowUnencryptedTokenCache && options.TokenCache.Scope == TokenCacheScope.Process)
            throw new ArgumentException("-AllowUnencryptedTokenCache applies to the persisted cache only: add -TokenCacheScope CurrentUser, or leave the switch out.");
        return options;
    }

    private ServiceEndpoints Endpoints()
    {
        var emulator = IsBound(nameof(Emulator));
        var custom = IsBound(nameof(AuthorityHost)) || IsBound(nameof(GraphEndpoint));
        var cloud = IsBound(nameof(Environment));
        if (emulator && (custom || cloud))
            throw new ArgumentException("-Emulator names the service already: leave out -Environment, -AuthorityHost and -GraphEndpoint.");
        if (custom && cloud)
            throw new ArgumentException("Use either -Environment (a known cloud) or -AuthorityHost and -GraphEndpoint (explicit hosts), not both.");
        if (emulator) return ServiceEndpoints.Emulator(Emulator);
        if (!custom) return ServiceEndpoints.Cloud(Environment);
        if (ParameterSetName is ManagedIdentitySet or AccessTokenSet)
            return ServiceEndpoints.Custom(ServiceEndpoints.Global.AuthorityHost, GraphEndpoint ?? throw new ArgumentException("-GraphEndpoint is required here."));
        if (AuthorityHost is null || GraphEndpoint is null)
            throw new ArgumentException("Explicit hosts need both -AuthorityHost (where to sign in) and -GraphEndpoint (the Graph service root).");
        return ServiceEndpoints.Custom(AuthorityHost, GraphEndpoint);
    }

    private UserSignIn User(UserSignIn options)
    {
        options.TenantId = TenantId ?? (IsBound(nameof(Emulator)) ? EmulatorDefaults.TenantId : options.TenantId);
        if (Scopes is not null) options.Scopes = Scopes;
        options.Account = Account;
        return options;
    }

    /// <summary>At the emulator the demo app and tenant are the defaults; at the real service they must be given.</summary>
    private string AppTenant() => TenantId ?? (IsBound(nameof(Emulator)) ? EmulatorDefaults.TenantId : "");
    private string AppClientId() => ClientId ?? (IsBound(nameof(Emulator)) ? EmulatorDefaults.ClientId : "");

    private bool IsBound(string parameter) => MyInvocation.BoundParameters.ContainsKey(parameter);

    private static string Plain(SecureString secure) => new NetworkCredential(string.Empty, secure).Password;
}
