using System.Text.Json.Nodes;

namespace MailboxImportExport.Emulator.Auth;

/// <summary>
/// App Service's managed identity endpoint (<c>IDENTITY_ENDPOINT</c>, API version 2019-08-01), which MSAL's
/// ManagedIdentityApplication calls when <c>IDENTITY_ENDPOINT</c> and <c>IDENTITY_HEADER</c> are set:
/// <c>GET {base}msi/token?resource=…&amp;api-version=2019-08-01[&amp;client_id=…]</c> with the X-IDENTITY-HEADER secret.
/// The system-assigned identity always exists; user-assigned ones are registered. Tokens are app-only, as Graph
/// sees a managed identity. Errors have App Service's shape <c>{statusCode, message, correlationId}</c>. Thread-safe.
/// </summary>
internal sealed class ManagedIdentities
{
    public const string SystemAssignedClientId = "9e8d7c6b-5a49-4f38-8e27-1d0c9b8a7f60";
    private const string ApiVersion = "2019-08-01";

    private readonly HashSet<string> _userAssigned = new(StringComparer.OrdinalIgnoreCase);
    private readonly EmulatorState _state;

    public ManagedIdentities(EmulatorState state) => _state = state;

    /// <summary>The X-IDENTITY-HEADER value App Service gives the app in IDENTITY_HEADER: random per emulator.</summary>
    public string Header { get; } = Base64Url.NewSecret(24);

    public static bool IsRoute(IReadOnlyList<string> segments) => segments is ["msi", "token"];

    public void RegisterUserAssigned(string clientId)
    {
        if (!Guid.TryParse(clientId, out _)) throw new ArgumentException("A client id is a GUID.", nameof(clientId));
        lock (_userAssigned) _userAssigned.Add(clientId);
    }

    public Task HandleAsync(HttpContext http, string requestId)
    {
        var query = http.Request.Query;
        if (http.Request.Method != "GET") return ErrorAsync(http, requestId, 405, "The managed identity endpoint accepts GET only.");
        if (http.Request.Headers["X-IDENTITY-HEADER"].ToString() != Header)
        {
            return ErrorAsync(http, requestId, 401, "The X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER.");
        }
        if (query["api-version"].ToString() != ApiVersion)
        {
            return ErrorAsync(http, requestId, 400, $"The api-version '{query["api-version"]}' is not supported; use {ApiVersion}.");
        }
        var resource = query["resource"].ToString();
        if (resource.TrimEnd('/') != AccessTokens.GraphAudience)
        {
            return ErrorAsync(http, requestId, 400,
                $"AADSTS500011: The resource principal named {resource} was not found in the tenant named {Engine.Auth.EmulatorDefaults.TenantId}. The emulator issues managed identity tokens for {AccessTokens.GraphAudience} only.");
        }
        var clientId = query["client_id"].ToString();
        bool known;
        lock (_userAssigned) known = clientId.Length == 0 || _userAssigned.Contains(clientId);
        if (!known || query.ContainsKey("mi_res_id") || query.ContainsKey("principal_id"))
        {
            return ErrorAsync(http, requestId, 400, "Unable to load the proper Managed Identity.");
        }
        var identity = clientId.Length == 0 ? SystemAssignedClientId : clientId;
        var lifetime = _state.Control.AccessTokenLifetime;
        return Graph.GraphResponses.WriteJsonAsync(http, 200, new JsonObject
        {
            ["access_token"] = _state.AccessTokens.Issue(identity, lifetime),
            ["expires_on"] = TokenSigner.UnixTime(DateTimeOffset.UtcNow + lifetime).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["resource"] = resource,
            ["token_type"] = "Bearer",
            ["client_id"] = identity,
        });
    }

    private static Task ErrorAsync(HttpContext http, string requestId, int status, string message) =>
        Graph.GraphResponses.WriteJsonAsync(http, status, new JsonObject { ["statusCode"] = status, ["message"] = message, ["correlationId"] = requestId });
}
