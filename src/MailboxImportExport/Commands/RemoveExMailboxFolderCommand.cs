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
        var (mailboxId, folderId, shown) = ParameterSetName == ObjectSet
            ? (Folder.MailboxId, Folder.Id, (object)Folder)
            : (MailboxId, FolderId, FolderId);
        var description = $"{shown} ({Folder?.TotalItemCount.ToString() ?? "all"} items and any subfolders) in mailbox {mailboxId}";
        if (!ShouldProcess(description, "Delete folder")) return;
        try
        {
            Await(ct => _folders.DeleteAsync(mailboxId, folderId, ct));
            if (PassThru && Folder is not null) WriteObject(Folder);
        }
        catch (Exception e) when (e is GraphException or ExAuthenticationException)
        {
            WriteError(ErrorFor(e, e is GraphException { IsNotFound: true } ? "FolderNotFound" : "RemoveFolderFailed", shown));
        }
    }
}
