using System.Management.Automation;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Models;
using MailboxImportExport.Engine.Services;

namespace MailboxImportExport.Commands;

/// <summary>Lists a folder's items page by page as they arrive; or gets items by id; or, with -Delta, what changed.</summary>
[Cmdlet(VerbsCommon.Get, "ExMailboxItem", DefaultParameterSetName = FolderSet, SupportsPaging = true)]
[OutputType(typeof(ExMailboxItem))]
public sealed class GetExMailboxItemCommand : ExDeltaCmdlet
{
    private const string FolderSet = "Folder";
    private const string IdSet = "Id";

    private ItemService _items = null!;

    [Parameter(Mandatory = true, ParameterSetName = FolderSet, ValueFromPipeline = true)]
    [ValidateNotNull]
    public ExMailboxFolder Folder { get; set; } = null!;

    [Parameter(Mandatory = true, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string MailboxId { get; set; } = null!;

    /// <summary>A folder id or well-known name (inbox, sentitems …).</summary>
    [Parameter(Mandatory = true, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string FolderId { get; set; } = null!;

    [Parameter(ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    [ValidateNotNullOrEmpty]
    public string[]? ItemId { get; set; }

    /// <summary>Only items of this message class, e.g. IPM.Note.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Type { get; set; }

    [Parameter]
    public DateTimeOffset? CreatedAfter { get; set; }

    [Parameter]
    public DateTimeOffset? CreatedBefore { get; set; }

    [Parameter]
    public DateTimeOffset? ModifiedAfter { get; set; }

    /// <summary>Only items received at or after this time (the received time is read with the listing and compared here).</summary>
    [Parameter]
    public DateTimeOffset? ReceivedAfter { get; set; }

    /// <summary>Only items received before this time.</summary>
    [Parameter]
    public DateTimeOffset? ReceivedBefore { get; set; }

    /// <summary>Items per request (1–1000); larger pages mean fewer round trips.</summary>
    [Parameter]
    [ValidateRange(1, 1000)]
    public int PageSize { get; set; } = 100;

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        _items = new ItemService(RequireConnection().Client);
        var received = ReceivedAfter is not null || ReceivedBefore is not null;
        var filtered = received || Type is not null || CreatedAfter is not null || CreatedBefore is not null || ModifiedAfter is not null;
        var paged = PagingParameters.First != ulong.MaxValue || PagingParameters.Skip > 0 || PagingParameters.IncludeTotalCount;
        if (Delta && (ItemId is not null || filtered || paged))
            ThrowInvalidCombination("DeltaWithFilter", "-Delta returns every change of a folder; it does not combine with -ItemId, -Type, the date filters, -First, -Skip or -IncludeTotalCount.");
        if (ItemId is not null && (filtered || paged))
            ThrowInvalidCombination("ItemIdWithFilter", "-ItemId gets those items exactly; -Type, the date filters and paging apply to listings only.");
        if (received && PagingParameters.IncludeTotalCount)
            ThrowInvalidCombination("ReceivedWithTotalCount", "-IncludeTotalCount counts the items the service filters; -ReceivedAfter and -ReceivedBefore are applied as the items arrive, so the count would not match. Count the output instead: @(...).Count.");
    }

    protected override void ProcessRecord()
    {
        var (mailboxId, folderId, folderPath) = ParameterSetName == FolderSet
            ? (Folder.MailboxId, Folder.Id, Folder.Path)
            : (MailboxId, FolderId, (string?)null);
        try
        {
            mailboxId = ResolveMailboxId(mailboxId);
            if (Delta)
                WriteDelta(DeltaStateFile.ItemsKey(mailboxId, folderId), folderPath ?? folderId,
                    (token, cursor, ct) => _items.DeltaAsync(mailboxId, folderId, folderPath, token, cursor, PageSize, ct));
            else if (ItemId is not null)
                foreach (var id in ItemId) WriteItem(mailboxId, folderId, id);
            else
                WriteListing(mailboxId, folderId, folderPath);
        }
        catch (GraphException e) when (e.Code == "MailboxNotFound")
        {
            WriteError(ErrorFor(e, "MailboxNotFound", mailboxId));
        }
        catch (GraphException e) when (e.IsNotFound)
        {
            WriteError(ErrorFor(e, "FolderNotFound", folderPath ?? folderId,
                $"No folder '{folderId}' in mailbox {mailboxId}. Pipe a folder from Get-ExMailboxFolder instead."));
        }
        catch (Exception e) when (IsServiceFailure(e))
        {
            WriteError(ErrorFor(e, "GetItemFailed", folderPath ?? folderId));
        }
    }

    private ItemQuery Query() => new()
    {
        Type = Type,
        CreatedAfter = CreatedAfter,
        CreatedBefore = CreatedBefore,
        ModifiedAfter = ModifiedAfter,
        ReceivedAfter = ReceivedAfter,
        ReceivedBefore = ReceivedBefore,
        Skip = PagingParameters.Skip,
        First = PagingParameters.First == ulong.MaxValue ? null : PagingParameters.First,
        IncludeTotalCount = PagingParameters.IncludeTotalCount,
        PageSize = PageSize,
    };

    private void WriteListing(string mailboxId, string folderId, string? folderPath)
    {
        // The count arrives on the engine's thread; it is written from the pipeline thread, ahead of the items.
        long? totalCount = null;
        var countWritten = false;
        foreach (var item in Stream(ct => _items.ListAsync(mailboxId, folderId, folderPath, Query(), count => totalCount = count, ct)))
        {
            WriteTotalCountOnce();
            WriteObject(item);
        }
        WriteTotalCountOnce();

        void WriteTotalCountOnce()
        {
            if (countWritten || totalCount is not { } count) return;
            WriteObject(PagingParameters.NewTotalCount((ulong)count, 1.0));
            countWritten = true;
        }
    }

    private void WriteItem(string mailboxId, string folderId, string itemId)
    {
        try
        {
            WriteObject(Await(ct => _items.GetAsync(mailboxId, folderId, itemId, null, ct)));
        }
        catch (GraphException e) when (e.IsNotFound)
        {
            WriteError(ErrorFor(e, "ItemNotFound", itemId, $"No item '{itemId}' in folder '{folderId}'."));
        }
    }
}
