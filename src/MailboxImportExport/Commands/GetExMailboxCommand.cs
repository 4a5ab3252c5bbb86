using System.Management.Automation;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Models;
using MailboxImportExport.Engine.Services;

namespace MailboxImportExport.Commands;

/// <summary>Gets users' mailboxes (primary, and archive on the beta API).</summary>
[Cmdlet(VerbsCommon.Get, "ExMailbox")]
[OutputType(typeof(ExMailbox))]
public sealed class GetExMailboxCommand : ExCmdlet
{
    private MailboxService _mailboxes = null!;

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("UserPrincipalName", "Identity")]
    [ValidateNotNullOrEmpty]
    public string[] UserId { get; set; } = null!;

    protected override void BeginProcessing() => _mailboxes = new MailboxService(RequireConnection().Client);

    protected override void ProcessRecord()
    {
        foreach (var user in UserId)
        {
            try
            {
                foreach (var mailbox in Await(ct => _mailboxes.GetMailboxesAsync(user, ct)))
                    WriteObject(mailbox);
            }
            catch (GraphException e) when (e.IsNotFound)
            {
                WriteError(ErrorFor(e, "UserNotFound", user,
                    $"Check that '{user}' is the user principal name or object id of a user with a mailbox in this tenant."));
            }
            catch (Exception e) when (IsServiceFailure(e) || e is ArgumentException)
            {
                WriteError(ErrorFor(e, "GetMailboxFailed", user));
            }
        }
    }
}
