using System.Management.Automation;

namespace MailboxImportExport.Commands;

/// <summary>Ends this session's connection and removes its tokens from the shared cache.</summary>
[Cmdlet(VerbsCommunications.Disconnect, "ExMailboxService")]
[OutputType(typeof(void))]
public sealed class DisconnectExMailboxServiceCommand : ExCmdlet
{
    protected override void EndProcessing()
    {
        if (ConnectionRegistry.Current is not { } connection)
        {
            Verbose("Not connected; nothing to disconnect.");
            return;
        }
        try
        {
            Await(connection.SignOutAsync);
        }
        catch (Exception e) when (IsServiceFailure(e))
        {
            // The session still ends: a cache that cannot be edited must not keep the user connected.
            WriteError(ErrorFor(e, "TokenCacheNotCleared", connection));
        }
        ConnectionRegistry.Disconnect();
        Verbose($"Disconnected {connection}{(connection.Account is null ? "" : " (" + connection.Account + ")")}; " +
                (connection.TokenCacheScope is { } scope ? $"its tokens were removed from the {scope} token cache." : "it cached no tokens."));
    }
}
