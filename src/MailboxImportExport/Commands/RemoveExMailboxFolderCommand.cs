using System.Management.Automation;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Models;

namespace MailboxImportExport.Commands;

/// <summary>Deletes folders, with everything in them.</summary>
[Cmdlet(VerbsCommon.Remove, "ExMailboxFolder", DefaultParameterSetName = ObjectSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(ExMailboxFolder))]
public sealed class RemoveExMailboxFolderCommand : ExFolderTargetCmdlet
{
    /// <summary>Write the removed folder to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            // By id, the folder is looked up first, so the confirmation can say what is at stake and -PassThru has an object.
            var folder = ResolveFolder();
            var description = $"{folder} ({folder.TotalItemCount} items in the folder itself, plus {folder.ChildFolderCount} subfolders and their items) in mailbox {folder.MailboxId}";
            if (!ShouldProcess(description, "Delete folder")) return;
            Await(ct => Folders.DeleteAsync(folder.MailboxId, folder.Id, ct));
            if (PassThru) WriteObject(folder);
        }
        catch (Exception e) when (IsServiceFailure(e))
        {
            WriteError(ErrorFor(e, e is GraphException { IsNotFound: true } ? "FolderNotFound" : "RemoveFolderFailed", ErrorTarget));
        }
    }
}
