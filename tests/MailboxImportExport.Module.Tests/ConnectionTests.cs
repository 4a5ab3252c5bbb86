using System.Diagnostics;
using System.Management.Automation;

namespace MailboxImportExport.Module.Tests;

public class ConnectionTests : IClassFixture<EmulatorFixture>
{
    private readonly EmulatorFixture _emulator;

    public ConnectionTests(EmulatorFixture emulator) => _emulator = emulator;

    [Fact]
    public void Connecting_to_the_emulator_needs_only_its_address_and_shows_the_connection_without_a_token()
    {
        using var session = new PowerShellSession();
        var result = session.Run("""
            $DebugPreference = 'Continue'
            Connect-ExMailboxService -Emulator $args[0] -PassThru -Verbose
            Get-ExConnection | Out-Default
            """, _emulator.BaseUri);

        Assert.Empty(result.Errors);
        var connection = Assert.Single(result.Output);
        Assert.Equal("Emulator", connection.Properties["AuthMethod"].Value.ToString());
        Assert.Equal(true, connection.Properties["IsEmulator"].Value);
        Assert.Equal("v1.0", connection.Properties["ApiVersion"].Value);
        Assert.NotNull(connection.Properties["TokenExpiresOn"].Value);
        Assert.Contains("AuthMethod", result.HostText);
        Assert.Contains(result.Verbose, v => v.StartsWith("Connected to"));
        Assert.DoesNotContain(result.Output[0].Properties,
            p => p.Name.Contains("Token", StringComparison.OrdinalIgnoreCase) && p.Name is not ("TokenExpiresOn" or "TokenCacheScope"));
        Assert.Equal("Process", connection.Properties["TokenCacheScope"].Value.ToString());
        AssertNoJwt(result.AllText);
    }

    [Fact]
    public void A_raw_access_token_works_and_is_never_shown()
    {
        var token = _emulator.Server.Control.IssueAccessToken();
        using var session = new PowerShellSession();
        var result = session.Run("""
            $DebugPreference = 'Continue'
            $secure = [System.Net.NetworkCredential]::new('', $args[1]).SecurePassword
            Connect-ExMailboxService -AccessToken $secure -Emulator $args[0] -Verbose
            Get-ExMailbox bob@contoso.test -Verbose
            Get-ExConnection | Out-Default
            """, _emulator.BaseUri, token);

        Assert.Empty(result.Errors);
        Assert.Contains(result.Output, o => o.Properties["UserId"]?.Value as string == "bob@contoso.test");
        Assert.DoesNotContain(token, result.AllText);
        Assert.DoesNotContain(token.Split('.')[2], result.AllText);
    }

    [Fact]
    public void A_wrong_client_secret_fails_the_connect_with_a_clear_error_that_hides_the_secret()
    {
        const string secret = "definitely-wrong-secret-1234";
        using var session = new PowerShellSession();
        var result = session.Run("""
            $DebugPreference = 'Continue'
            $secure = [System.Net.NetworkCredential]::new('', $args[1]).SecurePassword
            Connect-ExMailboxService -Emulator $args[0] -ClientSecret $secure -Verbose
            """, _emulator.BaseUri, secret);

        var error = Assert.Single(result.Errors);
        Assert.True(error.FullyQualifiedErrorId.StartsWith("ConnectFailed,"), error.Exception.ToString());
        Assert.Equal(ErrorCategory.AuthenticationError, error.CategoryInfo.Category);
        Assert.Contains("client", error.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(secret, result.AllText);
        Assert.Empty(session.Run("Get-ExConnection").Output);
    }

    [Theory]
    [InlineData("http://127.0.0.1:1/")]
    [InlineData("https://graph.microsoft.com/")]
    public void The_emulator_switch_refuses_anything_but_https_on_loopback(string address)
    {
        using var session = new PowerShellSession();
        var error = Assert.Single(session.Run("Connect-ExMailboxService -Emulator $args[0]", address).Errors);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Contains("loopback", error.ToString());
    }

    [Fact]
    public void Disconnect_forgets_the_connection_of_this_session_only()
    {
        using var first = _emulator.Connect();
        using var second = _emulator.Connect();

        first.Run("Disconnect-ExMailboxService");

        Assert.Empty(first.Run("Get-ExConnection").Output);
        Assert.Single(second.Run("Get-ExConnection").Output);
        Assert.StartsWith("NotConnected,", Assert.Single(first.Run("Get-ExMailbox alice@contoso.test").Errors).FullyQualifiedErrorId);
    }

    [Fact]
    public void Ctrl_C_stops_a_call_that_is_waiting_on_the_service()
    {
        using var session = _emulator.Connect();
        _emulator.Server.Control.FailNext(1, request => request.Path.Contains("/settings/exchange"), 429, retryAfterSeconds: 60);

        using var ps = PowerShell.Create(session.Runspace);
        ps.AddScript("Get-ExMailbox alice@contoso.test");
        var started = DateTimeOffset.UtcNow;
        var running = ps.BeginInvoke();
        // Once the 429 is answered, the call waits out its Retry-After of a minute.
        Assert.True(SpinWait.SpinUntil(() => running.IsCompleted || _emulator.Server.Control.Requests.Any(request =>
            request.StatusCode == 429 && request.Path.Contains("/settings/exchange") && request.Timestamp >= started), TimeSpan.FromMinutes(1)),
            "the emulator never answered 429");
        Assert.False(running.IsCompleted, "the call ended instead of waiting out Retry-After");
        var watch = Stopwatch.StartNew();
        ps.Stop();
        watch.Stop();

        Assert.True(running.IsCompleted);
        Assert.Equal(PSInvocationState.Stopped, ps.InvocationStateInfo.State);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"stopping took {watch.Elapsed}");
    }

    private static void AssertNoJwt(string text) =>
        Assert.DoesNotMatch(@"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.", text);
}
