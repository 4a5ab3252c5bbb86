using System.Management.Automation;
using MailboxImportExport.Engine.Auth;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Models;
using MailboxImportExport.Engine.Services;

namespace MailboxImportExport.Commands;

/// <summary>Deletes folders, with everything in them.</summary>
[Cmdlet(VerbsCommon.Remove, "ExMailboxFolder", DefaultParameterSetName = ObjectSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(ExMailboxFolder))]
public sealed class RemoveExMailboxFolderCommand : ExCmdlet
{
    private const string ObjectSet = "Object";
    private const string IdSet = "Id";

    private FolderService _folders = null!;

    [Parameter(Mandatory = true, ParameterSetName = ObjectSet, ValueFromPipeline = true)]
    [ValidateNotNull]
    public ExMailboxFolder Folder { get; set; } = null!;

    [Parameter(Mandatory = true, ParameterSetName = IdSet)]
    [ValidateNotNullOrEmpty]
    public string MailboxId { get; set; } = null!;

    [Parameter(Mandatory = true, ParameterSetName = IdSet)]
    [ValidateNotNullOrEmpty]
    public string FolderId { get; set; } = null!;

    /// <summary>Write the removed folder to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void BeginProcessing() => _folders = new FolderService(RequireConnection().Client);

    protected override void ProcessRecord()
    {
        object target = ParameterSetName == ObjectSet ? Folder : FolderId;
        try
        {
            // By id, the folder is looked up first, so the confirmation can say what is at stake and -PassThru has an object.
            var folder = ParameterSetName == ObjectSet ? Folder : Await(ct => _folders.GetAsync(MailboxId, FolderId, ct));
            var description = $"{folder} ({folder.TotalItemCount} items in the folder itself, plus {folder.ChildFolderCount} subfolders and their items) in mailbox {folder.MailboxId}";
            if (!ShouldProcess(description, "Delete folder")) return;
            Await(ct => _folders.DeleteAsync(folder.MailboxId, folder.Id, ct));
            if (PassThru) WriteObject(folder);
        }
        catch (Exception e) when (e is GraphException or ExAuthenticationException)
        {
            WriteError(ErrorFor(e, e is GraphException { IsNotFound: true } ? "FolderNotFound" : "RemoveFolderFailed", target));
        }
    }
}
