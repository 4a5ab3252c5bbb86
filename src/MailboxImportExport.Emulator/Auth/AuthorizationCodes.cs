using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using MailboxImportExport.Emulator.Storage;
using MailboxImportExport.Engine.Auth;
using Microsoft.AspNetCore.WebUtilities;

namespace MailboxImportExport.Emulator.Auth;

/// <summary>
/// The authorization code flow with PKCE, as interactive sign-in uses it: <c>GET /{tenant}/oauth2/v2.0/authorize</c>
/// signs in <see cref="EmulatorControl.DefaultSignInUser"/> at once (there is no login page) and redirects to the
/// loopback redirect_uri with a code; the token endpoint redeems the code once, given the same redirect_uri and the
/// code_verifier. Thread-safe.
/// </summary>
internal sealed class AuthorizationCodes : IGrantHandler
{
    private static readonly TimeSpan CodeLifetime = TimeSpan.FromMinutes(10);

    private sealed record Issued(string ClientId, string RedirectUri, UserRecord User, ScopeRequest Scopes, string? Challenge, DateTimeOffset Expires);

    private readonly Dictionary<string, Issued> _codes = new(StringComparer.Ordinal);
    private readonly HashSet<string> _redeemed = new(StringComparer.Ordinal);
    private readonly EmulatorState _state;

    public AuthorizationCodes(EmulatorState state) => _state = state;

    public IReadOnlyList<string> GrantTypes { get; } = new[] { "authorization_code" };

    public bool AllowsPublicClient => true;

    /// <summary>
    /// The authorize endpoint. A bad client or redirect_uri is answered here, as Entra's error page is; every other
    /// problem goes back to the redirect_uri as error and error_description, with the state.
    /// </summary>
    public void Authorize(HttpContext http, string tenant)
    {
        if (!TokenEndpoint.IsKnownTenant(tenant))
        {
            throw new AadException(400, "invalid_tenant", 90002, $"Tenant '{tenant}' not found.");
        }
        var query = http.Request.Query;
        var client = _state.Apps.Require(query["client_id"].ToString(), tenant);
        var redirectUri = query["redirect_uri"].ToString();
        if (!IsLoopbackRedirect(redirectUri))
        {
            throw new AadException(400, "invalid_request", 50011,
                $"The redirect URI '{redirectUri}' specified in the request does not match the redirect URIs configured for the application '{client.ClientId}'. The emulator's apps accept http://localhost and http://127.0.0.1 on any port.");
        }
        var state = query["state"].ToString();
        try
        {
            var code = Issue(query, client, redirectUri);
            Redirect(http, redirectUri, new Dictionary<string, string?> { ["code"] = code, ["state"] = state });
        }
        catch (AadException e)
        {
            Redirect(http, redirectUri, new Dictionary<string, string?> { ["error"] = e.Error, ["error_description"] = e.Message, ["state"] = state });
        }
    }

    private string Issue(IQueryCollection query, RegisteredClient client, string redirectUri)
    {
        if (query["response_type"].ToString() != "code")
        {
            throw new AadException(400, "unsupported_response_type", 700054, "response_type 'code' is the only one the emulator's apps may use.");
        }
        var method = query["code_challenge_method"].ToString();
        var challenge = query["code_challenge"].ToString();
        if (challenge.Length > 0 && method != "S256")
        {
            throw new AadException(400, "invalid_request", 5002736, $"The code_challenge_method '{method}' is not supported; use S256.");
        }
        var scopes = ScopeRequest.Parse(query["scope"].ToString());
        var upn = _state.Control.DefaultSignInUser;
        var user = _state.Store.FindUser(upn)
            ?? throw new AadException(400, "invalid_request", 50034, $"The user account {upn} does not exist in the '{EmulatorDefaults.TenantId}' directory.");
        var code = Base64Url.NewSecret();
        lock (_codes)
        {
            _codes[code] = new Issued(client.ClientId, redirectUri, user, scopes, challenge.Length > 0 ? challenge : null, DateTimeOffset.UtcNow + CodeLifetime);
        }
        return code;
    }

    /// <summary>Redeems a code once, for the client and redirect_uri it was issued to, given the matching code_verifier.</summary>
    public JsonObject Handle(TokenRequest request)
    {
        var code = request.Required("code");
        Issued? issued;
        lock (_codes)
        {
            if (_redeemed.Contains(code))
            {
                throw new AadException(400, "invalid_grant", 54005, "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.");
            }
            // Another client's attempt leaves the code to the client it was issued to.
            if (!_codes.TryGetValue(code, out issued) || !issued.ClientId.Equals(request.Client.ClientId, StringComparison.OrdinalIgnoreCase))
            {
                throw new AadException(400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.");
            }
            _codes.Remove(code);
            _redeemed.Add(code);
        }
        if (issued.Expires <= DateTimeOffset.UtcNow)
        {
            throw new AadException(400, "invalid_grant", 70008,
                "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.");
        }
        if (request.Form["redirect_uri"].ToString() != issued.RedirectUri)
        {
            throw new AadException(400, "invalid_grant", 500112, $"The reply address '{request.Form["redirect_uri"]}' does not match the reply address '{issued.RedirectUri}' provided when requesting Authorization code.");
        }
        if (issued.Challenge is not null && Base64Url.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(request.Form["code_verifier"].ToString()))) != issued.Challenge)
        {
            throw new AadException(400, "invalid_grant", 50148, "The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.");
        }
        return _state.UserTokens.Respond(issued.ClientId, issued.User, issued.Scopes, issued.Scopes.ForSignIn);
    }

    private static bool IsLoopbackRedirect(string redirectUri) =>
        Uri.TryCreate(redirectUri, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp && uri.Host is "localhost" or "127.0.0.1";

    private static void Redirect(HttpContext http, string redirectUri, Dictionary<string, string?> parameters)
    {
        http.Response.StatusCode = 302;
        http.Response.Headers.Location = QueryHelpers.AddQueryString(redirectUri, parameters);
    }
}
