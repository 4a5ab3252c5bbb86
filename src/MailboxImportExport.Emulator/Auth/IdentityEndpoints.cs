using System.Text.Json.Nodes;
using MailboxImportExport.Engine.Auth;

namespace MailboxImportExport.Emulator.Auth;

/// <summary>
/// The Entra ID endpoints MSAL touches, answering for the emulator's own host:
/// the token, device code and authorize endpoints, OpenID discovery, signing keys, and AAD instance discovery.
/// </summary>
internal sealed class IdentityEndpoints
{
    private readonly TokenEndpoint _tokenEndpoint;
    private readonly AppRegistrations _apps;
    private readonly DeviceCodes _deviceCodes;
    private readonly AuthorizationCodes _authorizationCodes;
    private readonly Func<Uri> _baseUri;

    public IdentityEndpoints(TokenEndpoint tokenEndpoint, AppRegistrations apps, DeviceCodes deviceCodes, AuthorizationCodes authorizationCodes, Func<Uri> baseUri)
    {
        _tokenEndpoint = tokenEndpoint;
        _apps = apps;
        _deviceCodes = deviceCodes;
        _authorizationCodes = authorizationCodes;
        _baseUri = baseUri;
    }

    /// <summary>True when the path is an identity route: /{tenant}/oauth2/…, /{tenant}/v2.0/…, /{tenant}/discovery/…, /common/discovery/instance.</summary>
    public static bool IsIdentityRoute(IReadOnlyList<string> segments) =>
        segments.Count >= 2 && segments[1] is "oauth2" or "v2.0" or "discovery";

    public async Task HandleAsync(HttpContext http, IReadOnlyList<string> segments)
    {
        var tenant = segments[0];
        var route = string.Join("/", segments.Skip(1));
        var method = http.Request.Method;
        if (method == "GET" && route == "oauth2/v2.0/authorize")
        {
            _authorizationCodes.Authorize(http, tenant);
            return;
        }
        JsonObject body = (method, route) switch
        {
            ("POST", "oauth2/v2.0/token") => await _tokenEndpoint.HandleAsync(http, tenant),
            ("GET", "v2.0/.well-known/openid-configuration") => OpenIdConfiguration(tenant),
            ("GET", "discovery/v2.0/keys") => new JsonObject { ["keys"] = new JsonArray() },
            ("GET", "discovery/instance") => InstanceDiscovery(http),
            ("POST", "oauth2/v2.0/devicecode") => await StartDeviceCodeAsync(http, tenant),
            _ => throw new AadException(404, "invalid_request", 90011, $"The request path '/{tenant}/{route}' is not an identity endpoint of the emulator."),
        };
        await Graph.GraphResponses.WriteJsonAsync(http, 200, body);
    }

    private async Task<JsonObject> StartDeviceCodeAsync(HttpContext http, string tenant)
    {
        var form = await TokenEndpoint.ReadFormAsync(http, tenant, "client_id");
        return _deviceCodes.Start(_apps.Require(form["client_id"].ToString(), tenant), form);
    }

    private JsonObject OpenIdConfiguration(string tenant)
    {
        var isCommon = tenant is "common" or "organizations";
        if (!isCommon && !TokenEndpoint.IsKnownTenant(tenant))
        {
            throw new AadException(400, "invalid_tenant", 90002, $"Tenant '{tenant}' not found.");
        }
        var root = $"{_baseUri()}{(isCommon ? tenant : EmulatorDefaults.TenantId)}";
        return new JsonObject
        {
            ["token_endpoint"] = $"{root}/oauth2/v2.0/token",
            ["token_endpoint_auth_methods_supported"] = Strings("client_secret_post", "private_key_jwt", "client_secret_basic"),
            ["jwks_uri"] = $"{root}/discovery/v2.0/keys",
            ["response_modes_supported"] = Strings("query", "fragment", "form_post"),
            ["subject_types_supported"] = Strings("pairwise"),
            ["id_token_signing_alg_values_supported"] = Strings("RS256"),
            ["response_types_supported"] = Strings("code", "id_token", "code id_token", "id_token token"),
            ["scopes_supported"] = Strings("openid", "profile", "email", "offline_access"),
            // MSAL compares the issuer with the authority it was given for OIDC authorities: keep them equal.
            ["issuer"] = $"{_baseUri()}{(isCommon ? "{tenantid}" : EmulatorDefaults.TenantId)}/v2.0",
            ["request_uri_parameter_supported"] = false,
            ["authorization_endpoint"] = $"{root}/oauth2/v2.0/authorize",
            ["device_authorization_endpoint"] = $"{root}/oauth2/v2.0/devicecode",
            ["end_session_endpoint"] = $"{root}/oauth2/v2.0/logout",
            ["claims_supported"] = Strings("sub", "iss", "aud", "exp", "iat", "nbf", "tid", "ver"),
            ["tenant_region_scope"] = "EU",
            ["cloud_instance_name"] = _baseUri().Authority,
            ["cloud_graph_host_name"] = _baseUri().Authority,
            ["msgraph_host"] = _baseUri().Authority,
        };
    }

    /// <summary>AAD instance discovery (<c>/common/discovery/instance</c>), naming the emulator as its own only alias.</summary>
    private JsonObject InstanceDiscovery(HttpContext http)
    {
        var tenant = EmulatorDefaults.TenantId;
        if (Uri.TryCreate(http.Request.Query["authorization_endpoint"].ToString(), UriKind.Absolute, out var authorize)
            && authorize.Segments.Length > 1)
        {
            tenant = authorize.Segments[1].TrimEnd('/');
        }
        var host = _baseUri().Authority;
        return new JsonObject
        {
            ["tenant_discovery_endpoint"] = $"{_baseUri()}{tenant}/v2.0/.well-known/openid-configuration",
            ["api-version"] = "1.1",
            ["metadata"] = new JsonArray(new JsonObject
            {
                ["preferred_network"] = host,
                ["preferred_cache"] = host,
                ["aliases"] = Strings(host, _baseUri().Host),
            }),
        };
    }

    private static JsonArray Strings(params string[] values) => new(values.Select(v => (JsonNode?)v).ToArray());
}
