using System.Management.Automation;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Models;

namespace MailboxImportExport.Commands;

/// <summary>Renames a folder. A folder's type cannot change: the service refuses it, and so does this cmdlet, up front.</summary>
[Cmdlet(VerbsCommon.Set, "ExMailboxFolder", DefaultParameterSetName = ObjectSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ExMailboxFolder))]
public sealed class SetExMailboxFolderCommand : ExFolderTargetCmdlet
{
    [Parameter(Mandatory = true, Position = 0)]
    [Alias("NewName")]
    [ValidateNotNullOrEmpty]
    public string DisplayName { get; set; } = null!;

    /// <summary>Accepted only to refuse a change clearly: a folder's type is fixed when it is created.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Type { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            var folder = ResolveFolder();
            if (Type is not null && !string.Equals(Type, folder.Type, StringComparison.OrdinalIgnoreCase))
            {
                WriteError(new ErrorRecord(
                    new InvalidOperationException($"The type of '{folder}' is {folder.Type} and cannot be changed to {Type}: the service does not allow it."),
                    "FolderTypeImmutable", ErrorCategory.InvalidOperation, folder)
                {
                    ErrorDetails = new ErrorDetails($"The type of '{folder}' is {folder.Type} and cannot be changed to {Type}.")
                    {
                        RecommendedAction = $"Create a new {Type} folder with New-ExMailboxFolder and move the items into it.",
                    },
                });
                return;
            }
            if (!ShouldProcess($"{folder} in mailbox {folder.MailboxId}", $"Rename to '{DisplayName}'")) return;
            WriteObject(Await(ct => Folders.RenameAsync(folder, DisplayName, ct)));
        }
        catch (GraphException e) when (e.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            WriteError(ErrorFor(e, "FolderExists", DisplayName, "A sibling folder already has that name; choose another."));
        }
        catch (Exception e) when (IsServiceFailure(e))
        {
            WriteError(ErrorFor(e, e is GraphException { IsNotFound: true } ? "FolderNotFound" : "SetFolderFailed",
                ErrorTarget));
        }
    }
}
