using System.Management.Automation;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Models;
using MailboxImportExport.Engine.Transfer;

namespace MailboxImportExport.Commands;

/// <summary>
/// Creates an import session on a mailbox. The session's import URL is a credential: it is kept inside the
/// object and never shown. Import-ExMailboxItem creates and renews sessions by itself; this is for scripts that
/// want to hold one explicitly.
/// </summary>
[Cmdlet(VerbsCommon.New, "ExImportSession", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(ExImportSession))]
public sealed class NewExImportSessionCommand : ExCmdlet
{
    private ImportService _imports = null!;

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string MailboxId { get; set; } = null!;

    protected override void BeginProcessing() => _imports = new ImportService(RequireConnection().Client);

    protected override void ProcessRecord()
    {
        if (!ShouldProcess(MailboxId, "Create import session")) return;
        try
        {
            var mailboxId = ResolveMailboxId(MailboxId);
            var session = Await(ct => _imports.CreateSessionAsync(mailboxId, ct));
            Verbose($"Import session for {MailboxId} created; it expires {session.ExpirationDateTime:u}.");
            WriteObject(session);
        }
        catch (Exception e) when (IsServiceFailure(e))
        {
            WriteError(ErrorFor(e, e is GraphException { IsNotFound: true } ? "MailboxNotFound" : "NewImportSessionFailed", MailboxId));
        }
    }
}
