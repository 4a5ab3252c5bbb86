using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Identity.Client;
using Microsoft.Identity.Client.AppConfig;

namespace MailboxImportExport.Emulator.Tests;

/// <summary>
/// The App Service managed identity endpoint with MSAL's ManagedIdentityApplication, which finds it through the
/// IDENTITY_ENDPOINT and IDENTITY_HEADER environment variables (no other test class reads them).
/// </summary>
public class ManagedIdentityTests : IClassFixture<EmulatorFixture>
{
    private const string Graph = "https://graph.microsoft.com";
    private readonly EmulatorFixture _fx;

    public ManagedIdentityTests(EmulatorFixture fx)
    {
        _fx = fx;
        Environment.SetEnvironmentVariable("IDENTITY_ENDPOINT", $"{fx.Server.BaseUri}msi/token");
        Environment.SetEnvironmentVariable("IDENTITY_HEADER", fx.Control.ManagedIdentityHeader);
    }

    [Fact]
    public async Task Msal_SystemAssigned_GetsAWorkingAppOnlyToken()
    {
        var result = await App(ManagedIdentityId.SystemAssigned).AcquireTokenForManagedIdentity(Graph).ExecuteAsync();

        Assert.Equal(EmulatorControl.SystemAssignedIdentityClientId, (string?)EmulatorFixture.Claims(result.AccessToken)["appid"]);
        Assert.True(result.ExpiresOn > DateTimeOffset.UtcNow.AddMinutes(50));
        var reply = await _fx.GetAsync($"v1.0/users/{EmulatorFixture.Bob}/settings/exchange", result.AccessToken);
        Assert.Equal(HttpStatusCode.OK, reply.Status);
    }

    [Fact]
    public async Task Msal_UserAssigned_IsServedOnceRegistered()
    {
        const string clientId = "8e9fa0b1-5555-4666-8777-b88899990000";
        var app = App(ManagedIdentityId.WithUserAssignedClientId(clientId));

        var unknown = await Assert.ThrowsAsync<MsalServiceException>(() => app.AcquireTokenForManagedIdentity(Graph).ExecuteAsync());
        _fx.Control.RegisterUserAssignedIdentity(clientId);
        var result = await app.AcquireTokenForManagedIdentity(Graph).ExecuteAsync();

        Assert.Contains("Unable to load the proper Managed Identity.", unknown.Message);
        Assert.Equal(clientId, (string?)EmulatorFixture.Claims(result.AccessToken)["appid"]);
    }

    [Theory]
    [InlineData("wrong-header", "resource=https://graph.microsoft.com&api-version=2019-08-01", 401)]
    [InlineData(null, "resource=https://graph.microsoft.com&api-version=2019-08-01", 401)]
    [InlineData("", "resource=https://management.azure.com&api-version=2019-08-01", 400)]
    [InlineData("", "resource=https://graph.microsoft.com&api-version=2017-09-01", 400)]
    public async Task BadRequests_AnswerAppServicesErrorShape(string? header, string query, int status)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"msi/token?{query}");
        if (header is not null) request.Headers.Add("X-IDENTITY-HEADER", header.Length == 0 ? _fx.Control.ManagedIdentityHeader : header);

        using var response = await _fx.Http.SendAsync(request);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(status, (int)body["statusCode"]!);
        Assert.False(string.IsNullOrEmpty((string?)body["message"]));
        Assert.Null(body["access_token"]);
    }

    private IManagedIdentityApplication App(ManagedIdentityId id) =>
        ManagedIdentityApplicationBuilder.Create(id).WithHttpClientFactory(new PinnedHttpClientFactory(_fx.Server)).Build();
}
