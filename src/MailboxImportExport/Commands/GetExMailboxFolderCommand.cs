using System.Management.Automation;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Models;
using MailboxImportExport.Engine.Services;

namespace MailboxImportExport.Commands;

/// <summary>Lists or gets mailbox folders, with their paths; or, with -Delta, what changed in the folder tree.</summary>
// The parent set is the default so that a piped folder lists its children; PowerShell tries the default set
// first, and would otherwise bind the folder's MailboxId property and list the mailbox's top level.
[Cmdlet(VerbsCommon.Get, "ExMailboxFolder", DefaultParameterSetName = ParentSet)]
[OutputType(typeof(ExMailboxFolder))]
public sealed class GetExMailboxFolderCommand : ExDeltaCmdlet
{
    private const string MailboxSet = "Mailbox";
    private const string ParentSet = "Parent";

    private FolderService _folders = null!;
    private WildcardPattern? _name;

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = MailboxSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string MailboxId { get; set; } = null!;

    /// <summary>List the children of this folder (folders piped from another Get-ExMailboxFolder).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParentSet, ValueFromPipeline = true)]
    [ValidateNotNull]
    public ExMailboxFolder ParentFolder { get; set; } = null!;

    [Parameter(ParameterSetName = MailboxSet)]
    [ValidateNotNullOrEmpty]
    public string[]? FolderId { get; set; }

    [Parameter(ParameterSetName = MailboxSet)]
    [ValidateSet("msgfolderroot", "inbox", "drafts", "sentitems", "deleteditems", "junkemail", "outbox", "archive",
        "calendar", "contacts", "tasks", "recoverableitemsdeletions", IgnoreCase = true)]
    public string? WellKnownName { get; set; }

    [Parameter]
    public SwitchParameter Recurse { get; set; }

    /// <summary>Only folders of this class, e.g. IPF.Appointment.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Type { get; set; }

    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        _folders = new FolderService(RequireConnection().Client);
        if (Name is not null) _name = new WildcardPattern(Name, WildcardOptions.IgnoreCase);
        // The parameter set is not known here when the mailbox comes from the pipeline: a piped folder is refused per record.
        if (Delta && (FolderId is not null || WellKnownName is not null || Recurse || Type is not null || Name is not null))
            ThrowDeltaNeedsMailbox();
        if (FolderId is not null && WellKnownName is not null)
            ThrowInvalidCombination("FolderIdAndWellKnownName", "Give either -FolderId or -WellKnownName, not both.");
    }

    private void ThrowDeltaNeedsMailbox() =>
        ThrowInvalidCombination("DeltaNeedsMailbox", "-Delta tracks a mailbox's whole folder tree; use it with -MailboxId only, without -FolderId, -WellKnownName, -ParentFolder, -Recurse, -Type or -Name.");

    protected override void ProcessRecord()
    {
        if (Delta && ParameterSetName == ParentSet) ThrowDeltaNeedsMailbox();
        var mailboxId = ParameterSetName == ParentSet ? ParentFolder.MailboxId : MailboxId;
        try
        {
            mailboxId = ResolveMailboxId(mailboxId);
            if (Delta)
                WriteDelta(DeltaStateFile.FolderTreeKey(mailboxId), mailboxId,
                    (token, cursor, ct) => _folders.DeltaAsync(mailboxId, token, cursor, null, ct));
            else if (ParameterSetName == ParentSet)
                WriteFolders(ct => _folders.ListAsync(mailboxId, ParentFolder, Recurse, ct));
            else if (FolderId is not null || WellKnownName is not null)
                foreach (var id in FolderId ?? new[] { WellKnownName! })
                    WriteFolderAndDescendants(mailboxId, id);
            else
                WriteFolders(ct => _folders.ListAsync(mailboxId, null, Recurse, ct));
        }
        catch (GraphException e) when (e.IsNotFound)
        {
            // A parent that vanished while it was being listed (say, deleted further down the pipeline) is not a missing mailbox.
            WriteError(ParameterSetName == ParentSet
                ? ErrorFor(e, "FolderNotFound", ParentFolder, $"The folder '{ParentFolder}' no longer exists. To delete folders you list, collect the listing first: @(Get-ExMailboxFolder ...) | Remove-ExMailboxFolder.")
                : ErrorFor(e, "MailboxNotFound", mailboxId, "Check the mailbox id; Get-ExMailbox returns it."));
        }
        catch (Exception e) when (IsServiceFailure(e))
        {
            WriteError(ErrorFor(e, "GetFolderFailed", mailboxId));
        }
    }

    private void WriteFolderAndDescendants(string mailboxId, string folderId)
    {
        ExMailboxFolder folder;
        try
        {
            folder = Await(ct => _folders.GetAsync(mailboxId, folderId, ct));
        }
        catch (GraphException e) when (e.IsNotFound)
        {
            WriteError(ErrorFor(e, "FolderNotFound", folderId, $"No folder '{folderId}' in mailbox {mailboxId}. List the folders with Get-ExMailboxFolder -MailboxId '{mailboxId}' -Recurse."));
            return;
        }
        WriteIfSelected(folder);
        if (Recurse) WriteFolders(ct => _folders.ListAsync(mailboxId, folder, recurse: true, ct));
    }

    private void WriteFolders(Func<CancellationToken, IAsyncEnumerable<ExMailboxFolder>> folders)
    {
        foreach (var folder in Stream(folders)) WriteIfSelected(folder);
    }

    // Type and name are matched here because with -Recurse a parent must be walked even when it does not match.
    private void WriteIfSelected(ExMailboxFolder folder)
    {
        if (Type is not null && !string.Equals(folder.Type, Type, StringComparison.OrdinalIgnoreCase)) return;
        if (_name is not null && !_name.IsMatch(folder.DisplayName)) return;
        WriteObject(folder);
    }
}
