using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using MailboxImportExport.Engine.Auth;
using Microsoft.Identity.Client;

namespace MailboxImportExport.Emulator.Tests;

/// <summary>Certificate credentials (client_assertion JWTs): real MSAL, and hand-made assertions for each rule.</summary>
public class ClientCertificateTests(EmulatorFixture fx) : IClassFixture<EmulatorFixture>
{
    private const string ClientId = "5a6b7c8d-1111-4222-8333-944455556666";
    private static readonly string[] GraphScopes = { "https://graph.microsoft.com/.default" };
    private static readonly X509Certificate2 Registered = MakeCertificate("CN=Registered");

    private string TokenEndpoint => $"{fx.Server.BaseUri}{EmulatorDefaults.TenantId}/oauth2/v2.0/token";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Msal_WithARegisteredCertificate_GetsAWorkingAppToken(bool sendX5C)
    {
        fx.Control.RegisterApplication(ClientId, certificate: Registered);

        var result = await App(Registered, sendX5C).AcquireTokenForClient(GraphScopes).ExecuteAsync();

        Assert.Equal(ClientId, (string?)EmulatorFixture.Claims(result.AccessToken)["appid"]);
        var reply = await fx.GetAsync($"v1.0/users/{EmulatorFixture.Alice}/settings/exchange", result.AccessToken);
        Assert.Equal(HttpStatusCode.OK, reply.Status);
    }

    [Fact]
    public async Task Msal_WithACertificateAddedLater_IsAccepted_AndAnUnregisteredOneIsRefused()
    {
        const string clientId = "5a6b7c8d-2222-4222-8333-944455556666";
        using var later = MakeCertificate("CN=Later");
        fx.Control.RegisterApplication(clientId, clientSecret: "s3cret");

        var refused = await Assert.ThrowsAsync<MsalServiceException>(() => App(later, false, clientId).AcquireTokenForClient(GraphScopes).ExecuteAsync());
        fx.Control.RegisterClientCertificate(clientId, later);
        var accepted = await App(later, false, clientId).AcquireTokenForClient(GraphScopes).ExecuteAsync();

        Assert.Equal("invalid_client", refused.ErrorCode);
        Assert.Contains("AADSTS700027", refused.Message);
        Assert.False(string.IsNullOrEmpty(accepted.AccessToken));
    }

    [Theory]
    [InlineData("x5t")]
    [InlineData("x5c")]
    [InlineData("x5c-array")]
    public async Task HandMadeRs256Assertion_IsAccepted_WhicheverHeaderNamesTheKey(string keyHeader)
    {
        fx.Control.RegisterApplication(ClientId, certificate: Registered);
        var der = Convert.ToBase64String(Registered.RawData);
        Action<JsonObject> nameKey = keyHeader switch
        {
            "x5c" => h => { h.Remove("x5t"); h["x5c"] = der; },
            "x5c-array" => h => { h.Remove("x5t"); h["x5c"] = new JsonArray(der); },
            _ => _ => { },
        };

        var reply = await RequestAsync(Assertion(Registered, _ => { }, nameKey));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(ClientId, (string?)EmulatorFixture.Claims((string)reply.Body["access_token"]!)["appid"]);
    }

    public static TheoryData<string, int> BrokenAssertions => new()
    {
        { "expired", 700024 },
        { "not-yet-valid", 700024 },
        { "no-exp", 700024 },
        { "wrong-audience", 700023 },
        { "wrong-subject", 700021 },
        { "tampered", 700027 },
        { "unregistered-key", 700027 },
        { "no-jti", 50027 },
        { "x5c-not-a-certificate", 50027 },
        { "not-a-jwt", 50027 },
    };

    [Theory]
    [MemberData(nameof(BrokenAssertions))]
    public async Task BrokenAssertion_IsRefusedInEntraShape(string flaw, int code)
    {
        fx.Control.RegisterApplication(ClientId, certificate: Registered);
        using var other = MakeCertificate("CN=Other");
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var assertion = flaw switch
        {
            "expired" => Assertion(Registered, c => { c["nbf"] = now - 900; c["exp"] = now - 300; }),
            "not-yet-valid" => Assertion(Registered, c => { c["nbf"] = now + 900; c["exp"] = now + 1500; }),
            "no-exp" => Assertion(Registered, c => c.Remove("exp")),
            "wrong-audience" => Assertion(Registered, c => c["aud"] = "https://login.microsoftonline.com/common/oauth2/v2.0/token"),
            "wrong-subject" => Assertion(Registered, c => c["sub"] = EmulatorDefaults.ClientId),
            "tampered" => Assertion(Registered, _ => { })[..^4] + "AAAA",
            "unregistered-key" => Assertion(other, _ => { }),
            "no-jti" => Assertion(Registered, c => c.Remove("jti")),
            "x5c-not-a-certificate" => Assertion(Registered, _ => { }, h => { h.Remove("x5t"); h["x5c"] = "bm90IGEgY2VydGlmaWNhdGU="; }),
            _ => "not-a-jwt",
        };

        EmulatorFixture.AssertAadError(await RequestAsync(assertion), HttpStatusCode.Unauthorized, "invalid_client", code);
    }

    [Fact]
    public async Task AssertionAudience_MayNameTheTenantByDomain()
    {
        fx.Control.RegisterApplication(ClientId, certificate: Registered);

        var reply = await RequestAsync(Assertion(Registered, c => c["aud"] = $"{fx.Server.BaseUri}{EmulatorDefaults.TenantDomain}/oauth2/v2.0/token"));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
    }

    private IConfidentialClientApplication App(X509Certificate2 certificate, bool sendX5C, string clientId = ClientId) =>
        ConfidentialClientApplicationBuilder.Create(clientId)
            .WithCertificate(certificate, sendX5C)
            .WithAuthority($"{fx.Server.BaseUri}{EmulatorDefaults.TenantId}", validateAuthority: false)
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(new PinnedHttpClientFactory(fx.Server))
            .Build();

    private Task<(HttpStatusCode Status, JsonObject Body)> RequestAsync(string assertion) => fx.PostFormAsync(new Dictionary<string, string>
    {
        ["grant_type"] = "client_credentials",
        ["client_id"] = ClientId,
        ["scope"] = GraphScopes[0],
        ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ["client_assertion"] = assertion,
    });

    /// <summary>An RS256 assertion naming its key by x5t, valid for ten minutes unless <paramref name="edit"/> says otherwise.</summary>
    private string Assertion(X509Certificate2 certificate, Action<JsonObject> edit, Action<JsonObject>? editHeader = null)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = new JsonObject { ["alg"] = "RS256", ["typ"] = "JWT", ["x5t"] = EmulatorFixture.Base64Url(certificate.GetCertHash()) };
        var claims = new JsonObject
        {
            ["aud"] = TokenEndpoint, ["iss"] = ClientId, ["sub"] = ClientId, ["jti"] = Guid.NewGuid().ToString(),
            ["nbf"] = now, ["iat"] = now, ["exp"] = now + 600,
        };
        edit(claims);
        editHeader?.Invoke(header);
        var signed = EmulatorFixture.Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + EmulatorFixture.Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        using var key = certificate.GetRSAPrivateKey()!;
        return signed + "." + EmulatorFixture.Base64Url(key.SignData(Encoding.ASCII.GetBytes(signed), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    /// <summary>A self-signed RSA certificate with its private key, valid from yesterday for a month.</summary>
    internal static X509Certificate2 MakeCertificate(string subject)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }
}
