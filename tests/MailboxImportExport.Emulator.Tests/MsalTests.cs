using System.Net;
using System.Security.Cryptography.X509Certificates;
using MailboxImportExport.Engine.Auth;
using Microsoft.Identity.Client;

namespace MailboxImportExport.Emulator.Tests;

/// <summary>Microsoft.Identity.Client's real confidential-client flow, pointed at the emulator and trusting only its certificate.</summary>
public class MsalTests(EmulatorFixture fx) : IClassFixture<EmulatorFixture>
{
    private static readonly string[] GraphScopes = { "https://graph.microsoft.com/.default" };

    [Fact]
    public async Task AadAuthority_WithoutInstanceDiscovery_GetsAnAcceptedToken()
    {
        var app = ConfidentialClientApplicationBuilder.Create(EmulatorDefaults.ClientId)
            .WithClientSecret(EmulatorDemoApp.ClientSecret)
            .WithAuthority($"{fx.Server.BaseUri}{EmulatorDefaults.TenantId}", validateAuthority: false)
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(new PinnedHttpClientFactory(fx.Server))
            .Build();

        await AssertTokenWorksAsync(app);
    }

    [Fact]
    public async Task OidcAuthority_GetsAnAcceptedToken()
    {
        var app = ConfidentialClientApplicationBuilder.Create(EmulatorDefaults.ClientId)
            .WithClientSecret(EmulatorDemoApp.ClientSecret)
            .WithOidcAuthority($"{fx.Server.BaseUri}{EmulatorDefaults.TenantId}/v2.0")
            .WithHttpClientFactory(new PinnedHttpClientFactory(fx.Server))
            .Build();

        await AssertTokenWorksAsync(app);
    }

    [Fact]
    public async Task WrongSecret_SurfacesAsMsalServiceException()
    {
        var app = ConfidentialClientApplicationBuilder.Create(EmulatorDefaults.ClientId)
            .WithClientSecret("not-the-secret")
            .WithAuthority($"{fx.Server.BaseUri}{EmulatorDefaults.TenantId}", validateAuthority: false)
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(new PinnedHttpClientFactory(fx.Server))
            .Build();

        var error = await Assert.ThrowsAsync<MsalServiceException>(() => app.AcquireTokenForClient(GraphScopes).ExecuteAsync());

        Assert.Equal("invalid_client", error.ErrorCode);
        Assert.Contains("AADSTS7000215", error.Message);
    }

    private async Task AssertTokenWorksAsync(IConfidentialClientApplication app)
    {
        var result = await app.AcquireTokenForClient(GraphScopes).ExecuteAsync();
        Assert.Equal(TokenSource.IdentityProvider, result.AuthenticationResultMetadata.TokenSource);
        Assert.True(result.ExpiresOn > DateTimeOffset.UtcNow.AddMinutes(50));

        var reply = await fx.GetAsync($"v1.0/users/{EmulatorFixture.Alice}/settings/exchange", result.AccessToken);
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Contains(fx.Control.Requests, r => r.Path == $"/{EmulatorDefaults.TenantId}/oauth2/v2.0/token" && r.StatusCode == 200);
    }
}

/// <summary>Lets MSAL reach the emulator over a client that trusts only its certificate.</summary>
internal sealed class PinnedHttpClientFactory(HttpClient client) : IMsalHttpClientFactory
{
    public PinnedHttpClientFactory(EmulatorServer server) : this(EmulatorFixture.CreatePinnedClient(server)) { }

    public HttpClient GetHttpClient() => client;
}
