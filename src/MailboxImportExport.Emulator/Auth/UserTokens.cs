using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MailboxImportExport.Emulator.Storage;
using MailboxImportExport.Engine.Auth;

namespace MailboxImportExport.Emulator.Auth;

/// <summary>
/// The scope parameter of a delegated request: Graph permissions ("X" or "https://graph.microsoft.com/X") and the
/// OpenID Connect scopes. Graph permissions are kept short, as the <c>scp</c> claim carries them.
/// </summary>
internal sealed record ScopeRequest(IReadOnlyList<string> Requested, IReadOnlyList<string> Graph, bool Prefixed, bool Default)
{
    private static readonly HashSet<string> OidcScopes = new(StringComparer.OrdinalIgnoreCase) { "openid", "profile", "offline_access", "email" };
    private static readonly Regex PermissionName = new(@"^[A-Za-z][A-Za-z0-9_\-]*(\.[A-Za-z0-9_\-]+)*$", RegexOptions.CultureInvariant);
    private const string GraphPrefix = AccessTokens.GraphAudience + "/";

    public bool OfflineAccess => Requested.Contains("offline_access", StringComparer.OrdinalIgnoreCase);
    public bool OpenId => Requested.Contains("openid", StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The permissions a new sign-in gets: those named; for /.default the ones the module needs (every app is taken
    /// as admin-consented); for none at all User.Read, as Entra gives.
    /// </summary>
    public IReadOnlyList<string> ForSignIn => Default ? UserSignIn.DefaultScopes : Graph.Count == 0 ? new[] { "User.Read" } : Graph;

    /// <summary>
    /// Parses the scope parameter, which delegated requests must send (AADSTS900144); a scope of another resource, or
    /// not a permission name, is 400 invalid_scope (AADSTS70011).
    /// </summary>
    public static ScopeRequest Parse(string scope)
    {
        var requested = scope.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (requested.Length == 0) throw AadException.MissingParameter("scope");
        var graph = new List<string>();
        var prefixed = false;
        var isDefault = false;
        foreach (var item in requested.Where(s => !OidcScopes.Contains(s)))
        {
            var isPrefixed = item.StartsWith(GraphPrefix, StringComparison.OrdinalIgnoreCase);
            var name = isPrefixed ? item.Substring(GraphPrefix.Length) : item;
            prefixed |= isPrefixed;
            if (name == ".default") isDefault = true;
            else if (PermissionName.IsMatch(name)) graph.Add(name);
            else throw new AadException(400, "invalid_scope", 70011, $"The provided value for the input parameter 'scope' is not valid. The scope '{item}' is not valid.");
        }
        return new ScopeRequest(requested, graph.Distinct(StringComparer.OrdinalIgnoreCase).ToArray(), prefixed, isDefault);
    }

    /// <summary>The token response's scope: the Graph permissions in the form they were asked for, then the OIDC scopes.</summary>
    public string ResponseScope(IEnumerable<string> graph) =>
        string.Join(" ", graph.Select(s => Prefixed ? GraphPrefix + s : s).Concat(Requested.Where(OidcScopes.Contains)));
}

/// <summary>
/// Delegated sign-ins: the token response (access token, id token, client_info, refresh token) for a user of the
/// tenant, and the refresh tokens issued so far (opaque, in memory, bound to client, user and scopes). Thread-safe.
/// </summary>
internal sealed class UserTokens
{
    private sealed record RefreshGrant(string ClientId, string UserObjectId, IReadOnlyList<string> Scopes, DateTimeOffset Issued);

    private readonly ConcurrentDictionary<string, RefreshGrant> _refreshTokens = new(StringComparer.Ordinal);
    /// <summary>
    /// Entra's TokensValidFrom per user (object id): grants issued before it are revoked (AADSTS50173). A time rather
    /// than a list of tokens, so a grant issued while a revocation runs is judged by when it was issued.
    /// </summary>
    private readonly ConcurrentDictionary<string, DateTimeOffset> _tokensValidFrom = new(StringComparer.OrdinalIgnoreCase);
    private DateTimeOffset _everyonesTokensValidFrom = DateTimeOffset.MinValue;
    private readonly EmulatorState _state;

    public UserTokens(EmulatorState state) => _state = state;

    /// <summary>The token endpoint's answer for <paramref name="user"/> signed in to <paramref name="clientId"/> with <paramref name="graphScopes"/>.</summary>
    public JsonObject Respond(string clientId, UserRecord user, ScopeRequest request, IReadOnlyList<string> graphScopes)
    {
        var lifetime = _state.Control.AccessTokenLifetime;
        var seconds = (long)lifetime.TotalSeconds;
        var response = new JsonObject
        {
            ["token_type"] = "Bearer",
            ["scope"] = request.ResponseScope(graphScopes),
            ["expires_in"] = seconds,
            ["ext_expires_in"] = seconds,
            ["access_token"] = _state.AccessTokens.IssueForUser(clientId, user, graphScopes, lifetime),
        };
        if (request.OfflineAccess)
        {
            var refreshToken = Base64Url.NewSecret();
            _refreshTokens[refreshToken] = new RefreshGrant(clientId, user.ObjectId, graphScopes, DateTimeOffset.UtcNow);
            response["refresh_token"] = refreshToken;
        }
        if (request.OpenId) response["id_token"] = IdToken(clientId, user);
        // MSAL builds its account's home id from client_info: the user's object id and tenant id.
        response["client_info"] = Base64Url.Encode(Encoding.UTF8.GetBytes(new JsonObject { ["uid"] = user.ObjectId, ["utid"] = EmulatorDefaults.TenantId }.ToJsonString()));
        return response;
    }

    /// <summary>
    /// The refresh_token grant: the grant must be this client's and not revoked, and may not widen the scopes. The new
    /// tokens carry every scope of the grant, as Entra's do; the old refresh token stays valid, as Entra's does.
    /// </summary>
    public JsonObject Refresh(string clientId, string refreshToken, ScopeRequest request)
    {
        if (!_refreshTokens.TryGetValue(refreshToken, out var grant))
        {
            throw new AadException(400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.");
        }
        var validFrom = TokensValidFrom(grant.UserObjectId);
        if (grant.Issued < validFrom)
        {
            throw new AadException(400, "invalid_grant", 50173,
                $"The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '{grant.Issued:yyyy-MM-ddTHH:mm:ss.fffffffZ}' and the TokensValidFrom date (before which tokens are not valid) for this user is '{validFrom:yyyy-MM-ddTHH:mm:ss.fffffffZ}'.");
        }
        if (!grant.ClientId.Equals(clientId, StringComparison.OrdinalIgnoreCase))
        {
            throw new AadException(400, "invalid_grant", 70000, "Provided grant is invalid or malformed.");
        }
        if (!request.Default && request.Graph.Any(s => !grant.Scopes.Contains(s, StringComparer.OrdinalIgnoreCase)))
        {
            throw new AadException(400, "invalid_grant", 65001,
                $"The user or administrator has not consented to use the application with ID '{clientId}'. Send an interactive authorization request for this user and resource.");
        }
        var user = _state.Store.FindUser(grant.UserObjectId)
            ?? throw new AadException(400, "invalid_grant", 50034, "The user account does not exist in the directory.");
        return Respond(clientId, user, request, grant.Scopes);
    }

    /// <summary>Every refresh token of the user (or of everyone) stops working with AADSTS50173.</summary>
    public void Revoke(string? userObjectId)
    {
        var now = DateTimeOffset.UtcNow;
        if (userObjectId is null)
        {
            lock (_tokensValidFrom) _everyonesTokensValidFrom = now;
        }
        else
        {
            _tokensValidFrom[userObjectId] = now;
        }
    }

    private DateTimeOffset TokensValidFrom(string userObjectId)
    {
        DateTimeOffset everyone;
        lock (_tokensValidFrom) everyone = _everyonesTokensValidFrom;
        return _tokensValidFrom.TryGetValue(userObjectId, out var user) && user > everyone ? user : everyone;
    }

    private string IdToken(string clientId, UserRecord user)
    {
        var now = DateTimeOffset.UtcNow;
        return _state.Signer.Sign("id", new JsonObject
        {
            ["aud"] = clientId,
            ["iss"] = _state.AccessTokens.Issuer,
            ["iat"] = TokenSigner.UnixTime(now),
            ["nbf"] = TokenSigner.UnixTime(now),
            ["exp"] = TokenSigner.UnixTime(now.AddHours(1)),
            ["name"] = user.DisplayName,
            ["oid"] = user.ObjectId,
            ["preferred_username"] = user.UserPrincipalName,
            // Entra's sub is pairwise: one value per user and app.
            ["sub"] = Base64Url.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(user.ObjectId + "|" + clientId.ToLowerInvariant()))),
            ["tid"] = EmulatorDefaults.TenantId,
            ["ver"] = "2.0",
        });
    }
}
