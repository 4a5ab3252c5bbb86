using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailboxImportExport.Emulator;
using MailboxImportExport.Engine.Auth;

namespace MailboxImportExport.Module.Tests;

/// <summary>Sign-in methods, the shared token cache and silent renewal, through the real engine against the emulator.</summary>
public class SignInTests : IClassFixture<EmulatorFixture>
{
    private const string TokenPath = "/oauth2/v2.0/token";
    private readonly EmulatorFixture _emulator;

    public SignInTests(EmulatorFixture emulator) => _emulator = emulator;

    private int TokenRequests(EmulatorServer? server = null) =>
        (server ?? _emulator.Server).Control.Requests.Count(r => r.Method == "POST" && r.Path.EndsWith(TokenPath, StringComparison.Ordinal));

    [Fact]
    public void A_client_secret_signs_in_as_a_SecureString_or_a_PSCredential_and_shows_what_was_granted()
    {
        using var session = new PowerShellSession();
        var result = session.Run("""
            $secret = [System.Net.NetworkCredential]::new('', $args[1]).SecurePassword
            Connect-ExMailboxService -Emulator $args[0] -ClientId $args[2] -ClientSecret $secret -PassThru
            $credential = [System.Management.Automation.PSCredential]::new($args[2], $secret)
            Connect-ExMailboxService -Emulator $args[0] -TenantId contoso.test -ClientSecretCredential $credential -PassThru
            """, _emulator.BaseUri, EmulatorDemoApp.ClientSecret, EmulatorDefaults.ClientId);

        Assert.Empty(result.Errors);
        Assert.Equal(2, result.Output.Count);
        foreach (var connection in result.Output)
        {
            Assert.Equal("ClientSecret", connection.Properties["AuthMethod"].Value.ToString());
            Assert.Equal(EmulatorDefaults.ClientId, connection.Properties["ClientId"].Value);
            Assert.Equal("Emulator", connection.Properties["Environment"].Value);
            Assert.Equal("Process", connection.Properties["TokenCacheScope"].Value.ToString());
            Assert.Contains("MailboxItem.ImportExport.All", (IEnumerable<string>)connection.Properties["Scopes"].Value);
        }
        Assert.Equal(EmulatorDefaults.TenantId, result.Output[0].Properties["TenantId"].Value);
        Assert.Equal("contoso.test", result.Output[1].Properties["TenantId"].Value);
        Assert.DoesNotContain(EmulatorDemoApp.ClientSecret, result.AllText);
    }

