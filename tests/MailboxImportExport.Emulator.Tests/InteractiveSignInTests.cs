using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using MailboxImportExport.Engine.Auth;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Identity.Client;
using Microsoft.Identity.Client.Extensibility;

namespace MailboxImportExport.Emulator.Tests;

/// <summary>The authorization code flow with PKCE: real MSAL through a web UI that follows the authorize redirect, and raw redemptions.</summary>
public class InteractiveSignInTests(EmulatorFixture fx) : IClassFixture<EmulatorFixture>
{
    private const string RedirectUri = "http://localhost:41234/";
    private const string Verifier = "a-code-verifier-of-at-least-forty-three-characters-long";
    private readonly HttpClient _noRedirect = EmulatorFixture.CreatePinnedClient(fx.Server, allowAutoRedirect: false);

    [Fact]
    public async Task Msal_Interactive_SignsInTheDefaultSignInUser()
    {
        fx.Control.DefaultSignInUser = EmulatorFixture.Bob;
        var app = PublicClientApplicationBuilder.Create(EmulatorDefaults.ClientId)
            .WithAuthority($"{fx.Server.BaseUri}{EmulatorDefaults.TenantId}", validateAuthority: false)
            .WithInstanceDiscovery(false)
            .WithRedirectUri("http://localhost")
            .WithHttpClientFactory(new PinnedHttpClientFactory(fx.Server))
            .Build();

        var result = await app.AcquireTokenInteractive(new[] { "https://graph.microsoft.com/MailboxItem.ImportExport" })
            .WithCustomWebUi(new FollowRedirectWebUi(_noRedirect))
            .ExecuteAsync();

        Assert.Equal(EmulatorFixture.Bob, result.Account.Username);
        Assert.Equal("MailboxItem.ImportExport", (string?)EmulatorFixture.Claims(result.AccessToken)["scp"]);
        // What MailboxItem.ImportExport allows, in bob's own mailbox.
        var reply = await fx.PostJsonAsync(fx.MailboxPath("v1.0", fx.BobMailbox, "createImportSession"), "{}", result.AccessToken);
        Assert.Equal(HttpStatusCode.OK, reply.Status);
    }

    [Fact]
    public async Task Code_IsRedeemedOnce_WithItsRedirectUriAndVerifier()
    {
        fx.Control.DefaultSignInUser = EmulatorFixture.Alice;

        var wrongVerifier = await RedeemAsync(await AuthorizeAsync(), RedirectUri, "another-verifier-that-does-not-match-the-challenge");
        var wrongRedirect = await RedeemAsync(await AuthorizeAsync(), "http://localhost:9999/", Verifier);
        var code = await AuthorizeAsync();
        var redeemed = await RedeemAsync(code, RedirectUri, Verifier);
        var again = await RedeemAsync(code, RedirectUri, Verifier);

        EmulatorFixture.AssertAadError(wrongVerifier, HttpStatusCode.BadRequest, "invalid_grant", 50148);
        EmulatorFixture.AssertAadError(wrongRedirect, HttpStatusCode.BadRequest, "invalid_grant", 500112);
        Assert.Equal(HttpStatusCode.OK, redeemed.Status);
        Assert.Equal(EmulatorFixture.Alice, (string?)EmulatorFixture.Claims((string)redeemed.Body["id_token"]!)["preferred_username"]);
        EmulatorFixture.AssertAadError(again, HttpStatusCode.BadRequest, "invalid_grant", 54005);
    }

    [Fact]
    public async Task Authorize_RefusesANonLoopbackRedirect_AndRedirectsOtherErrors()
    {
        using var badRedirect = await GetAuthorizeAsync("https://evil.example/cb", "code");
        using var badResponseType = await GetAuthorizeAsync(RedirectUri, "token");

        EmulatorFixture.AssertAadError((badRedirect.StatusCode, JsonNode.Parse(await badRedirect.Content.ReadAsStringAsync())!.AsObject()),
            HttpStatusCode.BadRequest, "invalid_request", 50011);
        Assert.Equal(HttpStatusCode.Redirect, badResponseType.StatusCode);
        var query = QueryHelpers.ParseQuery(badResponseType.Headers.Location!.Query);
        Assert.Equal("unsupported_response_type", query["error"].ToString());
        Assert.Equal("xyz", query["state"].ToString());
    }

    private async Task<string> AuthorizeAsync()
    {
        using var response = await GetAuthorizeAsync(RedirectUri, "code");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith(RedirectUri, response.Headers.Location!.ToString());
        var query = QueryHelpers.ParseQuery(response.Headers.Location.Query);
        Assert.Equal("xyz", query["state"].ToString());
        return query["code"].ToString();
    }

    private Task<HttpResponseMessage> GetAuthorizeAsync(string redirectUri, string responseType)
    {
        var challenge = EmulatorFixture.Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(Verifier)));
        var url = QueryHelpers.AddQueryString($"{EmulatorDefaults.TenantId}/oauth2/v2.0/authorize", new Dictionary<string, string?>
        {
            ["client_id"] = EmulatorDefaults.ClientId, ["response_type"] = responseType, ["redirect_uri"] = redirectUri,
            ["scope"] = "MailboxItem.Read openid profile offline_access", ["state"] = "xyz",
            ["code_challenge"] = challenge, ["code_challenge_method"] = "S256",
        });
        return _noRedirect.GetAsync(url);
    }

    private Task<(HttpStatusCode Status, JsonObject Body)> RedeemAsync(string code, string redirectUri, string verifier) =>
        fx.PostFormAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["client_id"] = EmulatorDefaults.ClientId, ["code"] = code,
            ["redirect_uri"] = redirectUri, ["code_verifier"] = verifier, ["scope"] = "MailboxItem.Read openid offline_access",
        });

    /// <summary>A "browser" that requests the authorize URL and hands MSAL the redirect it gets back.</summary>
    private sealed class FollowRedirectWebUi(HttpClient pinnedWithoutRedirects) : ICustomWebUi
    {
        public async Task<Uri> AcquireAuthorizationCodeAsync(Uri authorizationUri, Uri redirectUri, CancellationToken cancellationToken)
        {
            using var response = await pinnedWithoutRedirects.GetAsync(authorizationUri, cancellationToken);
            Assert.True(response.Headers.Location is not null, $"authorize answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
            return response.Headers.Location!;
        }
    }
}
