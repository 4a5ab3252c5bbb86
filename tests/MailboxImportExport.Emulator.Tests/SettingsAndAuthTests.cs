using System.Net;
using System.Text.Json.Nodes;
using MailboxImportExport.Engine.Auth;

namespace MailboxImportExport.Emulator.Tests;

public class SettingsAndAuthTests(EmulatorFixture fx) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public async Task ExchangeSettings_V1_HasPrimaryOnly()
    {
        var reply = await fx.GetAsync($"v1.0/users/{EmulatorFixture.Alice}/settings/exchange");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Null(reply.Body!["value"]);
        Assert.Equal(fx.AliceMailbox, (string?)reply.Body["primaryMailboxId"]);
        Assert.False(reply.Body.ContainsKey("inPlaceArchiveMailboxId"));
        Assert.EndsWith("/settings/exchange/$entity", (string?)reply.Body["@odata.context"]);
        Assert.Matches("^MBX:[0-9a-f-]{36}@" + EmulatorDefaults.TenantId + "$", fx.AliceMailbox);
    }

    [Fact]
    public async Task ExchangeSettings_Beta_AddsTheArchive_ByObjectIdToo()
    {
        var byUpn = await fx.GetAsync($"beta/users/{Uri.EscapeDataString(EmulatorFixture.Alice)}/settings/exchange");
        var byId = await fx.GetAsync($"beta/users/{(string)byUpn.Body!["id"]!}/settings/exchange");

        Assert.Equal(fx.AliceArchive, (string?)byUpn.Body["inPlaceArchiveMailboxId"]);
        Assert.Equal(fx.AliceArchive, (string?)byId.Body!["inPlaceArchiveMailboxId"]);
        Assert.Equal(fx.AliceMailbox, (string?)byId.Body["primaryMailboxId"]);
        var bob = await fx.GetAsync($"beta/users/{EmulatorFixture.Bob}/settings/exchange");
        Assert.Null((string?)bob.Body!["inPlaceArchiveMailboxId"]);
    }

    [Theory]
    [InlineData("v1.0")]
    [InlineData("beta")]
    public async Task ExchangeSettings_UnknownUser_Is404NamingTheUser(string version)
    {
        var reply = await fx.GetAsync($"{version}/users/nobody@contoso.test/settings/exchange");

        reply.AssertGraphError(HttpStatusCode.NotFound, "Request_ResourceNotFound");
        Assert.Contains("nobody@contoso.test", reply.ErrorMessage);
    }

    [Fact]
    public async Task ExchangeSettings_UserWithoutMailbox_Is404()
    {
        var reply = await fx.GetAsync("v1.0/users/carol@contoso.test/settings/exchange");

        reply.AssertGraphError(HttpStatusCode.NotFound, "MailboxNotEnabledForRESTAPI");
    }

    [Fact]
    public async Task ArchiveMailbox_IsRejectedOnV1_AndServedOnBeta()
    {
        var v1 = await fx.GetAsync(fx.MailboxPath("v1.0", fx.AliceArchive, "folders"));
        var beta = await fx.GetAsync(fx.MailboxPath("beta", fx.AliceArchive, "folders?$top=50"));

        v1.AssertGraphError(HttpStatusCode.NotFound, "ErrorInvalidMailboxItemId");
        Assert.Contains("beta", v1.ErrorMessage);
        Assert.Equal(HttpStatusCode.OK, beta.Status);
        Assert.Contains(beta.Value, f => (string?)f["displayName"] == "Old Mail");
    }

    [Theory]
    [InlineData("v1.0")]
    [InlineData("beta")]
    public async Task MailboxId_IsAcceptedRawAndPercentEncoded(string version)
    {
        var raw = await fx.GetAsync($"{version}/admin/exchange/mailboxes/{fx.AliceMailbox}/folders/inbox");
        var encoded = await fx.GetAsync(fx.MailboxPath(version, fx.AliceMailbox, "folders/Inbox"));
        var mailbox = await fx.GetAsync(fx.MailboxPath(version, fx.AliceMailbox));

        Assert.Equal(HttpStatusCode.OK, raw.Status);
        Assert.Equal((string?)raw.Body!["id"], (string?)encoded.Body!["id"]);
        Assert.Equal(fx.AliceMailbox, (string?)mailbox.Body!["id"]);
    }

    [Fact]
    public async Task UnknownMailboxAndUnknownRoute_AreGraphErrors()
    {
        var mailbox = await fx.GetAsync(fx.MailboxPath("v1.0", $"MBX:{Guid.NewGuid()}@{EmulatorDefaults.TenantId}", "folders"));
        var route = await fx.GetAsync(fx.MailboxPath("v1.0", fx.AliceMailbox, "calendars"));
        var root = await fx.GetAsync("v1.0/me");

        mailbox.AssertGraphError(HttpStatusCode.NotFound, "ErrorInvalidMailboxItemId");
        route.AssertGraphError(HttpStatusCode.BadRequest, "BadRequest");
        Assert.Equal("Resource not found for the segment 'calendars'.", route.ErrorMessage);
        root.AssertGraphError(HttpStatusCode.BadRequest, "BadRequest");
    }

    [Theory]
    [InlineData("", "Access token is empty.")]
    [InlineData("not-a-jwt", "Access token validation failure. Invalid audience or signature.")]
    [InlineData("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2UiOiJhY2Nlc3MifQ.c2lnbmF0dXJl", "Access token validation failure. Invalid audience or signature.")]
    public async Task GraphCall_WithoutAValidBearer_Is401(string token, string message)
    {
        var reply = await fx.GetAsync($"v1.0/users/{EmulatorFixture.Alice}/settings/exchange", token);

        reply.AssertGraphError(HttpStatusCode.Unauthorized, "InvalidAuthenticationToken");
        Assert.Equal(message, reply.ErrorMessage);
        Assert.False(string.IsNullOrEmpty((string?)reply.Body!["error"]!["innerError"]!["client-request-id"]));
        Assert.Equal(
            $"Bearer realm=\"\", authorization_uri=\"{fx.Server.BaseUri}common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"",
            reply.Headers.WwwAuthenticate.ToString());
        Assert.Contains(fx.Control.Requests, r => r.StatusCode == 401 && r.HadAuthorization == (token.Length > 0));
    }

    [Fact]
    public async Task GraphCall_WithAnExpiredToken_Is401LifetimeValidation()
    {
        var reply = await fx.GetAsync($"beta/users/{EmulatorFixture.Alice}/settings/exchange", fx.Control.IssueAccessToken(TimeSpan.FromSeconds(-5)));

        reply.AssertGraphError(HttpStatusCode.Unauthorized, "InvalidAuthenticationToken");
        Assert.Equal("Lifetime validation failed, the token is expired.", reply.ErrorMessage);
    }

    [Fact]
    public async Task TokenEndpoint_IssuesAWorkingTokenForTheDemoSecret()
    {
        var (status, body) = await RequestTokenAsync(EmulatorDefaults.ClientId, EmulatorDemoApp.ClientSecret);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Bearer", (string?)body["token_type"]);
        Assert.InRange((long)body["expires_in"]!, 3500, 3600);
        var token = (string)body["access_token"]!;
        Assert.Equal(3, token.Split('.').Length);
        var reply = await fx.GetAsync($"v1.0/users/{EmulatorFixture.Alice}/settings/exchange", token);
        Assert.Equal(HttpStatusCode.OK, reply.Status);
    }

    [Fact]
    public async Task TokenEndpoint_HonoursTheRunTimeLifetime()
    {
        using var _ = EmulatorFixture.Temporarily(() => fx.Control.AccessTokenLifetime, v => fx.Control.AccessTokenLifetime = v, TimeSpan.FromMinutes(5));
        var (_, body) = await RequestTokenAsync(EmulatorDefaults.ClientId, EmulatorDemoApp.ClientSecret);
        Assert.Equal(300, (long)body["expires_in"]!);
    }

    [Theory]
    [InlineData("wrong-secret", null, HttpStatusCode.Unauthorized, "invalid_client", 7000215)]
    [InlineData(EmulatorDemoApp.ClientSecret, "11111111-2222-3333-4444-555555555555", HttpStatusCode.BadRequest, "unauthorized_client", 700016)]
    public async Task TokenEndpoint_RejectsBadCredentialsInEntraShape(string secret, string? clientId, HttpStatusCode status, string error, int code)
    {
        var reply = await RequestTokenAsync(clientId ?? EmulatorDefaults.ClientId, secret);

        EmulatorFixture.AssertAadError(reply, status, error, code);
    }

    [Fact]
    public async Task TokenEndpoint_RejectsAScopeWithoutDefault()
    {
        var (status, body) = await RequestTokenAsync(EmulatorDefaults.ClientId, EmulatorDemoApp.ClientSecret, "https://graph.microsoft.com/Mail.Read");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_scope", (string?)body["error"]);
    }

    [Fact]
    public async Task CredentialsInAQueryString_AreRedactedInTheRequestLog()
    {
        fx.Control.ClearRequests();

        using var _ = await fx.Http.PostAsync(
            $"{EmulatorDefaults.TenantId}/oauth2/v2.0/token?client_id=abc&client_secret=s1%26tail&refresh_token=r2&device_code=d3&code=c4&code_verifier=v5&client_assertion=a6",
            new FormUrlEncodedContent(new Dictionary<string, string>()));

        var query = Assert.Single(fx.Control.Requests).Query;
        Assert.Equal("client_id=abc&client_secret=REDACTED&refresh_token=REDACTED&device_code=REDACTED&code=REDACTED&code_verifier=REDACTED&client_assertion=REDACTED", query);
    }

    [Fact]
    public async Task OpenIdDiscovery_PointsAtTheEmulator()
    {
        using var response = await fx.Http.GetAsync($"{EmulatorDefaults.TenantId}/v2.0/.well-known/openid-configuration");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"{fx.Server.BaseUri}{EmulatorDefaults.TenantId}/oauth2/v2.0/token", (string?)body["token_endpoint"]);
        Assert.Equal($"{fx.Server.BaseUri}{EmulatorDefaults.TenantId}/v2.0", (string?)body["issuer"]);
        foreach (var key in new[] { "authorization_endpoint", "device_authorization_endpoint", "jwks_uri" })
        {
            Assert.StartsWith(fx.Server.BaseUri.ToString(), (string?)body[key]);
        }
    }

    private Task<(HttpStatusCode Status, JsonObject Body)> RequestTokenAsync(string clientId, string secret, string scope = "https://graph.microsoft.com/.default") =>
        fx.PostFormAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = secret,
            ["scope"] = scope,
        });
}
