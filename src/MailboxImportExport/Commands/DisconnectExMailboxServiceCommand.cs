using System.Management.Automation;

namespace MailboxImportExport.Commands;

/// <summary>Forgets this session's connection.</summary>
[Cmdlet(VerbsCommunications.Disconnect, "ExMailboxService")]
[OutputType(typeof(void))]
public sealed class DisconnectExMailboxServiceCommand : ExCmdlet
{
    protected override void EndProcessing()
    {
        if (ConnectionRegistry.Current is null)
        {
            Verbose("Not connected; nothing to disconnect.");
            return;
        }
        ConnectionRegistry.Set(null);
        Verbose("Disconnected.");
    }
}
