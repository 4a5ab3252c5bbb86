using System.Net;
using System.Text.Json.Nodes;
using MailboxImportExport.Engine.Auth;
using Microsoft.Identity.Client;

namespace MailboxImportExport.Emulator.Tests;

/// <summary>Delegated sign-in: the device code flow and refresh tokens, with real MSAL and with raw requests for each error.</summary>
public class UserSignInTests(EmulatorFixture fx) : IClassFixture<EmulatorFixture>
{
    private static readonly string[] Scopes = UserSignIn.DefaultScopes.Select(s => "https://graph.microsoft.com/" + s).ToArray();

    [Fact]
    public async Task Msal_DeviceCode_ApprovedByAlice_GivesHerDelegatedTokens()
    {
        var app = PublicApp();
        DeviceCodeResult? shown = null;

        var result = await SignInAsync(app, EmulatorFixture.Alice, r => shown = r);

        Assert.Matches("^[A-Z2-9]{9}$", shown!.UserCode);
        Assert.Equal($"{fx.Server.BaseUri}devicelogin", shown.VerificationUrl);
        Assert.Equal($"To sign in, use a web browser to open the page {fx.Server.BaseUri}devicelogin and enter the code {shown.UserCode} to authenticate.", shown.Message);
        Assert.Equal(EmulatorFixture.Alice, result.Account.Username);
        var claims = EmulatorFixture.Claims(result.AccessToken);
        Assert.Equal("user", (string?)claims["idtyp"]);
        Assert.Equal(string.Join(" ", UserSignIn.DefaultScopes), (string?)claims["scp"]);
        Assert.Equal(EmulatorFixture.Alice, (string?)claims["upn"]);
        Assert.Equal(EmulatorDefaults.ClientId, (string?)claims["appid"]);
        Assert.Equal(EmulatorDefaults.ClientId, (string?)EmulatorFixture.Claims(result.IdToken)["aud"]);
        Assert.Equal($"{claims["oid"]}.{EmulatorDefaults.TenantId}", result.Account.HomeAccountId.Identifier);
        var reply = await fx.GetAsync($"v1.0/users/{EmulatorFixture.Alice}/settings/exchange", result.AccessToken);
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Empty(fx.Control.PendingDeviceCodes);
    }

    [Fact]
    public async Task Msal_DeviceCode_ApprovedOnTheDeviceLoginPage_SignsInTheAccountEntered()
    {
        var (signIn, shownTask) = StartDeviceCodeSignIn(PublicApp());
        var shown = await shownTask.WaitAsync(TimeSpan.FromSeconds(30));

        var page = await fx.Http.GetStringAsync(shown.VerificationUrl);
        Assert.Contains("<form method=\"post\">", page);
        Assert.Contains($"value=\"{EmulatorFixture.Alice}\"", page); // the default account, prefilled
        var unknownUser = await PostDeviceLoginAsync(shown.VerificationUrl, shown.UserCode, "nobody@contoso.test");
        Assert.Equal(HttpStatusCode.BadRequest, unknownUser.Status);
        Assert.Contains("nobody@contoso.test", unknownUser.Html);
        var approved = await PostDeviceLoginAsync(shown.VerificationUrl, shown.UserCode.ToLowerInvariant(), EmulatorFixture.Bob);
        Assert.Equal(HttpStatusCode.OK, approved.Status);
        Assert.Contains($"You signed in as {EmulatorFixture.Bob}", approved.Html);

        Assert.Equal(EmulatorFixture.Bob, (await signIn).Account.Username);
        var usedCode = await PostDeviceLoginAsync(shown.VerificationUrl, shown.UserCode, EmulatorFixture.Bob);
        Assert.Equal(HttpStatusCode.BadRequest, usedCode.Status);
        Assert.Contains("No pending device code sign-in", usedCode.Html);
    }

