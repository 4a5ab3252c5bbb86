using System.Management.Automation;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Models;
using MailboxImportExport.Engine.Services;

namespace MailboxImportExport.Commands;

/// <summary>Gets users' primary mailboxes, or with -Archive their archive mailboxes; with -All, every one of the tenant.</summary>
[Cmdlet(VerbsCommon.Get, "ExMailbox", DefaultParameterSetName = UserSet, SupportsPaging = true)]
[OutputType(typeof(ExMailbox))]
public sealed class GetExMailboxCommand : ExCmdlet
{
    private const string UserSet = "User";
    private const string AllSet = "All";

    private MailboxService _mailboxes = null!;

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = UserSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("UserPrincipalName", "Identity")]
    [ValidateNotNullOrEmpty]
    public string[] UserId { get; set; } = null!;

    /// <summary>Every mailbox of the tenant (users are read a page at a time).</summary>
    [Parameter(Mandatory = true, ParameterSetName = AllSet)]
    public SwitchParameter All { get; set; }

    /// <summary>With -All: an OData filter on users, applied by the service, e.g. "startswith(userPrincipalName,'a')".</summary>
    [Parameter(ParameterSetName = AllSet)]
    [ValidateNotNullOrEmpty]
    public string? Filter { get; set; }

    /// <summary>With -All: users read per request (1–999).</summary>
    [Parameter(ParameterSetName = AllSet)]
    [ValidateRange(1, 999)]
    public int PageSize { get; set; } = 100;

    /// <summary>The in-place archive mailbox instead of the primary one (beta API only).</summary>
    [Parameter]
    public SwitchParameter Archive { get; set; }

    private MailboxKind Kind => Archive ? MailboxKind.Archive : MailboxKind.Primary;

    protected override void BeginProcessing()
    {
        var connection = RequireConnection();
        _mailboxes = new MailboxService(connection.Client);
        if (Archive && connection.ApiVersion != "beta")
            ThrowInvalidCombination("ArchiveNeedsBeta",
                "Archive mailboxes are only in the beta API. Connect with -ApiVersion beta, for example Connect-ExMailboxService ... -ApiVersion beta.");
        if (ParameterSetName == UserSet && (PagingParameters.First != ulong.MaxValue || PagingParameters.Skip > 0 || PagingParameters.IncludeTotalCount))
            ThrowInvalidCombination("PagingWithoutAll", "-First, -Skip and -IncludeTotalCount page through -All; for named users, name the ones you want.");
        if (PagingParameters.IncludeTotalCount)
            WriteObject(PagingParameters.NewTotalCount(0, 0.0));
    }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == AllSet)
        {
            WriteAll();
            return;
        }
        foreach (var user in UserId)
        {
            try
            {
                if (Await(ct => _mailboxes.GetMailboxAsync(user, Kind, ct)) is { } mailbox) WriteObject(mailbox);
                else WriteError(new ErrorRecord(new ItemNotFoundException($"'{user}' has no {(Archive ? "archive" : "primary")} mailbox."),
                    Archive ? "ArchiveNotFound" : "MailboxNotFound", ErrorCategory.ObjectNotFound, user));
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

    private void WriteAll()
    {
        ulong seen = 0, written = 0;
        try
        {
            foreach (var mailbox in Stream(ct => _mailboxes.ListAsync(Filter, Kind, PageSize, ct)))
            {
                if (seen++ < PagingParameters.Skip) continue;
                if (written++ >= PagingParameters.First) break;
                WriteObject(mailbox);
            }
        }
        catch (Exception e) when (IsServiceFailure(e))
        {
            WriteError(ErrorFor(e, "ListMailboxesFailed", Filter, Filter is null ? null : "Check the -Filter: it is an OData filter on users, such as \"startswith(userPrincipalName,'a')\"."));
        }
    }
}
