using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace MailboxImportExport.Emulator.Auth;

/// <summary>
/// Signs and verifies the emulator's tokens as HS256 JWTs: access tokens, importUrl authtokens and delta/skip
/// tokens. A <c>use</c> claim keeps one kind from being accepted as another.
/// </summary>
internal sealed class TokenSigner
{
    private static readonly string Header = Base64Url.Encode(Encoding.UTF8.GetBytes("""{"alg":"HS256","typ":"JWT"}"""));

    private readonly byte[] _key;

    public TokenSigner(byte[] key) => _key = key;

    public string Sign(string use, JsonObject claims)
    {
        claims["use"] = use;
        var signingInput = Header + "." + Base64Url.Encode(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        return signingInput + "." + Base64Url.Encode(HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(signingInput)));
    }

    /// <summary>The claims of a token this emulator signed for <paramref name="use"/>; null for anything else.</summary>
    public JsonObject? Verify(string? token, string use)
    {
        var parts = token?.Split('.');
        if (parts is not { Length: 3 }) return null;
        var expected = HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]));
        if (!Base64Url.TryDecode(parts[2], out var signature) || !CryptographicOperations.FixedTimeEquals(expected, signature)) return null;
        if (!Base64Url.TryDecode(parts[1], out var payload)) return null;
        try
        {
            return JsonNode.Parse(payload) is JsonObject claims && (string?)claims["use"] == use ? claims : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    public static long UnixTime(DateTimeOffset time) => time.ToUnixTimeSeconds();
}

/// <summary>The base64url encoding of JWTs: no padding, '-' and '_' for '+' and '/'.</summary>
internal static class Base64Url
{
    public static string Encode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>An unguessable opaque value (codes, refresh tokens, headers), URL-safe.</summary>
    public static string NewSecret(int bytes = 48) => Encode(System.Security.Cryptography.RandomNumberGenerator.GetBytes(bytes));

    public static bool TryDecode(string text, out byte[] bytes)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        padded += new string('=', (4 - padded.Length % 4) % 4);
        bytes = new byte[padded.Length];
        if (!Convert.TryFromBase64String(padded, bytes, out var written)) return false;
        Array.Resize(ref bytes, written);
        return true;
    }
}