    [Fact]
    public async Task Msal_DeviceCode_DeclinedOnTheDeviceLoginPage_SurfacesAuthorizationDeclined()
    {
        var (signIn, shownTask) = StartDeviceCodeSignIn(PublicApp());
        var shown = await shownTask.WaitAsync(TimeSpan.FromSeconds(30));

        var declined = await PostDeviceLoginAsync(shown.VerificationUrl, shown.UserCode, "", action: "decline");

        Assert.Equal(HttpStatusCode.OK, declined.Status);
        Assert.Equal("authorization_declined", (await Assert.ThrowsAsync<MsalServiceException>(() => signIn)).ErrorCode);
    }

    /// <summary>A device code sign-in, and the code as MSAL shows it to the person.</summary>
    private static (Task<AuthenticationResult> SignIn, Task<DeviceCodeResult> Shown) StartDeviceCodeSignIn(IPublicClientApplication app)
    {
        var shown = new TaskCompletionSource<DeviceCodeResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var signIn = app.AcquireTokenWithDeviceCode(Scopes, r =>
        {
            shown.TrySetResult(r);
            return Task.CompletedTask;
        }).ExecuteAsync();
        return (signIn, shown.Task);
    }

    private async Task<(HttpStatusCode Status, string Html)> PostDeviceLoginAsync(string page, string code, string user, string action = "approve")
    {
        using var response = await fx.Http.PostAsync(page, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["code"] = code,
            ["username"] = user,
            ["action"] = action,
        }));
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Msal_DeviceCode_Declined_SurfacesAuthorizationDeclined()
    {
        var app = PublicApp();
        var signIn = app.AcquireTokenWithDeviceCode(Scopes, _ => Task.CompletedTask).ExecuteAsync();
        var pending = await WaitForPendingAsync();

        fx.Control.DenyDeviceCode(pending.UserCode);

        var error = await Assert.ThrowsAsync<MsalServiceException>(() => signIn);
        Assert.Equal("authorization_declined", error.ErrorCode);
    }

    [Fact]
    public async Task DeviceCodePolls_AnswerPendingThenExpired_InEntraShape()
    {
        // Long enough for the first poll to come well before the code expires, even on a busy machine.
        using var _ = EmulatorFixture.Temporarily(() => fx.Control.DeviceCodeLifetime, v => fx.Control.DeviceCodeLifetime = v, TimeSpan.FromSeconds(3));
        var (status, started) = await fx.PostFormAsync(new Dictionary<string, string> { ["client_id"] = EmulatorDefaults.ClientId, ["scope"] = "MailboxItem.ImportExport offline_access" }, "oauth2/v2.0/devicecode");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, (long)started["interval"]!);
        Assert.Equal(3, (long)started["expires_in"]!);
        var pending = Assert.Single(fx.Control.PendingDeviceCodes, p => p.UserCode == (string?)started["user_code"]);
        Assert.Equal(new[] { "MailboxItem.ImportExport", "offline_access" }, pending.Scopes);

        EmulatorFixture.AssertAadError(await PollAsync((string)started["device_code"]!), HttpStatusCode.BadRequest, "authorization_pending", 70016);
        // Poll at the interval the answer asked for, as a client does, until the answer is no longer "pending".
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromMinutes(1);
        (HttpStatusCode Status, JsonObject Body) after;
        do
        {
            await Task.Delay(TimeSpan.FromSeconds((long)started["interval"]!));
            after = await PollAsync((string)started["device_code"]!);
        }
        while ((string?)after.Body["error"] == "authorization_pending" && DateTimeOffset.UtcNow < deadline);
        EmulatorFixture.AssertAadError(after, HttpStatusCode.BadRequest, "expired_token", 70019);
        Assert.Throws<KeyNotFoundException>(() => fx.Control.ApproveDeviceCode(pending.UserCode, EmulatorFixture.Alice));
    }

    [Fact]
    public async Task DeviceCode_ForAnAppWithoutPublicClientFlows_NeedsACredential()
    {
        const string confidentialOnly = "6c7d8e9f-3333-4444-8555-966677778888";
        fx.Control.RegisterApplication(confidentialOnly, clientSecret: "s3cret");
        var (_, started) = await fx.PostFormAsync(new Dictionary<string, string> { ["client_id"] = confidentialOnly, ["scope"] = "User.Read" }, "oauth2/v2.0/devicecode");
        fx.Control.ApproveDeviceCode((string)started["user_code"]!, EmulatorFixture.Bob);

        EmulatorFixture.AssertAadError(await PollAsync((string)started["device_code"]!, confidentialOnly), HttpStatusCode.Unauthorized, "invalid_client", 7000218);
    }

    [Theory]
    [InlineData("", "invalid_request", 900144)]
    [InlineData("https://outlook.office.com/Mail.Read", "invalid_scope", 70011)]
    public async Task DeviceCode_NeedsGraphScopes(string scope, string error, int code)
    {
        var reply = await fx.PostFormAsync(new Dictionary<string, string> { ["client_id"] = EmulatorDefaults.ClientId, ["scope"] = scope }, "oauth2/v2.0/devicecode");

        EmulatorFixture.AssertAadError(reply, HttpStatusCode.BadRequest, error, code);
    }

    [Fact]
    public void ApprovingForAnUnknownUser_Throws() =>
        Assert.Throws<KeyNotFoundException>(() => fx.Control.ApproveDeviceCode("ABCDEFGHJ", "nobody@contoso.test"));

    [Fact]
    public async Task Msal_Silent_AfterTheAccessTokenExpired_RefreshesWithoutInteraction()
    {
        using var _ = EmulatorFixture.Temporarily(() => fx.Control.AccessTokenLifetime, v => fx.Control.AccessTokenLifetime = v, TimeSpan.FromSeconds(3));
        var app = PublicApp();
        var first = await SignInAsync(app, EmulatorFixture.Bob);
        // Until Graph refuses the first token as expired (a minute at most).
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromMinutes(1);
        Reply expired;
        while ((expired = await fx.GetAsync($"v1.0/users/{EmulatorFixture.Bob}/settings/exchange", first.AccessToken)).Status != HttpStatusCode.Unauthorized
               && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
        fx.Control.ClearRequests();

        var silent = await app.AcquireTokenSilent(Scopes, first.Account).ExecuteAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, expired.Status);
        Assert.Equal(TokenSource.IdentityProvider, silent.AuthenticationResultMetadata.TokenSource);
        Assert.NotEqual(first.AccessToken, silent.AccessToken);
        Assert.Equal(EmulatorFixture.Bob, (string?)EmulatorFixture.Claims(silent.AccessToken)["upn"]);
        Assert.Single(fx.Control.Requests, r => r.Path.EndsWith("/oauth2/v2.0/token") && r.StatusCode == 200);
        var reply = await fx.GetAsync($"v1.0/users/{EmulatorFixture.Bob}/settings/exchange", silent.AccessToken);
        Assert.Equal(HttpStatusCode.OK, reply.Status);
    }

    [Fact]
    public async Task Msal_Silent_AfterRevocation_NeedsInteraction()
    {
        // MSAL refreshes any token that expires within five minutes, so silent calls go to the token endpoint.
        using var _ = EmulatorFixture.Temporarily(() => fx.Control.AccessTokenLifetime, v => fx.Control.AccessTokenLifetime = v, TimeSpan.FromSeconds(3));
        var app = PublicApp();
        var first = await SignInAsync(app, EmulatorFixture.Alice);

        fx.Control.RevokeRefreshTokens(EmulatorFixture.Alice);

        var error = await Assert.ThrowsAsync<MsalUiRequiredException>(() => app.AcquireTokenSilent(Scopes, first.Account).ExecuteAsync());
        Assert.Equal("invalid_grant", error.ErrorCode);
        Assert.Contains("AADSTS50173", error.Message);
    }

    [Fact]
    public async Task RefreshToken_IsBoundToItsClientAndScopes()
    {
        var (_, tokens) = await RawSignInAsync("https://graph.microsoft.com/MailboxItem.Read offline_access openid");
        var refreshToken = (string)tokens["refresh_token"]!;
        const string otherApp = "7d8e9fa0-4444-4555-8666-a77788889999";
        fx.Control.RegisterApplication(otherApp, allowPublicClient: true);

        var rotated = await RefreshAsync(refreshToken, "https://graph.microsoft.com/MailboxItem.Read offline_access");
        var again = await RefreshAsync(refreshToken, "MailboxItem.Read");

        Assert.Equal(HttpStatusCode.OK, rotated.Status);
        Assert.NotEqual(refreshToken, (string?)rotated.Body["refresh_token"]);
        Assert.Equal("https://graph.microsoft.com/MailboxItem.Read offline_access", (string?)rotated.Body["scope"]);
        Assert.Null(again.Body["refresh_token"]);
        Assert.Equal("MailboxItem.Read", (string?)again.Body["scope"]);
        EmulatorFixture.AssertAadError(await RefreshAsync(refreshToken, "MailboxItem.ReadWrite"), HttpStatusCode.BadRequest, "invalid_grant", 65001);
        EmulatorFixture.AssertAadError(await RefreshAsync(refreshToken, "MailboxItem.Read", otherApp), HttpStatusCode.BadRequest, "invalid_grant", 70000);
        EmulatorFixture.AssertAadError(await RefreshAsync("not-a-refresh-token", "MailboxItem.Read"), HttpStatusCode.BadRequest, "invalid_grant", 9002313);
        EmulatorFixture.AssertAadError(await RefreshAsync(refreshToken, "https://outlook.office.com/Mail.Read"), HttpStatusCode.BadRequest, "invalid_scope", 70011);
    }

    [Fact]
    public async Task DelegatedToken_ReachesOnlyTheSignedInUsersMailbox()
    {
        var (_, tokens) = await RawSignInAsync("https://graph.microsoft.com/User.Read.All https://graph.microsoft.com/MailboxFolder.Read https://graph.microsoft.com/MailboxItem.Export offline_access openid");
        var token = (string)tokens["access_token"]!;

        var ownSettings = await fx.GetAsync($"v1.0/users/{EmulatorFixture.Alice}/settings/exchange", token);
        var ownFolders = await fx.GetAsync(fx.MailboxPath("v1.0", fx.AliceMailbox, "folders"), token);
        var bobsSettings = await fx.GetAsync($"v1.0/users/{EmulatorFixture.Bob}/settings/exchange", token);
        var bobsFolders = await fx.GetAsync(fx.MailboxPath("v1.0", fx.BobMailbox, "folders"), token);
        var bobsExport = await fx.PostJsonAsync(fx.MailboxPath("v1.0", fx.BobMailbox, "exportItems"), """{"itemIds":["x"]}""", token);
        var appReachesBob = await fx.GetAsync(fx.MailboxPath("v1.0", fx.BobMailbox, "folders"));

        Assert.Equal(HttpStatusCode.OK, ownSettings.Status);
        Assert.Equal(HttpStatusCode.OK, ownFolders.Status);
        bobsSettings.AssertGraphError(HttpStatusCode.Forbidden, "ErrorAccessDenied");
        bobsFolders.AssertGraphError(HttpStatusCode.Forbidden, "ErrorAccessDenied");
        bobsExport.AssertGraphError(HttpStatusCode.Forbidden, "ErrorAccessDenied");
        Assert.Equal("Access is denied. Check credentials and try again.", bobsFolders.ErrorMessage);
        Assert.Equal(HttpStatusCode.OK, appReachesBob.Status);
    }

    [Fact]
    public async Task DelegatedToken_ReachesOnlyTheOperationsItsScopesAllow()
    {
        var (_, tokens) = await RawSignInAsync("MailboxFolder.Read offline_access");
        var token = (string)tokens["access_token"]!;
        var inbox = await fx.FolderIdAsync("v1.0", fx.AliceMailbox, "inbox");

        var folders = await fx.GetAsync(fx.MailboxPath("v1.0", fx.AliceMailbox, "folders"), token);
        var newFolder = await fx.PostJsonAsync(fx.MailboxPath("v1.0", fx.AliceMailbox, "folders"), """{"displayName":"Denied"}""", token);
        var items = await fx.GetAsync(fx.MailboxPath("v1.0", fx.AliceMailbox, $"folders/{Uri.EscapeDataString(inbox)}/items"), token);
        var export = await fx.PostJsonAsync(fx.MailboxPath("v1.0", fx.AliceMailbox, "exportItems"), """{"itemIds":["x"]}""", token);
        var session = await fx.PostJsonAsync(fx.MailboxPath("v1.0", fx.AliceMailbox, "createImportSession"), "{}", token);
        var settings = await fx.GetAsync($"v1.0/users/{EmulatorFixture.Alice}/settings/exchange", token);

        Assert.Equal(HttpStatusCode.OK, folders.Status);
        foreach (var (reply, needed) in new[]
        {
            (newFolder, "MailboxFolder.ReadWrite"), (items, "MailboxItem.Read"), (export, "MailboxItem.Export, MailboxItem.ImportExport"),
            (session, "MailboxItem.ImportExport"), (settings, "User.Read.All, User.ReadWrite.All"),
        })
        {
            reply.AssertGraphError(HttpStatusCode.Forbidden, "ErrorAccessDenied");
            Assert.EndsWith($"needs one of {needed}.)", reply.ErrorMessage);
        }
    }

    private IPublicClientApplication PublicApp() =>
        PublicClientApplicationBuilder.Create(EmulatorDefaults.ClientId)
            .WithAuthority($"{fx.Server.BaseUri}{EmulatorDefaults.TenantId}", validateAuthority: false)
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(new PinnedHttpClientFactory(fx.Server))
            .Build();

    /// <summary>An MSAL device code sign-in that <paramref name="user"/> approves once the code is pending.</summary>
    private async Task<AuthenticationResult> SignInAsync(IPublicClientApplication app, string user, Action<DeviceCodeResult>? shown = null)
    {
        var signIn = app.AcquireTokenWithDeviceCode(Scopes, r =>
        {
            shown?.Invoke(r);
            return Task.CompletedTask;
        }).ExecuteAsync();
        fx.Control.ApproveDeviceCode((await WaitForPendingAsync()).UserCode, user);
        return await signIn;
    }

    private async Task<PendingDeviceCode> WaitForPendingAsync()
    {
        for (var i = 0; i < 100; i++)
        {
            if (fx.Control.PendingDeviceCodes.FirstOrDefault(p => p.Scopes.Contains(Scopes[0])) is { } pending) return pending;
            await Task.Delay(50);
        }
        throw new TimeoutException("MSAL did not start a device code sign-in.");
    }

    private async Task<(HttpStatusCode Status, JsonObject Body)> RawSignInAsync(string scope)
    {
        var (_, started) = await fx.PostFormAsync(new Dictionary<string, string> { ["client_id"] = EmulatorDefaults.ClientId, ["scope"] = scope }, "oauth2/v2.0/devicecode");
        fx.Control.ApproveDeviceCode((string)started["user_code"]!, EmulatorFixture.Alice);
        return await PollAsync((string)started["device_code"]!);
    }

    private Task<(HttpStatusCode Status, JsonObject Body)> PollAsync(string deviceCode, string clientId = EmulatorDefaults.ClientId) =>
        fx.PostFormAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "urn:ietf:params:oauth:grant-type:device_code",
            ["client_id"] = clientId,
            ["device_code"] = deviceCode,
        });

    private Task<(HttpStatusCode Status, JsonObject Body)> RefreshAsync(string refreshToken, string scope, string clientId = EmulatorDefaults.ClientId) =>
        fx.PostFormAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["client_id"] = clientId,
            ["refresh_token"] = refreshToken,
            ["scope"] = scope,
        });
}
