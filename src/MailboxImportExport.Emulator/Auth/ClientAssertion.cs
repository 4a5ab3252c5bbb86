using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MailboxImportExport.Engine.Auth;

namespace MailboxImportExport.Emulator.Auth;

/// <summary>
/// Checks a certificate credential (<c>client_assertion</c>, RFC 7523) the way Entra ID does: the signing key must
/// be a certificate registered on the app, found by the header's x5t#S256, x5t or x5c; RS256 or PS256; iss = sub =
/// client id; aud = this token endpoint; inside exp/nbf; a jti. MSAL 4.92 sends PS256 with x5t#S256 (and x5c with
/// sendX5C), its times as strings and no iat.
/// </summary>
internal sealed class ClientAssertion
{
    public const string JwtBearerType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    private const string DocsHint = "Review the documentation at https://docs.microsoft.com/en-us/azure/active-directory/develop/active-directory-certificate-credentials .";
    /// <summary>Clock skew Entra tolerates on nbf and iat.</summary>
    private static readonly TimeSpan Skew = TimeSpan.FromMinutes(5);

    private readonly Func<Uri> _baseUri;

    public ClientAssertion(Func<Uri> baseUri) => _baseUri = baseUri;

    public void Validate(RegisteredClient client, string assertionType, string assertion)
    {
        if (assertionType != JwtBearerType)
        {
            throw new AadException(400, "invalid_request", 700025, $"The client_assertion_type '{assertionType}' is not supported. Use '{JwtBearerType}'.");
        }
        var parts = assertion.Split('.');
        if (parts.Length != 3 || ReadJson(parts[0]) is not { } header || ReadJson(parts[1]) is not { } claims
            || !Base64Url.TryDecode(parts[2], out var signature))
        {
            throw Malformed("The client assertion is not a signed JWT.");
        }
        var certificate = FindKey(client, header);
        if (!VerifySignature(certificate, Claim(header, "alg"), Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature))
        {
            throw new AadException(401, "invalid_client", 700027,
                $"Client assertion failed signature validation. [Reason - The key was found, but signature verification failed., Thumbprint of key used by client: '{certificate.Thumbprint}']");
        }
        if (!client.ClientId.Equals(Claim(claims, "iss"), StringComparison.OrdinalIgnoreCase)
            || !client.ClientId.Equals(Claim(claims, "sub"), StringComparison.OrdinalIgnoreCase))
        {
            throw new AadException(401, "invalid_client", 700021, $"Client assertion application identifier doesn't match 'client_id' parameter. {DocsHint}");
        }
        if (!IsThisTokenEndpoint(claims["aud"]))
        {
            throw new AadException(401, "invalid_client", 700023, $"Client assertion audience claim does not match Realm issuer. {DocsHint}");
        }
        CheckTimes(claims);
        if (string.IsNullOrEmpty(Claim(claims, "jti"))) throw Malformed("The client assertion has no 'jti' claim.");
    }

    private static X509Certificate2 FindKey(RegisteredClient client, JsonObject header)
    {
        var sha256 = Claim(header, "x5t#S256");
        var sha1 = Claim(header, "x5t") ?? Claim(header, "kid");
        // MSAL sends x5c as one string, RFC 7515 as an array: either way, a header with only x5c names its certificate by itself.
        var der = header["x5c"] is JsonArray { Count: > 0 } chain ? chain[0] : header["x5c"];
        if (sha256 is null && sha1 is null && der is JsonValue value && value.TryGetValue<string>(out var encoded))
        {
            sha256 = Sha256OfSentCertificate(encoded);
        }
        var match = client.Certificates.FirstOrDefault(c =>
            sha256 is not null ? sha256 == Base64Url.Encode(c.GetCertHash(HashAlgorithmName.SHA256))
            : sha1 is not null && (sha1 == Base64Url.Encode(c.GetCertHash()) || sha1.Equals(c.Thumbprint, StringComparison.OrdinalIgnoreCase)));
        return match ?? throw new AadException(401, "invalid_client", 700027,
            "The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., "
            + $"Thumbprint of key used by client: '{sha256 ?? sha1}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '{client.ClientId}'.]");
    }

    private static string Sha256OfSentCertificate(string base64Der)
    {
        try
        {
            using var sent = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(base64Der));
            return Base64Url.Encode(sent.GetCertHash(HashAlgorithmName.SHA256));
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            throw Malformed("The x5c header is not a base64 DER certificate.");
        }
    }

    private static bool VerifySignature(X509Certificate2 certificate, string? algorithm, byte[] signed, byte[] signature)
    {
        var padding = algorithm switch
        {
            "RS256" => RSASignaturePadding.Pkcs1,
            "PS256" => RSASignaturePadding.Pss,
            _ => null,
        };
        using var key = certificate.GetRSAPublicKey();
        return padding is not null && key is not null && key.VerifyData(signed, signature, HashAlgorithmName.SHA256, padding);
    }

    /// <summary>The token endpoint of the emulator's tenant, by id or by domain.</summary>
    private bool IsThisTokenEndpoint(JsonNode? audience)
    {
        var aud = audience is JsonArray { Count: 1 } single ? (string?)single[0] : audience?.GetValueKind() == JsonValueKind.String ? (string?)audience : null;
        return aud is not null && new[] { EmulatorDefaults.TenantId, EmulatorDefaults.TenantDomain }
            .Any(tenant => aud.Equals($"{_baseUri()}{tenant}/oauth2/v2.0/token", StringComparison.OrdinalIgnoreCase));
    }

    private static void CheckTimes(JsonObject claims)
    {
        var now = DateTimeOffset.UtcNow;
        var exp = Time(claims, "exp");
        var nbf = Time(claims, "nbf");
        var iat = Time(claims, "iat");
        if (exp is null || exp <= now || nbf > now + Skew || iat > now + Skew)
        {
            throw new AadException(401, "invalid_client", 700024,
                $"Client assertion is not within its valid time range. Current time: {now:yyyy-MM-ddTHH:mm:ss.fffffffZ}, assertion valid from {nbf:yyyy-MM-ddTHH:mm:ss.fffffffZ}, expiry time of assertion {exp:yyyy-MM-ddTHH:mm:ss.fffffffZ}. {DocsHint}");
        }
    }

    /// <summary>A NumericDate claim; MSAL writes them as JSON strings, so both forms are read.</summary>
    private static DateTimeOffset? Time(JsonObject claims, string name)
    {
        if (claims[name] is not JsonValue value) return null;
        if (value.TryGetValue<long>(out var seconds) || long.TryParse(Claim(claims, name), out seconds)) return DateTimeOffset.FromUnixTimeSeconds(seconds);
        return null;
    }

    private static string? Claim(JsonObject claims, string name) => claims[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static JsonObject? ReadJson(string part)
    {
        try
        {
            return Base64Url.TryDecode(part, out var bytes) ? JsonNode.Parse(bytes) as JsonObject : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static AadException Malformed(string detail) => new(401, "invalid_client", 50027, $"JWT token is invalid or malformed. {detail}");
}
