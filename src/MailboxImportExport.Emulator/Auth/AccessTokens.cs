using System.Text.Json.Nodes;
using MailboxImportExport.Engine.Auth;

namespace MailboxImportExport.Emulator.Auth;

internal enum TokenCheck
{
    Missing,
    Invalid,
    Expired,
    Valid,
}

/// <summary>Issues and checks the bearer tokens of the demo app: JWT-shaped, with the claims Graph tokens carry.</summary>
internal sealed class AccessTokens
{
    public const string GraphAudience = "https://graph.microsoft.com";
    private const string Use = "access";

    /// <summary>The application permissions the demo app holds (what real Graph puts in <c>roles</c>).</summary>
    private static readonly string[] Roles =
    {
        "User.Read.All", "MailboxFolder.ReadWrite.All", "MailboxItem.Read.All", "MailboxItem.ImportExport.All",
    };

    private readonly TokenSigner _signer;
    private readonly Func<Uri> _baseUri;

    public AccessTokens(TokenSigner signer, Func<Uri> baseUri)
    {
        _signer = signer;
        _baseUri = baseUri;
    }

    public string Issuer => $"{_baseUri()}{EmulatorDefaults.TenantId}/v2.0";

    /// <summary>An app-only token for a client; a negative lifetime gives one that has already expired.</summary>
    public string Issue(string clientId, TimeSpan lifetime)
    {
        var now = DateTimeOffset.UtcNow;
        return _signer.Sign(Use, new JsonObject
        {
            ["aud"] = GraphAudience,
            ["iss"] = Issuer,
            ["iat"] = TokenSigner.UnixTime(now),
            ["nbf"] = TokenSigner.UnixTime(now),
            ["exp"] = TokenSigner.UnixTime(now + lifetime),
            ["appid"] = clientId,
            ["azp"] = clientId,
            ["tid"] = EmulatorDefaults.TenantId,
            ["idtyp"] = "app",
            ["roles"] = new JsonArray(Roles.Select(r => (JsonNode?)r).ToArray()),
            ["uti"] = Guid.NewGuid().ToString("N"),
            ["ver"] = "1.0",
        });
    }

    /// <summary>Checks an Authorization header value ("Bearer eyJ…").</summary>
    public TokenCheck Check(string? authorization)
    {
        if (string.IsNullOrWhiteSpace(authorization)) return TokenCheck.Missing;
        const string scheme = "Bearer ";
        if (!authorization!.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return TokenCheck.Invalid;
        var token = authorization.Substring(scheme.Length).Trim();
        if (token.Length == 0) return TokenCheck.Missing;
        var claims = _signer.Verify(token, Use);
        if (claims is null || (string?)claims["aud"] != GraphAudience || (string?)claims["tid"] != EmulatorDefaults.TenantId)
        {
            return TokenCheck.Invalid;
        }
        return (long?)claims["exp"] > TokenSigner.UnixTime(DateTimeOffset.UtcNow) ? TokenCheck.Valid : TokenCheck.Expired;
    }
}
