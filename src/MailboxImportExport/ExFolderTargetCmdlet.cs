using System.Management.Automation;
using MailboxImportExport.Engine.Models;
using MailboxImportExport.Engine.Services;

namespace MailboxImportExport;

/// <summary>
/// Base of the cmdlets that act on one existing folder, given as an object from the pipeline or by
/// -MailboxId and -FolderId.
/// </summary>
public abstract class ExFolderTargetCmdlet : ExCmdlet
{
    protected const string ObjectSet = "Object";
    protected const string IdSet = "Id";

    [Parameter(Mandatory = true, ParameterSetName = ObjectSet, ValueFromPipeline = true)]
    [ValidateNotNull]
    public ExMailboxFolder Folder { get; set; } = null!;

    [Parameter(Mandatory = true, ParameterSetName = IdSet)]
    [ValidateNotNullOrEmpty]
    public string MailboxId { get; set; } = null!;

    /// <summary>The folder's id or well-known name.</summary>
    [Parameter(Mandatory = true, ParameterSetName = IdSet)]
    [ValidateNotNullOrEmpty]
    public string FolderId { get; set; } = null!;

    protected FolderService Folders { get; private set; } = null!;

    protected override void BeginProcessing() => Folders = new FolderService(RequireConnection().Client);

    /// <summary>The folder as given, or looked up by id (which also tells its path and counts).</summary>
    protected ExMailboxFolder ResolveFolder()
    {
        if (ParameterSetName == ObjectSet) return Folder;
        var mailboxId = ResolveMailboxId(MailboxId);
        return Await(ct => Folders.GetAsync(mailboxId, FolderId, ct));
    }

    /// <summary>What an error about this folder points at: the object when there is one, else the id.</summary>
    protected object ErrorTarget => ParameterSetName == ObjectSet ? Folder : FolderId;
}
