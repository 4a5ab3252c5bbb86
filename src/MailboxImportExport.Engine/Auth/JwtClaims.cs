using System.Text;
using System.Text.Json;

namespace MailboxImportExport.Engine.Auth;

/// <summary>
/// Reads the few non-secret claims worth showing (expiry, tenant, app, account, roles) from a JWT's payload.
/// It validates nothing: the service does that. A token that is not a JWT simply yields nothing.
/// </summary>
internal static class JwtClaims
{
    public static DateTimeOffset? ExpiresOn(string token) =>
        Claim(token, "exp") is { ValueKind: JsonValueKind.Number } exp && exp.TryGetInt64(out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

    public static string? TenantId(string token) => StringClaim(token, "tid");
    public static string? AppId(string token) => StringClaim(token, "appid") ?? StringClaim(token, "azp");
    public static string? Account(string token) => StringClaim(token, "upn") ?? StringClaim(token, "preferred_username");

    public static IReadOnlyList<string> Roles(string token)
    {
        var list = new List<string>();
        if (Claim(token, "roles") is { ValueKind: JsonValueKind.Array } roles)
            list.AddRange(roles.EnumerateArray().Where(r => r.ValueKind == JsonValueKind.String).Select(r => r.GetString()!));
        if (StringClaim(token, "scp") is { } scp)
            list.AddRange(scp.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries));
        return list;
    }

    private static string? StringClaim(string token, string name) =>
        Claim(token, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    private static JsonElement? Claim(string token, string name)
    {
        var parts = token.Split('.');
        if (parts.Length < 2) return null;
        try
        {
            var payload = parts[1].Replace('-', '+').Replace('_', '/');
            payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
            using var doc = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload)));
            return doc.RootElement.TryGetProperty(name, out var value) ? value.Clone() : null;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }
}
