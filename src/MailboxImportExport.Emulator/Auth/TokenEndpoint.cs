using System.Text;
using System.Text.Json.Nodes;
using MailboxImportExport.Engine.Auth;

namespace MailboxImportExport.Emulator.Auth;

/// <summary>What a grant handler gets: the tenant, the form, and the client that authenticated (if the grant needs one).</summary>
internal sealed record TokenRequest(string Tenant, IFormCollection Form, RegisteredClient Client)
{
    /// <summary>A form parameter the grant cannot do without; AADSTS900144 when it is missing or empty.</summary>
    public string Required(string name) => Form[name].ToString() is { Length: > 0 } value ? value : throw AadException.MissingParameter(name);
}

/// <summary>One OAuth2 grant type.</summary>
internal interface IGrantHandler
{
    /// <summary>The grant_type values it answers (Entra takes some under two names).</summary>
    IReadOnlyList<string> GrantTypes { get; }

    /// <summary>True when an app that allows public client flows may use it without a credential.</summary>
    bool AllowsPublicClient { get; }

    JsonObject Handle(TokenRequest request);
}

/// <summary>
/// <c>POST /{tenant}/oauth2/v2.0/token</c>: checks the tenant, authenticates the client, then hands the request to
/// the handler of its grant_type. Answers Entra ID's token response and error shapes, so MSAL runs unchanged.
/// </summary>
internal sealed class TokenEndpoint
{
    private readonly Dictionary<string, IGrantHandler> _grants;
    private readonly AppRegistrations _clients;
    private readonly ClientAssertion _assertions;

    public TokenEndpoint(IEnumerable<IGrantHandler> grants, AppRegistrations clients, ClientAssertion assertions)
    {
        _grants = grants.SelectMany(g => g.GrantTypes, (grant, type) => (grant, type)).ToDictionary(g => g.type, g => g.grant, StringComparer.Ordinal);
        _clients = clients;
        _assertions = assertions;
    }

    public static bool IsKnownTenant(string tenant) =>
        tenant.Equals(EmulatorDefaults.TenantId, StringComparison.OrdinalIgnoreCase)
        || tenant.Equals(EmulatorDefaults.TenantDomain, StringComparison.OrdinalIgnoreCase);

    public async Task<JsonObject> HandleAsync(HttpContext http, string tenant)
    {
        var form = await ReadFormAsync(http, tenant, "grant_type");
        var grantType = form["grant_type"].ToString();
        if (!_grants.TryGetValue(grantType, out var grant))
        {
            throw new AadException(400, "unsupported_grant_type", 70003, $"The app requested an unsupported grant type '{grantType}'.");
        }
        return grant.Handle(new TokenRequest(tenant, form, AuthenticateClient(http, form, tenant, grant, grantType)));
    }

    /// <summary>The form of a POST to a tenant's identity endpoint, which must carry <paramref name="required"/>.</summary>
    public static async Task<IFormCollection> ReadFormAsync(HttpContext http, string tenant, string required)
    {
        if (!IsKnownTenant(tenant))
        {
            throw new AadException(400, "invalid_request", 90002,
                $"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.");
        }
        var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(http.RequestAborted) : null;
        return form is not null && form[required].ToString().Length > 0 ? form : throw AadException.MissingParameter(required);
    }

    /// <summary>
    /// A client_assertion, or client_secret in the body or HTTP Basic. Without either, only a grant of public client
    /// flows goes through, and only for an app that allows them.
    /// </summary>
    private RegisteredClient AuthenticateClient(HttpContext http, IFormCollection form, string tenant, IGrantHandler grant, string grantType)
    {
        var (clientId, secret) = BasicCredentials(http) ?? (form["client_id"].ToString(), form["client_secret"].ToString());
        var client = _clients.Require(clientId, tenant);
        var assertion = form["client_assertion"].ToString();
        if (assertion.Length > 0)
        {
            _assertions.Validate(client, form["client_assertion_type"].ToString(), assertion);
            return client;
        }
        if (string.IsNullOrEmpty(secret))
        {
            if (grant.AllowsPublicClient && client.AllowPublicClient) return client;
            throw grant.AllowsPublicClient
                ? new AadException(401, "invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
                : new AadException(401, "invalid_client", 7000216,
                    $"'client_assertion', 'client_secret' or 'request' is required for the '{grantType}' grant type.");
        }
        if (!string.Equals(secret, client.ClientSecret, StringComparison.Ordinal))
        {
            throw new AadException(401, "invalid_client", 7000215,
                $"Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{client.ClientId}'.");
        }
        return client;
    }

    private static (string, string)? BasicCredentials(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return null;
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header.Substring(6).Trim()));
            var colon = decoded.IndexOf(':');
            return colon < 0 ? null : (Uri.UnescapeDataString(decoded[..colon]), Uri.UnescapeDataString(decoded[(colon + 1)..]));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

/// <summary>The app-only flow: a token for Graph's .default scope.</summary>
internal sealed class ClientCredentialsGrant : IGrantHandler
{
    private const string GraphDefaultScope = AccessTokens.GraphAudience + "/.default";

    private readonly AccessTokens _tokens;
    private readonly Func<TimeSpan> _lifetime;

    public ClientCredentialsGrant(AccessTokens tokens, Func<TimeSpan> lifetime)
    {
        _tokens = tokens;
        _lifetime = lifetime;
    }

    public IReadOnlyList<string> GrantTypes { get; } = new[] { "client_credentials" };

    public bool AllowsPublicClient => false;

    public JsonObject Handle(TokenRequest request)
    {
        var scopes = request.Form["scope"].ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (scopes.Length != 1 || !scopes[0].Equals(GraphDefaultScope, StringComparison.OrdinalIgnoreCase))
        {
            throw new AadException(400, "invalid_scope", 1002012,
                $"The provided value for scope {string.Join(" ", scopes)} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).");
        }
        var lifetime = _lifetime();
        var seconds = (long)lifetime.TotalSeconds;
        return new JsonObject
        {
            ["token_type"] = "Bearer",
            ["expires_in"] = seconds,
            ["ext_expires_in"] = seconds,
            ["access_token"] = _tokens.Issue(request.Client.ClientId, lifetime),
        };
    }
}
