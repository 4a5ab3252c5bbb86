using System.Management.Automation;
using System.Net;
using System.Security;
using MailboxImportExport.Engine.Auth;
using MailboxImportExport.Engine.Models;

namespace MailboxImportExport.Commands;

/// <summary>Connects this PowerShell session to Graph, or to the local emulator.</summary>
[Cmdlet(VerbsCommunications.Connect, "ExMailboxService", DefaultParameterSetName = EmulatorSet)]
[OutputType(typeof(ExConnection))]
public sealed class ConnectExMailboxServiceCommand : ExCmdlet
{
    private const string EmulatorSet = "Emulator";
    private const string AccessTokenSet = "AccessToken";

    /// <summary>The emulator's https loopback base URL. With -AccessToken, the emulator to send that token to.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = EmulatorSet)]
    [Parameter(ParameterSetName = AccessTokenSet)]
    [ValidateNotNull]
    public Uri Emulator { get; set; } = null!;

    [Parameter(Mandatory = true, ParameterSetName = AccessTokenSet)]
    [ValidateNotNull]
    public SecureString AccessToken { get; set; } = null!;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TenantId { get; set; }

    [Parameter(ParameterSetName = EmulatorSet)]
    [ValidateNotNullOrEmpty]
    public string? ClientId { get; set; }

    [Parameter(ParameterSetName = EmulatorSet)]
    [ValidateNotNull]
    public SecureString? ClientSecret { get; set; }

    [Parameter]
    [ValidateSet("v1.0", "beta")]
    public string ApiVersion { get; set; } = "v1.0";

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void EndProcessing()
    {
        ExConnection connection;
        try
        {
            connection = ParameterSetName == AccessTokenSet ? ConnectWithToken() : ConnectToEmulator();
        }
        catch (Exception e) when (IsServiceFailure(e) || e is ArgumentException)
        {
            ThrowTerminatingError(ErrorFor(e, "ConnectFailed", ParameterSetName == AccessTokenSet ? null : Emulator));
            return;
        }

        ConnectionRegistry.Set(connection);
        Verbose($"Connected to {connection.GraphEndpoint} ({connection.ApiVersion}) with {connection.AuthMethod} sign-in; the token expires {connection.TokenExpiresOn:u}.");
        if (PassThru) WriteObject(connection);
    }

    private ExConnection ConnectToEmulator()
    {
        var options = new EmulatorSignIn(Emulator) { ApiVersion = ApiVersion };
        if (TenantId is not null) options.TenantId = TenantId;
        if (ClientId is not null) options.ClientId = ClientId;
        if (ClientSecret is not null) options.ClientSecret = Plain(ClientSecret);
        return Await(ct => ExConnector.ConnectAsync(options, ct));
    }

    private ExConnection ConnectWithToken() =>
        ExConnector.Connect(new AccessTokenSignIn(Plain(AccessToken))
        {
            ApiVersion = ApiVersion,
            TenantId = TenantId,
            Emulator = MyInvocation.BoundParameters.ContainsKey(nameof(Emulator)) ? Emulator : null,
        });

    private static string Plain(SecureString secure) => new NetworkCredential(string.Empty, secure).Password;
}
