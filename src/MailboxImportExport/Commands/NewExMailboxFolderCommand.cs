using System.Management.Automation;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Models;
using MailboxImportExport.Engine.Services;

namespace MailboxImportExport.Commands;

/// <summary>Creates a folder, or with -Path the missing folders of a whole chain.</summary>
[Cmdlet(VerbsCommon.New, "ExMailboxFolder", DefaultParameterSetName = NameSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(ExMailboxFolder))]
public sealed class NewExMailboxFolderCommand : ExCmdlet
{
    private const string NameSet = "Name";
    private const string PathSet = "Path";

    private FolderService _folders = null!;

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = null!;

    /// <summary>A path such as /Imported/alice/Inbox; the folders that do not exist yet are created.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = null!;

    [Parameter(ParameterSetName = NameSet, ValueFromPipeline = true)]
    public ExMailboxFolder? ParentFolder { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? MailboxId { get; set; }

    /// <summary>The parent folder's id or well-known name; the root of the folder tree when omitted.</summary>
    [Parameter(ParameterSetName = NameSet)]
    [ValidateNotNullOrEmpty]
    public string? ParentFolderId { get; set; }

    /// <summary>The folder class: IPF.Note (mail, the default), IPF.Appointment, IPF.Contact, IPF.Task …</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Type { get; set; } = "IPF.Note";

    protected override void BeginProcessing() => _folders = new FolderService(RequireConnection().Client);

    protected override void ProcessRecord()
    {
        var mailboxId = ParentFolder?.MailboxId ?? MailboxId;
        if (mailboxId is null)
        {
            WriteError(new ErrorRecord(new ArgumentException("Say which mailbox: pipe a mailbox or folder, or pass -MailboxId."),
                "MailboxRequired", ErrorCategory.InvalidArgument, null));
            return;
        }
        try
        {
            mailboxId = ResolveMailboxId(mailboxId);
            if (ParameterSetName == PathSet) CreatePath(mailboxId);
            else CreateOne(mailboxId);
        }
        catch (GraphException e) when (e.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            WriteError(ErrorFor(e, "FolderExists", Name ?? Path, "A folder of that name already exists there. Use -Path to reuse existing folders, or choose another name."));
        }
        catch (Exception e) when (IsServiceFailure(e))
        {
            WriteError(ErrorFor(e, "NewFolderFailed", Name ?? Path));
        }
    }

    private void CreateOne(string mailboxId)
    {
        var parent = ParentFolder ?? (ParentFolderId is null ? null : Await(ct => _folders.GetAsync(mailboxId, ParentFolderId, ct)));
        var target = FolderPath.Child(parent?.Path ?? "", Name);
        if (!ShouldProcess($"{target} in mailbox {mailboxId}", $"Create {Type} folder")) return;
        WriteObject(Await(ct => _folders.CreateAsync(mailboxId, parent, Name, Type, ct)));
    }

    // Existing folders along the path are reused, so running the same command twice is not an error.
    private void CreatePath(string mailboxId)
    {
        var segments = FolderPath.Split(Path);
        if (segments.Count == 0)
        {
            WriteError(new ErrorRecord(new ArgumentException($"'{Path}' names no folder. Write a path such as /Imported/alice/Inbox."),
                "PathEmpty", ErrorCategory.InvalidArgument, Path));
            return;
        }
        ExMailboxFolder? current = null;
        var existingDepth = 0;
        for (; existingDepth < segments.Count; existingDepth++)
        {
            var parent = current;
            var name = segments[existingDepth];
            var existing = Await(ct => _folders.FindChildAsync(mailboxId, parent, name, ct));
            if (existing is null) break;
            current = existing;
        }
        if (current is not null && existingDepth == segments.Count && !string.Equals(current.Type, Type, StringComparison.OrdinalIgnoreCase))
            WriteWarning($"{current.Path} already exists as a {current.Type} folder, not {Type}; it is used as it is.");

        // Everything below the first missing folder is missing too: one confirmation covers the whole chain.
        var missing = Enumerable.Range(existingDepth + 1, segments.Count - existingDepth).Select(n => FolderPath.Join(segments.Take(n))).ToList();
        if (missing.Count > 0 && !ShouldProcess($"{string.Join(", ", missing)} in mailbox {mailboxId}", $"Create {Type} folder(s)")) return;
        foreach (var name in segments.Skip(existingDepth))
        {
            var parent = current;
            current = Await(ct => _folders.CreateAsync(mailboxId, parent, name, Type, ct));
            Verbose($"Created {current.Path}.");
        }
        WriteObject(current);
    }
}
