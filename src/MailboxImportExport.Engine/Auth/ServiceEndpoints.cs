namespace MailboxImportExport.Engine.Auth;

/// <summary>The national clouds, each with its own sign-in and Graph hosts.</summary>
public enum ExEnvironment
{
    Global,
    /// <summary>US Government L4 (GCC High).</summary>
    USGovernment,
    /// <summary>US Government L5 (DoD).</summary>
    USGovernmentDoD,
    /// <summary>Microsoft Azure operated by 21Vianet.</summary>
    China,
}

/// <summary>
/// Where a connection signs in and which Graph it talks to: a national cloud, explicit hosts, or a local emulator
/// (whose self-signed certificate is then trusted for its loopback address only).
/// </summary>
public sealed class ServiceEndpoints
{
    private const string GlobalGraphResource = "https://graph.microsoft.com";
    private readonly LoopbackCertificatePin? _emulatorPin;

    private ServiceEndpoints(string name, Uri authorityHost, Uri graphRoot, string graphResource, LoopbackCertificatePin? emulatorPin,
        bool isKnownCloud = false)
    {
        IsKnownCloud = isKnownCloud;
        Name = name;
        AuthorityHost = WithTrailingSlash(authorityHost);
        GraphRoot = WithTrailingSlash(graphRoot);
        GraphResource = graphResource;
        _emulatorPin = emulatorPin;
    }

    public static ServiceEndpoints Global { get; } = Cloud(ExEnvironment.Global);

    /// <summary>The name shown by <c>Get-ExConnection</c>: the cloud, "Custom" or "Emulator".</summary>
    public string Name { get; }
    /// <summary>The Entra ID host tenants sign in at, e.g. https://login.microsoftonline.com/.</summary>
    public Uri AuthorityHost { get; }
    /// <summary>The Graph service root the module calls.</summary>
    public Uri GraphRoot { get; }
    /// <summary>The resource tokens are issued for (the audience Graph checks).</summary>
    public string GraphResource { get; }
    public bool IsEmulator => _emulatorPin is not null;
    /// <summary>A cloud Entra's instance discovery knows; emulators and custom hosts are taken as given.</summary>
    internal bool IsKnownCloud { get; }

    public static ServiceEndpoints Cloud(ExEnvironment environment) => environment switch
    {
        ExEnvironment.Global => Hosts("Global", "login.microsoftonline.com", "graph.microsoft.com"),
        ExEnvironment.USGovernment => Hosts("USGovernment", "login.microsoftonline.us", "graph.microsoft.us"),
        ExEnvironment.USGovernmentDoD => Hosts("USGovernmentDoD", "login.microsoftonline.us", "dod-graph.microsoft.us"),
        ExEnvironment.China => Hosts("China", "login.chinacloudapi.cn", "microsoftgraph.chinacloudapi.cn"),
        _ => throw new ArgumentOutOfRangeException(nameof(environment), environment, "Unknown cloud."),
    };

    /// <summary>Explicit hosts for a cloud the module does not list. Both must be https.</summary>
    public static ServiceEndpoints Custom(Uri authorityHost, Uri graphRoot)
    {
        foreach (var (uri, name) in new[] { (authorityHost, "authority host"), (graphRoot, "Graph endpoint") })
        {
            if (!uri.IsAbsoluteUri || uri.Scheme != Uri.UriSchemeHttps)
                throw new ArgumentException($"The {name} '{uri}' must be an absolute https address.");
        }
        return new ServiceEndpoints("Custom", authorityHost, graphRoot, graphRoot.GetLeftPart(UriPartial.Authority), null);
    }

    /// <summary>A local emulator: it signs in and serves Graph on one loopback https address, for Graph's global audience.</summary>
    /// <param name="certificateSha256">The emulator certificate's SHA-256 when known; otherwise the first one seen is pinned.</param>
    public static ServiceEndpoints Emulator(Uri emulator, string? certificateSha256 = null)
    {
        var root = WithTrailingSlash(emulator);
        return new ServiceEndpoints("Emulator", root, root, GlobalGraphResource, new LoopbackCertificatePin(root, certificateSha256));
    }

    /// <summary>The sign-in authority of a tenant (a tenant id, a domain, or "organizations").</summary>
    internal string Authority(string tenant) => new Uri(AuthorityHost, Uri.EscapeDataString(tenant)).ToString();

    /// <summary>The scope that asks for every permission the app was granted (app-only and managed identity flows).</summary>
    internal string DefaultScope => GraphResource + "/.default";

    /// <summary>Delegated scopes named without a resource are Graph's: qualify them with this cloud's resource.</summary>
    internal string QualifyScope(string scope) =>
        scope.Contains("://") || scope is "openid" or "profile" or "offline_access" ? scope : $"{GraphResource}/{scope}";

    /// <summary>
    /// What tells this service apart from another at the same address: for an emulator, its instance (see
    /// <see cref="LoopbackCertificatePin.InstanceAsync"/>); empty for a cloud.
    /// </summary>
    internal async Task<string> InstanceAsync() => _emulatorPin is null ? "" : await _emulatorPin.InstanceAsync().ConfigureAwait(false) ?? "";

    /// <summary>A handler for one client (Graph or MSAL); for an emulator it trusts the pinned loopback certificate.</summary>
    internal HttpMessageHandler CreateHandler() => _emulatorPin?.CreateHandler() ?? new HttpClientHandler();

    public override string ToString() => $"{Name} ({GraphRoot})";

    private static ServiceEndpoints Hosts(string name, string authorityHost, string graphHost) =>
        new(name, new Uri($"https://{authorityHost}/"), new Uri($"https://{graphHost}/"), $"https://{graphHost}", null, isKnownCloud: true);

    private static Uri WithTrailingSlash(Uri uri) => uri.AbsoluteUri.EndsWith("/", StringComparison.Ordinal) ? uri : new Uri(uri.AbsoluteUri + "/");
}
