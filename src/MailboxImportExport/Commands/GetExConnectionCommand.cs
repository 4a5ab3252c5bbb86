using System.Management.Automation;
using MailboxImportExport.Engine.Models;

namespace MailboxImportExport.Commands;

/// <summary>Shows this session's connection (never its token); writes nothing when not connected.</summary>
[Cmdlet(VerbsCommon.Get, "ExConnection")]
[OutputType(typeof(ExConnection))]
public sealed class GetExConnectionCommand : ExCmdlet
{
    protected override void EndProcessing()
    {
        if (ConnectionRegistry.Current is { } connection) WriteObject(connection);
    }
}
