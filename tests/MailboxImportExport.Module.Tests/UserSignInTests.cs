using System.Management.Automation;
using MailboxImportExport.Emulator;
using MailboxImportExport.Engine.Auth;
using MailboxImportExport.Engine.Models;
using MailboxImportExport.Engine.Services;
using Microsoft.Identity.Client.Extensibility;

namespace MailboxImportExport.Module.Tests;

/// <summary>
/// Sign-in as a person (delegated permissions) through the real engine against the emulator: the device code is
/// approved by the test as the person would in a browser. Each test has its own emulator, so its own token cache.
/// </summary>
public class UserSignInTests
{
    private const string ConnectWithDeviceCode = "Connect-ExMailboxService -Emulator $args[0] -UseDeviceCode -PassThru";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static Task<EmulatorServer> StartEmulatorAsync(TimeSpan? tokenLifetime = null) => EmulatorServer.StartAsync(new EmulatorOptions
    {
        Seed = "demo",
        DeviceCodePollInterval = TimeSpan.FromSeconds(1),
        AccessTokenLifetime = tokenLifetime ?? TimeSpan.FromHours(1),
    });

    /// <summary>Waits until the emulator has a device code waiting for its user, as a browser tab would show it.</summary>
    private static async Task<PendingDeviceCode> PendingCodeAsync<T>(EmulatorServer emulator, Task<T> running)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline && !running.IsCompleted)
        {
            if (emulator.Control.PendingDeviceCodes.FirstOrDefault() is { } code) return code;
            await Task.Delay(100);
        }
        throw new TimeoutException(running.IsCompleted ? $"The sign-in ended without asking for a device code: {await running}" : "No device code was asked for.");
    }

    /// <summary>Connects a session with the device code, approved as the given user.</summary>
    private static async Task<RunResult> SignInAsync(EmulatorServer emulator, PowerShellSession session, string user, string extraScript = "")
    {
        using var running = session.Start(ConnectWithDeviceCode + "\n" + extraScript, emulator.BaseUri);
        var code = await PendingCodeAsync(emulator, running.Result);
        emulator.Control.ApproveDeviceCode(code.UserCode, user);
        return await running.Result.WaitAsync(Patience);
    }

    private static int TokenRequests(EmulatorServer emulator) =>
        emulator.Control.Requests.Count(r => r.Method == "POST" && r.Path.EndsWith("/oauth2/v2.0/token", StringComparison.Ordinal));

    [Fact]
    public async Task Device_code_sign_in_shows_the_code_through_the_host_and_completes_when_it_is_approved()
    {
        await using var emulator = await StartEmulatorAsync();
        using var session = new PowerShellSession();

        var result = await SignInAsync(emulator, session, "alice@contoso.test", "Get-ExMailbox alice@contoso.test");

        Assert.Empty(result.Errors);
        var connection = result.Output[0];
        Assert.Equal("DeviceCode", connection.Properties["AuthMethod"].Value.ToString());
        Assert.Equal("alice@contoso.test", connection.Properties["Account"].Value);
        Assert.Contains("MailboxItem.ImportExport", (IEnumerable<string>)connection.Properties["Scopes"].Value);
        Assert.Equal("alice@contoso.test", result.Output[1].Properties["UserId"].Value);
        // The code reached the person through the host, with where to enter it.
        var prompt = Assert.Single(result.Information, i => i.Contains("enter the code", StringComparison.OrdinalIgnoreCase));
        Assert.Contains("devicelogin", prompt);
    }

    [Fact]
    public async Task A_signed_in_person_reaches_only_their_own_mailbox()
    {
        await using var emulator = await StartEmulatorAsync();
        using var session = new PowerShellSession();

        var result = await SignInAsync(emulator, session, "alice@contoso.test", "Get-ExMailbox bob@contoso.test");

        var error = Assert.Single(result.Errors);
        Assert.Equal(ErrorCategory.PermissionDenied, error.CategoryInfo.Category);
    }

    [Fact]
    public async Task A_second_runspace_reuses_the_sign_in_and_after_Disconnect_the_code_is_asked_again_until_Ctrl_C()
    {
        await using var emulator = await StartEmulatorAsync();
        using (var first = new PowerShellSession())
        {
            Assert.Empty((await SignInAsync(emulator, first, "alice@contoso.test")).Errors);
        }
        var afterSignIn = TokenRequests(emulator);

        using var second = new PowerShellSession();
        var reused = second.Run(ConnectWithDeviceCode + "\nGet-ExMailbox alice@contoso.test\nDisconnect-ExMailboxService", emulator.BaseUri);
        Assert.Empty(reused.Errors);
        Assert.Equal("alice@contoso.test", reused.Output[0].Properties["Account"].Value);
        Assert.DoesNotContain(reused.Information, i => i.Contains("enter the code", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(afterSignIn, TokenRequests(emulator)); // the cached token served it
        Assert.Empty(emulator.Control.PendingDeviceCodes);

        // Disconnect removed the account: the next sign-in asks for a code again, and Ctrl+C stops waiting for it.
        using var third = new PowerShellSession();
        using var asking = third.Start(ConnectWithDeviceCode, emulator.BaseUri);
        await PendingCodeAsync(emulator, asking.Result);
        asking.Stop();
        var stopped = await asking.Result.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Empty(stopped.Output);
        Assert.Empty(third.Run("Get-ExConnection").Output);
    }

    [Fact]
    public async Task A_persisted_sign_in_lets_the_next_PowerShell_process_connect_without_a_code()
    {
        await using var emulator = await StartEmulatorAsync();
        using var temporary = new TemporaryDirectory("mie-user-cache-");
        var script = Path.Combine(temporary.Path, "connect.ps1");
        File.WriteAllText(script, """
            param([uri] $Emulator)
            Connect-ExMailboxService -Emulator $Emulator -UseDeviceCode -TokenCacheScope CurrentUser -AllowUnencryptedTokenCache -ErrorAction Stop
            Get-ExConnection | ForEach-Object { "ACCOUNT $($_.Account) SCOPE $($_.TokenCacheScope)" }
            (Get-ExMailbox alice@contoso.test).UserId
            """);
        var environment = new Dictionary<string, string> { ["MAILBOXIMPORTEXPORT_TOKEN_CACHE_DIRECTORY"] = Path.Combine(temporary.Path, "cache") };

        // The first window signs in with a code; the second finds the account in the cache the first one left.
        var first = Task.Run(() => ScriptProcess.Run(emulator.BaseUri, script, environment));
        emulator.Control.ApproveDeviceCode((await PendingCodeAsync(emulator, first)).UserCode, "alice@contoso.test");
        var signedIn = await first.WaitAsync(Patience);
        var afterFirst = TokenRequests(emulator);
        var second = await Task.Run(() => ScriptProcess.Run(emulator.BaseUri, script, environment)).WaitAsync(Patience);

        foreach (var run in new[] { signedIn, second })
        {
            Assert.True(run.ExitCode == 0, run.AllText);
            Assert.Contains("ACCOUNT alice@contoso.test SCOPE CurrentUser", run.Output);
        }
        Assert.Contains("enter the code", signedIn.Output);
        Assert.DoesNotContain("enter the code", second.Output);
        Assert.Single(emulator.Control.Requests, r => r.Path.EndsWith("/oauth2/v2.0/devicecode", StringComparison.Ordinal));
        Assert.Equal(afterFirst, TokenRequests(emulator)); // its access token was still good: taken from the cache as is
    }

    [Fact]
    public async Task Delegated_tokens_that_live_a_few_seconds_are_renewed_with_the_refresh_token_and_no_call_fails()
    {
        await using var emulator = await StartEmulatorAsync(tokenLifetime: TimeSpan.FromSeconds(4));
        using var session = new PowerShellSession();

        var result = await SignInAsync(emulator, session, "alice@contoso.test", LongRun.ListingInboxFor(seconds: 9));

        Assert.Empty(result.Errors);
        var requests = emulator.Control.Requests;
        LongRun.AssertNoCallWasRefused(requests);
        // One device code, redeemed once; every later token was a silent renewal, which for a person is the refresh token.
        Assert.Single(requests, r => r.Path.EndsWith("/oauth2/v2.0/devicecode", StringComparison.Ordinal));
        var tokensIssued = requests.Count(r => r.Path.EndsWith("/oauth2/v2.0/token", StringComparison.Ordinal) && r.StatusCode == 200);
        Assert.True(tokensIssued >= 3, $"{tokensIssued} tokens issued");
        Assert.Empty(emulator.Control.PendingDeviceCodes);
    }

    [Fact]
    public void Interactive_sign_in_where_no_browser_can_open_says_to_use_a_device_code()
    {
        // MSAL opens the system browser on Linux with xdg-open and its kin: a PATH without them is a server without a
        // desktop. On Windows and macOS a browser always opens (this test would open one), so it checks Linux only.
        if (!OperatingSystem.IsLinux()) return;
        using var temporary = new TemporaryDirectory("mie-no-browser-");
        var script = Path.Combine(temporary.Path, "interactive.ps1");
        File.WriteAllText(script, """
            param([string] $Manifest)
            Import-Module $Manifest -ErrorAction Stop
            Connect-ExMailboxService -ClientId 3f2b8c1e-7d4a-4e59-9b60-2c8d1e5f7a93 -TenantId contoso.onmicrosoft.com -AuthorityHost https://127.0.0.1:9/ -GraphEndpoint https://127.0.0.1:9/ -TokenCacheScope Process
            """);

        var run = ScriptProcess.RunInBareHost(script, [ModuleUnderTest.ManifestPath], new Dictionary<string, string> { ["PATH"] = temporary.Path });

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("MailboxImportExport.Engine.Auth.ExAuthenticationException: No web browser could be opened", run.Error);
        Assert.Contains("Sign in with -UseDeviceCode instead", run.Error);
    }

    /// <summary>
    /// Interactive sign-in, driven at the engine (the cmdlet opens the system browser, which a test cannot click):
    /// the sign-in page is fetched like a browser would, and its redirect carries the code back to MSAL.
    /// </summary>
    [Fact]
    public async Task Interactive_sign_in_redeems_the_code_of_the_sign_in_page_and_afterwards_needs_no_page()
    {
        await using var emulator = await StartEmulatorAsync();
        var endpoints = ServiceEndpoints.Emulator(emulator.BaseUri);
        var browser = new ScriptedBrowser(endpoints);
        InteractiveSignIn SignIn() => new(EmulatorDefaults.ClientId) { TenantId = EmulatorDefaults.TenantId, Endpoints = endpoints, WebUi = browser };

        var connection = await ExConnector.ConnectAsync(SignIn(), CancellationToken.None);

        Assert.Equal(ExAuthMethod.Interactive, connection.AuthMethod);
        Assert.Equal(emulator.Control.DefaultSignInUser, connection.Account);
        var visited = Assert.Single(browser.Visited);
        Assert.Contains("code_challenge_method=S256", visited.Query); // PKCE
        var mailbox = await new MailboxService(connection.Client).GetMailboxAsync(connection.Account!, MailboxKind.Primary, CancellationToken.None);
        Assert.NotNull(mailbox);

        var again = await ExConnector.ConnectAsync(SignIn(), CancellationToken.None);
        Assert.Equal(connection.Account, again.Account);
        Assert.Single(browser.Visited); // from the shared cache, no page shown
    }

    /// <summary>A browser that opens the sign-in page and follows nothing: the page's redirect is the answer.</summary>
    private sealed class ScriptedBrowser : ICustomWebUi
    {
        private readonly HttpClient _http;

        public ScriptedBrowser(ServiceEndpoints endpoints)
        {
            // The emulator's handler (its certificate pinned), not following the redirect to MSAL's listener.
            var handler = (HttpClientHandler)endpoints.CreateHandler();
            handler.AllowAutoRedirect = false;
            _http = new HttpClient(handler);
        }

        public List<Uri> Visited { get; } = new();

        public async Task<Uri> AcquireAuthorizationCodeAsync(Uri authorizationUri, Uri redirectUri, CancellationToken cancellationToken)
        {
            Visited.Add(authorizationUri);
            using var response = await _http.GetAsync(authorizationUri, cancellationToken);
            Assert.Equal(System.Net.HttpStatusCode.Found, response.StatusCode);
            var location = response.Headers.Location!;
            Assert.StartsWith(redirectUri.GetLeftPart(UriPartial.Path).TrimEnd('/'), location.GetLeftPart(UriPartial.Path).TrimEnd('/'));
            return location;
        }
    }
}
