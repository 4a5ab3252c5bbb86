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

    /// <summary>Folders by path from the top of the information store, such as /Inbox/Projects; wildcards in each name.</summary>
    [Parameter(ParameterSetName = MailboxSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Path { get; set; }

    /// <summary>Folders by path, every character of each name taken literally (no wildcards).</summary>
    [Parameter(ParameterSetName = MailboxSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[]? LiteralPath { get; set; }

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

    /// <summary>Only folders of exactly this display name (ignoring case); no character is a wildcard.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? LiteralName { get; set; }

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        _folders = new FolderService(RequireConnection().Client);
        if (Name is not null && LiteralName is not null)
            ThrowInvalidCombination("NameAndLiteralName", "Give either -Name (wildcards) or -LiteralName (exact), not both.");
        if (Name is not null) _name = new WildcardPattern(Name, WildcardOptions.IgnoreCase);
        else if (LiteralName is not null) _name = new WildcardPattern(WildcardPattern.Escape(LiteralName), WildcardOptions.IgnoreCase);
        // The parameter set is not known here when the mailbox comes from the pipeline: a piped folder is refused per record.
        if (Delta && (FolderId is not null || WellKnownName is not null || Path is not null || LiteralPath is not null || Recurse || Type is not null || _name is not null))
            ThrowDeltaNeedsMailbox();
        if (new object?[] { FolderId, WellKnownName, Path, LiteralPath }.Count(x => x is not null) > 1)
            ThrowInvalidCombination("FolderChoices", "Name the folders one way: -FolderId, -WellKnownName, -Path or -LiteralPath.");
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
            else if (Path is not null || LiteralPath is not null)
                foreach (var path in Path ?? LiteralPath!) WriteFoldersAtPath(mailboxId, path, literal: LiteralPath is not null);
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

    private void WriteFoldersAtPath(string mailboxId, string path, bool literal)
    {
        var names = FolderPath.Split(path);
        var wildcards = !literal && names.Any(WildcardPattern.ContainsWildcardCharacters);
        var matchers = names.Select(name => literal || !WildcardPattern.ContainsWildcardCharacters(name)
                ? (Func<string, bool>)(candidate => string.Equals(candidate, literal ? name : WildcardPattern.Unescape(name), StringComparison.OrdinalIgnoreCase))
                : new WildcardPattern(name, WildcardOptions.IgnoreCase).IsMatch)
            .ToList();
        var found = Await(ct => _folders.FindAsync(mailboxId, matchers, ct));
        // As with a file path: a path without wildcards that names nothing is an error; a pattern that matches nothing is not.
        if (found.Count == 0 && !wildcards)
            WriteError(new ErrorRecord(new ItemNotFoundException($"No folder '{path}' in mailbox {mailboxId}. Paths start at the top of the information store, such as /Inbox/Projects; a '/' inside a name is written '\\/'."),
                "FolderNotFound", ErrorCategory.ObjectNotFound, path));
        foreach (var folder in found)
        {
            WriteIfSelected(folder);
            if (Recurse) WriteFolders(ct => _folders.ListAsync(mailboxId, folder, recurse: true, ct));
        }
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
