using System.Text.Json.Nodes;
using MailboxImportExport.Emulator.Storage;
using MailboxImportExport.Engine.Auth;

namespace MailboxImportExport.Emulator.Auth;

internal enum TokenCheck
{
    Missing,
    Invalid,
    Expired,
    Valid,
}

/// <summary>Issues and checks Graph bearer tokens, app-only and delegated: JWT-shaped, with the claims Graph tokens carry.</summary>
internal sealed class AccessTokens
{
    public const string GraphAudience = "https://graph.microsoft.com";
    private const string Use = "access";

    /// <summary>The application permissions every app holds, as if an admin granted all the module uses (Graph's <c>roles</c>).</summary>
    private static readonly string[] Roles =
    {
        "User.Read.All", "MailboxFolder.ReadWrite.All", "MailboxItem.Read.All", "MailboxItem.ReadWrite.All", "MailboxItem.ImportExport.All",
    };

    private readonly TokenSigner _signer;
    private readonly Func<Uri> _baseUri;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _revoked = new(StringComparer.Ordinal);

    public AccessTokens(TokenSigner signer, Func<Uri> baseUri)
    {
        _signer = signer;
        _baseUri = baseUri;
    }

    public string Issuer => $"{_baseUri()}{EmulatorDefaults.TenantId}/v2.0";

    /// <summary>An app-only token for a client; a negative lifetime gives one that has already expired.</summary>
    public string Issue(string clientId, TimeSpan lifetime)
    {
        var claims = Common(clientId, lifetime, "app");
        claims["roles"] = new JsonArray(Roles.Select(r => (JsonNode?)r).ToArray());
        return _signer.Sign(Use, claims);
    }

    /// <summary>A delegated token: the user's identity and the granted permissions in <c>scp</c>.</summary>
    public string IssueForUser(string clientId, UserRecord user, IEnumerable<string> scopes, TimeSpan lifetime)
    {
        var claims = Common(clientId, lifetime, "user");
        claims["scp"] = string.Join(" ", scopes);
        claims["oid"] = user.ObjectId;
        claims["sub"] = user.ObjectId;
        claims["upn"] = user.UserPrincipalName;
        claims["unique_name"] = user.UserPrincipalName;
        claims["preferred_username"] = user.UserPrincipalName;
        claims["name"] = user.DisplayName;
        return _signer.Sign(Use, claims);
    }

    private JsonObject Common(string clientId, TimeSpan lifetime, string identityType)
    {
        var now = DateTimeOffset.UtcNow;
        return new JsonObject
        {
            ["aud"] = GraphAudience,
            ["iss"] = Issuer,
            ["iat"] = TokenSigner.UnixTime(now),
            ["nbf"] = TokenSigner.UnixTime(now),
            ["exp"] = TokenSigner.UnixTime(now + lifetime),
            ["appid"] = clientId,
            ["azp"] = clientId,
            ["tid"] = EmulatorDefaults.TenantId,
            ["idtyp"] = identityType,
            ["uti"] = Guid.NewGuid().ToString("N"),
            ["ver"] = "1.0",
        };
    }

    /// <summary>Checks an Authorization header value ("Bearer eyJ…"); the claims come with a valid token.</summary>
    public (TokenCheck Result, JsonObject? Claims) Check(string? authorization)
    {
        if (string.IsNullOrWhiteSpace(authorization)) return (TokenCheck.Missing, null);
        const string scheme = "Bearer ";
        if (!authorization!.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return (TokenCheck.Invalid, null);
        var token = authorization.Substring(scheme.Length).Trim();
        if (token.Length == 0) return (TokenCheck.Missing, null);
        var claims = _signer.Verify(token, Use);
        if (claims is null || (string?)claims["aud"] != GraphAudience || (string?)claims["tid"] != EmulatorDefaults.TenantId)
        {
            return (TokenCheck.Invalid, null);
        }
        var revoked = (string?)claims["uti"] is { } uti && _revoked.ContainsKey(uti);
        return !revoked && (long?)claims["exp"] > TokenSigner.UnixTime(DateTimeOffset.UtcNow) ? (TokenCheck.Valid, claims) : (TokenCheck.Expired, null);
    }

    /// <summary>From now on the token with this unique id (<c>uti</c>) checks as expired.</summary>
    public void Revoke(string? uniqueTokenId)
    {
        if (uniqueTokenId is not null) _revoked[uniqueTokenId] = true;
    }
}
