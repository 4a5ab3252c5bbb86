using MailboxImportExport.Engine.Models;

namespace MailboxImportExport.Engine.Transfer;

/// <summary>One item to export, with what is known of it from listing (carried into the exported item).</summary>
public sealed class ExportRequest
{
    public ExportRequest(string mailboxId, string itemId)
    {
        if (string.IsNullOrWhiteSpace(mailboxId)) throw new ArgumentException("The mailbox id is empty.", nameof(mailboxId));
        if (string.IsNullOrWhiteSpace(itemId)) throw new ArgumentException("The item id is empty.", nameof(itemId));
        MailboxId = mailboxId;
        ItemId = itemId;
    }

    public string MailboxId { get; }
    public string ItemId { get; }
    public string? FolderId { get; init; }
    public string? FolderPath { get; init; }
    /// <summary>The message class Graph listed, e.g. <c>IPM.Note</c>.</summary>
    public string? Type { get; init; }
    public long? Size { get; init; }
    public string? ChangeKey { get; init; }

    public static ExportRequest For(ExMailboxItem item)
    {
        if (item is null) throw new ArgumentNullException(nameof(item));
        return new ExportRequest(item.MailboxId, item.Id)
        {
            FolderId = item.FolderId,
            FolderPath = item.FolderPath,
            Type = item.Type,
            Size = item.Size,
            ChangeKey = item.ChangeKey,
        };
    }

    public override string ToString() => $"{ItemId} in {MailboxId}";
}

/// <summary>What became of one <see cref="ExportRequest"/>: the exported item, or why it failed.</summary>
public sealed class ExportOutcome
{
    private ExportOutcome(ExportRequest request, ExExportedItem? item, string? errorCode, string? errorMessage, Exception? exception)
    {
        Request = request;
        Item = item;
        ErrorCode = errorCode;
        ErrorMessage = errorMessage;
        Exception = exception;
    }

    public ExportRequest Request { get; }
    /// <summary>The exported item; null on failure. Whoever takes the outcome owns its data.</summary>
    public ExExportedItem? Item { get; }
    public bool Succeeded => Item is not null;
    /// <summary>The service's error code (e.g. <c>ErrorItemNotFound</c>), for the item or for its whole call.</summary>
    public string? ErrorCode { get; }
    public string? ErrorMessage { get; }
    /// <summary>When the whole call failed: the exception (usually a GraphException with the HTTP status); null for a per-item error.</summary>
    public Exception? Exception { get; }

    internal static ExportOutcome Success(ExportRequest request, ExExportedItem item) => new(request, item, null, null, null);

    internal static ExportOutcome ItemFailed(ExportRequest request, string code, string message) => new(request, null, code, message, null);

    internal static ExportOutcome CallFailed(ExportRequest request, Exception exception) =>
        new(request, null, (exception as Http.GraphException)?.Code ?? exception.GetType().Name,
            (exception as Http.GraphException)?.ServiceMessage ?? exception.Message, exception);

    public override string ToString() => Succeeded ? $"Exported {Item}" : $"Failed {Request}: {ErrorCode} {ErrorMessage}";
}
