using System.Management.Automation;
using System.Net;
using System.Net.Sockets;

namespace MailboxImportExport.Module.Tests;

/// <summary>The module's own error texts read like an admin's tool: they name the input, the address and the fix, never .NET's wording.</summary>
public class ErrorTextTests : IClassFixture<EmulatorFixture>
{
    private readonly EmulatorFixture _emulator;

    public ErrorTextTests(EmulatorFixture emulator) => _emulator = emulator;

    /// <summary>A loopback port nothing listens on (taken from the system, then released).</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public void Connecting_to_an_address_where_nothing_listens_names_the_address_and_the_fix()
    {
        using var session = new PowerShellSession();
        var address = $"https://127.0.0.1:{ClosedPort()}/";

        var connect = session.Run("Connect-ExMailboxService -Emulator $args[0]", address);

        var error = Assert.Single(connect.Errors);
        Assert.StartsWith("ConnectFailed,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.AuthenticationError, error.CategoryInfo.Category);
        var text = error.ToString();
        Assert.Contains($"The service at {address} is not reachable (nothing is listening there)", text);
        Assert.Contains("start it", text);
        Assert.Contains("Connect-ExMailboxService -Emulator", text);
        Assert.DoesNotContain("HttpRequestException", error.FullyQualifiedErrorId);
    }

    [Fact]
    public void Empty_ids_are_per_input_errors_in_the_module_s_words()
    {
        using var session = _emulator.Connect();

        var result = session.Run("""
            Export-ExMailboxItem -MailboxId alice@contoso.test -ItemId ' '
            Get-ExMailboxItem -MailboxId ' ' -FolderId inbox -First 1
            """);

        Assert.Equal(new[] { "ItemIdEmpty", "MailboxNotFound" }, result.Errors.Select(e => e.FullyQualifiedErrorId.Split(',')[0]));
        Assert.All(result.Errors, e => Assert.DoesNotContain("(Parameter '", e.ToString()));
        Assert.Contains("Get-ExMailboxItem", result.Errors[0].ToString());
        Assert.Contains("Get-ExMailbox returns", result.Errors[1].ToString());
    }

    [Fact]
    public void An_argument_failure_from_the_engine_loses_dotnet_s_parameter_tail()
    {
        using var session = new PowerShellSession();

        // ErrorFor is where every cmdlet turns a caught failure into its ErrorRecord.
        var result = session.Run("""
            $errorFor = [MailboxImportExport.ExCmdlet].GetMethod('ErrorFor', [Reflection.BindingFlags]'NonPublic,Static')
            $errorFor.Invoke($null, @([ArgumentException]::new('The journal path is empty.', 'journalPath'), 'Probe', $null, $null)).ToString()
            """);

        Assert.Empty(result.Errors);
        Assert.Equal("The journal path is empty.", Assert.Single(result.Output).ToString());
    }
}
