using System.Management.Automation;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Services;

namespace MailboxImportExport.Commands;

public enum DisposalType
{
    SoftDelete,
    HardDelete,
}

/// <summary>
/// Deletes items: SoftDelete (recoverable, the default) or HardDelete (permanent). A hard delete asks for
/// confirmation as a High-impact action does, unless -Force or -Confirm:$false is given.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "ExMailboxItem", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(void))]
public sealed class RemoveExMailboxItemCommand : ExCmdlet
{
    private ItemService _items = null!;
    private bool _yesToAll;
    private bool _noToAll;

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string MailboxId { get; set; } = null!;

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string FolderId { get; set; } = null!;

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    [ValidateNotNullOrEmpty]
    public string[] ItemId { get; set; } = null!;

    [Parameter]
    public DisposalType DisposalType { get; set; } = DisposalType.SoftDelete;

    /// <summary>Hard-delete without the extra confirmation.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void BeginProcessing() => _items = new ItemService(RequireConnection().Client);

    protected override void ProcessRecord()
    {
        var hard = DisposalType == DisposalType.HardDelete;
        if (ResolveMailboxIdOrWriteError(MailboxId) is not { } mailboxId) return;
        foreach (var itemId in ItemId)
        {
            var target = $"item {itemId} in folder {FolderId} of mailbox {mailboxId}";
            if (!ShouldProcess(target, hard ? "Permanently delete (HardDelete)" : "Delete (SoftDelete, recoverable)")) continue;
            if (hard && !ConfirmedHardDelete(target)) continue;
            try
            {
                Await(ct => _items.DeleteAsync(mailboxId, FolderId, itemId, hard, ct));
                Verbose($"Deleted {target} ({DisposalType}).");
            }
            catch (Exception e) when (IsServiceFailure(e))
            {
                WriteError(ErrorFor(e, e is GraphException { IsNotFound: true } ? "ItemNotFound" : "RemoveItemFailed", itemId,
                    e is GraphException { StatusCode: System.Net.HttpStatusCode.Forbidden } && hard
                        ? "The item is protected (hold, retention or a system item) and cannot be hard-deleted."
                        : null));
            }
        }
    }

    // ShouldProcess uses the cmdlet's declared impact (Medium); a permanent delete deserves High, so it asks as High would.
    private bool ConfirmedHardDelete(string target)
    {
        // -Confirm already prompted through ShouldProcess; -Confirm:$false and -Force opt out.
        if (Force || MyInvocation.BoundParameters.ContainsKey("Confirm")) return true;
        // Below High (or None), ShouldProcess has already asked, or the user chose not to be asked.
        if (SessionState.PSVariable.GetValue("ConfirmPreference") is ConfirmImpact preference && preference != ConfirmImpact.High) return true;
        return ShouldContinue($"Permanently delete {target}? It cannot be recovered.", "Confirm hard delete", ref _yesToAll, ref _noToAll);
    }
}