    [Fact]
    public async Task An_emulator_started_again_on_the_same_port_is_signed_in_to_afresh()
    {
        // Pester suites start and stop emulators in one process, often on a fixed port: the second is another service
        // (certificate, tenant, signing key), so neither the first one's pinned certificate nor its tokens may be reused.
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
        }
        const string connect = """
            Connect-ExMailboxService -Emulator $args[0] -ErrorAction Stop
            (Get-ExMailbox alice@contoso.test -ErrorAction Stop).UserId
            """;
        for (var start = 1; start <= 2; start++)
        {
            await using var emulator = await EmulatorServer.StartAsync(new EmulatorOptions { Seed = "demo", Port = port });
            Assert.Equal(port, emulator.BaseUri.Port);
            using var session = new PowerShellSession();
            var result = session.Run(connect, emulator.BaseUri);
            Assert.True(result.Errors.Count == 0, $"start {start}: {string.Join("\n", result.Errors)}");
            Assert.Equal("alice@contoso.test", (string)Assert.Single(result.Output).BaseObject, ignoreCase: true);
            Assert.Equal(1, TokenRequests(emulator));
        }
    }

    [Fact]
    public void A_second_runspace_reuses_the_cached_token_and_Disconnect_removes_it()
    {
        const string connect = """
            $secret = [System.Net.NetworkCredential]::new('', $args[1]).SecurePassword
            Connect-ExMailboxService -Emulator $args[0] -ClientSecret $secret -ErrorAction Stop
            Get-ExMailbox alice@contoso.test
            """;
        using (var start = new PowerShellSession())
        {
            // Whatever earlier tests of this class cached, start from an empty cache for this app.
            Assert.Empty(start.Run(connect + "\nDisconnect-ExMailboxService", _emulator.BaseUri, EmulatorDemoApp.ClientSecret).Errors);
        }
        _emulator.Server.Control.ClearRequests();

        using var first = new PowerShellSession();
        using var second = new PowerShellSession();
        Assert.Single(first.Run(connect, _emulator.BaseUri, EmulatorDemoApp.ClientSecret).Output);
        Assert.Equal(1, TokenRequests());
        Assert.Single(second.Run(connect, _emulator.BaseUri, EmulatorDemoApp.ClientSecret).Output);
        Assert.Equal(1, TokenRequests());

        var disconnect = second.Run("Disconnect-ExMailboxService -Verbose");
        Assert.Empty(disconnect.Errors);
        Assert.Contains(disconnect.Verbose, v => v.Contains("removed from the Process token cache"));
        using var third = new PowerShellSession();
        Assert.Single(third.Run(connect, _emulator.BaseUri, EmulatorDemoApp.ClientSecret).Output);
        Assert.Equal(2, TokenRequests());
    }

    [Fact]
    public void A_wrong_secret_is_refused_even_while_the_right_ones_token_is_cached()
    {
        using var session = new PowerShellSession();
        var result = session.Run("""
            $right = [System.Net.NetworkCredential]::new('', $args[1]).SecurePassword
            Connect-ExMailboxService -Emulator $args[0] -ClientSecret $right -ErrorAction Stop
            $wrong = [System.Net.NetworkCredential]::new('', 'not-the-secret').SecurePassword
            Connect-ExMailboxService -Emulator $args[0] -ClientSecret $wrong
            """, _emulator.BaseUri, EmulatorDemoApp.ClientSecret);

        var error = Assert.Single(result.Errors);
        Assert.Equal(System.Management.Automation.ErrorCategory.AuthenticationError, error.CategoryInfo.Category);
        Assert.Contains("invalid_client", error.Exception.Message);
    }

    [Fact]
    public void A_certificate_in_a_PFX_file_signs_in_and_one_the_app_does_not_hold_is_refused()
    {
        const string password = "planted-pfx-password-31b9";
        var clientId = Guid.NewGuid().ToString();
        using var temporary = new TemporaryDirectory("mie-certificate-");
        var directory = temporary.Path;
        using var registered = SelfSignedCertificate("CN=MailboxImportExport nightly export");
        using var unregistered = SelfSignedCertificate("CN=Some other app");
        _emulator.Server.Control.RegisterApplication(clientId, certificate: registered);
        var registeredPath = Path.Combine(directory, "nightly-export.pfx");
        var unregisteredPath = Path.Combine(directory, "other.pfx");
        File.WriteAllBytes(registeredPath, registered.Export(X509ContentType.Pfx, password));
        File.WriteAllBytes(unregisteredPath, unregistered.Export(X509ContentType.Pfx, password));

        using var session = new PowerShellSession();
        var result = session.Run("""
            $password = [System.Net.NetworkCredential]::new('', $args[4]).SecurePassword
            Connect-ExMailboxService -Emulator $args[0] -ClientId $args[1] -CertificatePath $args[2] -CertificatePassword $password -PassThru -Verbose
            Get-ExMailbox alice@contoso.test
            Connect-ExMailboxService -Emulator $args[0] -ClientId $args[1] -CertificatePath $args[3] -CertificatePassword $password
            """, _emulator.BaseUri, clientId, registeredPath, unregisteredPath, password);

        Assert.Equal(2, result.Output.Count);
        Assert.Equal("Certificate", result.Output[0].Properties["AuthMethod"].Value.ToString());
        Assert.Equal(clientId, result.Output[0].Properties["ClientId"].Value);
        Assert.Contains(result.Verbose, v => v.Contains(registered.Thumbprint, StringComparison.Ordinal));
        Assert.Equal("alice@contoso.test", result.Output[1].Properties["UserId"].Value);
        var error = Assert.Single(result.Errors);
        Assert.Equal(System.Management.Automation.ErrorCategory.AuthenticationError, error.CategoryInfo.Category);
        Assert.Contains("invalid_client", error.Exception.Message);
        // Neither the signed assertion nor the PFX password shows anywhere.
        Assert.DoesNotContain(password, result.AllText);
        Assert.DoesNotMatch(@"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.", result.AllText);
    }

    [Fact]
    public void System_and_user_assigned_managed_identities_sign_in_through_the_identity_endpoint_of_their_host()
    {
        using var temporary = new TemporaryDirectory("mie-managed-identity-");
        var directory = temporary.Path;
        var script = Path.Combine(directory, "scheduled.ps1");
        var userAssigned = Guid.NewGuid().ToString();
        _emulator.Server.Control.RegisterUserAssignedIdentity(userAssigned);
        File.WriteAllText(script, $$"""
            param([uri] $Emulator)
            Connect-ExMailboxService -Emulator $Emulator -Identity -ErrorAction Stop
            Get-ExConnection | ForEach-Object { "METHOD $($_.AuthMethod) CLIENT $($_.ClientId)" }
            Get-ExMailbox alice@contoso.test | ForEach-Object { "MAILBOX $($_.UserId)" }
            Connect-ExMailboxService -Emulator $Emulator -Identity -ClientId {{userAssigned}} -ErrorAction Stop
            Get-ExConnection | ForEach-Object { "METHOD $($_.AuthMethod) CLIENT $($_.ClientId)" }
            Get-ExMailbox bob@contoso.test | ForEach-Object { "MAILBOX $($_.UserId)" }
            """);
        // What App Service and Azure Functions set for the process: MSAL finds the identity endpoint through them.
        var environment = new Dictionary<string, string>
        {
            ["IDENTITY_ENDPOINT"] = new Uri(_emulator.BaseUri, "msi/token").ToString(),
            ["IDENTITY_HEADER"] = _emulator.Server.Control.ManagedIdentityHeader,
        };

        var run = ScriptProcess.Run(_emulator.BaseUri, script, environment);

        Assert.True(run.ExitCode == 0, run.AllText);
        Assert.Contains($"METHOD ManagedIdentity CLIENT {EmulatorControl.SystemAssignedIdentityClientId}", run.Output);
        Assert.Contains("MAILBOX alice@contoso.test", run.Output);
        Assert.Contains($"METHOD ManagedIdentity CLIENT {userAssigned}", run.Output);
        Assert.Contains("MAILBOX bob@contoso.test", run.Output);
        Assert.DoesNotContain(_emulator.Server.Control.ManagedIdentityHeader, run.AllText);
    }

    private static X509Certificate2 SelfSignedCertificate(string subject)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }

    [Fact]
    public async Task Tokens_that_live_a_few_seconds_are_renewed_silently_during_a_longer_run()
    {
        await using var shortLived = await EmulatorServer.StartAsync(new EmulatorOptions { Seed = "demo", AccessTokenLifetime = TimeSpan.FromSeconds(4) });
        using var session = new PowerShellSession();
        var result = session.Run("""
            $secret = [System.Net.NetworkCredential]::new('', $args[1]).SecurePassword
            Connect-ExMailboxService -Emulator $args[0] -ClientSecret $secret -ErrorAction Stop
            """ + "\n" + LongRun.ListingInboxFor(seconds: 8), shortLived.BaseUri, EmulatorDemoApp.ClientSecret);

        Assert.Empty(result.Errors);
        Assert.True(result.Output.Count >= 2 * 8, $"{result.Output.Count} items listed");
        LongRun.AssertNoCallWasRefused(shortLived.Control.Requests);
        Assert.True(TokenRequests(shortLived) >= 3, $"{TokenRequests(shortLived)} token requests");
    }

    [Fact]
    public void A_persisted_cache_lets_a_second_process_sign_in_without_asking()
    {
        using var temporary = new TemporaryDirectory("mie-token-cache-");
        var directory = temporary.Path;
        var script = Path.Combine(directory, "connect.ps1");
        File.WriteAllText(script, $$"""
            param([uri] $Emulator)
            $secret = [System.Net.NetworkCredential]::new('', '{{EmulatorDemoApp.ClientSecret}}').SecurePassword
            Connect-ExMailboxService -Emulator $Emulator -ClientSecret $secret -TokenCacheScope CurrentUser -AllowUnencryptedTokenCache -ErrorAction Stop
            Get-ExConnection | ForEach-Object { "SCOPE $($_.TokenCacheScope)" }
            Get-ExMailbox alice@contoso.test | ForEach-Object { "MAILBOX $($_.UserId)" }
            """);
        var cacheFolder = Path.Combine(directory, "cache"); // created by the module
        var environment = new Dictionary<string, string> { ["MAILBOXIMPORTEXPORT_TOKEN_CACHE_DIRECTORY"] = cacheFolder };
        _emulator.Server.Control.ClearRequests();

        var first = ScriptProcess.Run(_emulator.BaseUri, script, environment);
        var second = ScriptProcess.Run(_emulator.BaseUri, script, environment);

        foreach (var run in new[] { first, second })
        {
            Assert.True(run.ExitCode == 0, run.AllText);
            Assert.Contains("SCOPE CurrentUser", run.Output);
            Assert.Contains("MAILBOX alice@contoso.test", run.Output);
        }
        Assert.Equal(1, TokenRequests());
        var plainFile = Directory.GetFiles(cacheFolder, "*.unprotected.cache").SingleOrDefault();
        if (plainFile is not null) // no keyring here: the opted-in plain file holds the cache
        {
            Assert.Contains("not encrypted", first.Output);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(plainFile));
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(cacheFolder));
            }
            // The cache holds the access token; nothing the processes printed does.
            var cached = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(plainFile))!["AccessToken"]!.AsObject();
            var token = (string)cached.Single().Value!["secret"]!;
            Assert.StartsWith("eyJ", token);
            Assert.DoesNotContain(token, first.AllText + second.AllText);
        }
        else
        {
            Assert.DoesNotContain("not encrypted", first.AllText);
        }
        Assert.DoesNotContain(EmulatorDemoApp.ClientSecret, first.AllText + second.AllText);
    }

    [Fact]
    public void Without_a_keyring_the_persisted_cache_is_refused_unless_the_unencrypted_file_is_allowed()
    {
        using var temporary = new TemporaryDirectory("mie-token-cache-");
        var directory = temporary.Path;
        var script = Path.Combine(directory, "connect.ps1");
        File.WriteAllText(script, $$"""
            param([uri] $Emulator)
            $secret = [System.Net.NetworkCredential]::new('', '{{EmulatorDemoApp.ClientSecret}}').SecurePassword
            Connect-ExMailboxService -Emulator $Emulator -ClientSecret $secret -TokenCacheScope CurrentUser -ErrorAction Stop
            "CONNECTED"
            """);

        var run = ScriptProcess.Run(_emulator.BaseUri, script, new Dictionary<string, string> { ["MAILBOXIMPORTEXPORT_TOKEN_CACHE_DIRECTORY"] = directory });

        if (run.Output.Contains("CONNECTED"))
        {
            // This machine has a working keyring (or DPAPI/Keychain): the protected cache was used, no plain file.
            Assert.False(File.Exists(Path.Combine(directory, "msal.unprotected.cache")));
        }
        else
        {
            Assert.Contains("cannot be protected", run.AllText);
            Assert.Contains("-TokenCacheScope Process", run.AllText);
            Assert.Contains("-AllowUnencryptedTokenCache", run.AllText);
            Assert.Empty(Directory.GetFiles(directory, "*.cache"));
        }
    }

    [Theory]
    [InlineData("-Emulator $args[0] -Environment China -ClientSecret $s", "-Emulator names the service already")]
    [InlineData("-ClientSecret $s -ClientId x -TenantId contoso.onmicrosoft.com -Environment China -GraphEndpoint https://graph.example/", "either -Environment")]
    [InlineData("-ClientSecret $s -ClientId x -TenantId contoso.onmicrosoft.com -GraphEndpoint https://graph.example/", "-AuthorityHost")]
    [InlineData("-Emulator $args[0] -ClientSecret $s -AllowUnencryptedTokenCache", "-TokenCacheScope CurrentUser")]
    [InlineData("-ClientSecret $s -ClientId x", "-TenantId")]
    [InlineData("-ClientSecret $s -TenantId contoso.onmicrosoft.com", "-ClientId")]
    [InlineData("-TenantId contoso.onmicrosoft.com", "-ClientId")]
    public void Incomplete_or_conflicting_sign_in_options_are_refused_by_name_before_any_request(string parameters, string named)
    {
        using var session = new PowerShellSession();
        _emulator.Server.Control.ClearRequests();

        var result = session.Run($"$s = [System.Net.NetworkCredential]::new('', 'x').SecurePassword\nConnect-ExMailboxService {parameters}", _emulator.BaseUri);

        var error = Assert.Single(result.Errors);
        Assert.Equal(System.Management.Automation.ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Contains(named, error.Exception.Message);
        Assert.Empty(_emulator.Server.Control.Requests);
    }

    [Fact]
    public void No_secret_or_token_reaches_any_stream_error_or_file_of_a_whole_job()
    {
        const string wrongSecret = "planted-wrong-secret-5f1c";
        using var temporary = new TemporaryDirectory("mie-secret-scan-");
        var directory = temporary.Path;
        using var session = new PowerShellSession();
        var result = session.Run("""
            $DebugPreference = 'Continue'
            $VerbosePreference = 'Continue'
            $wrong = [System.Net.NetworkCredential]::new('', $args[3]).SecurePassword
            Connect-ExMailboxService -Emulator $args[0] -ClientSecret $wrong
            $secret = [System.Net.NetworkCredential]::new('', $args[1]).SecurePassword
            Connect-ExMailboxService -Emulator $args[0] -ClientSecret $secret -PassThru
            Get-ExConnection | Out-Default
            $alice = Get-ExMailbox alice@contoso.test
            Get-ExMailboxFolder -MailboxId $alice.MailboxId -Delta -DeltaStatePath ($args[2] + '/delta.json') | Out-Null
            $items = $alice | Get-ExMailboxFolder -WellKnownName inbox | Get-ExMailboxItem -First 3
            $items | Export-ExMailboxItem -Path ($args[2] + '/export')
            $bob = Get-ExMailbox bob@contoso.test
            $session = $bob | New-ExImportSession
            $session | Out-Default
            Import-ExMailboxItem -Path ($args[2] + '/export') -Session $session -TargetWellKnownName inbox | Out-Default
            Disconnect-ExMailboxService
            """,
            _emulator.BaseUri, EmulatorDemoApp.ClientSecret, directory, wrongSecret);

        Assert.Single(result.Errors); // the wrong secret, reported without itself
        Assert.True(result.Debug.Count > 0 && result.Verbose.Count > 0);
        var files = Directory.GetFiles(directory, "*", SearchOption.AllDirectories);
        Assert.Contains(files, f => f.EndsWith(".fts", StringComparison.Ordinal));
        var fileText = files.ToDictionary(f => f, f => System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(f)));
        foreach (var text in fileText.Values.Append(result.AllText))
        {
            Assert.DoesNotContain(EmulatorDemoApp.ClientSecret, text);
            Assert.DoesNotContain(wrongSecret, text);
            Assert.DoesNotContain("Bearer ", text);
        }
        // Access tokens are JWTs; so are the emulator's delta tokens, which the delta state file rightly keeps.
        foreach (var text in fileText.Where(f => !f.Key.EndsWith("delta.json", StringComparison.Ordinal)).Select(f => f.Value).Append(result.AllText))
            Assert.DoesNotMatch(@"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.", text);
    }
}
