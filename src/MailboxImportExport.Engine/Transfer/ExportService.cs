using MailboxImportExport.Engine.Diagnostics;
using MailboxImportExport.Engine.Http;

namespace MailboxImportExport.Engine.Transfer;

/// <summary>How exported data is held.</summary>
public sealed class ExportOptions
{
    /// <summary>Items larger than this go to a temp file as they are decoded.</summary>
    public long SpillThreshold { get; set; } = FtsData.DefaultSpillThreshold;

    /// <summary>
    /// How many bytes of one exportItems answer (up to 20 items) may be held in memory; once reached, the rest of
    /// that answer's items spill whatever their size. Bounds memory when many items sit just under the threshold.
    /// </summary>
    public long MaxInMemoryBytesPerCall { get; set; } = 32L * 1024 * 1024;

    /// <summary>
    /// The caller disposes every item's data once it is done with it (the copy core does), so data held in memory may
    /// live in an array of the shared pool and go back to it, rather than be left to the garbage collector: a long copy
    /// then reuses a few arrays instead of promoting every item's bytes into the oldest generation.
    /// </summary>
    internal bool PooledData { get; set; }
}

/// <summary>The answer for one requested item: its data and change key, or the service's error for it.</summary>
public sealed class ExportItemResult
{
    private ExportItemResult(string itemId, string? changeKey, FtsData? data, string? errorCode, string? errorMessage)
    {
        ItemId = itemId;
        ChangeKey = changeKey;
        Data = data;
        ErrorCode = errorCode;
        ErrorMessage = errorMessage;
    }

    public string ItemId { get; }
    /// <summary>The item's version at export time.</summary>
    public string? ChangeKey { get; }
    /// <summary>The exported stream; null when the item failed. The receiver owns it (dispose to delete a spilled file).</summary>
    public FtsData? Data { get; }
    public string? ErrorCode { get; }
    public string? ErrorMessage { get; }
    public bool Succeeded => Data is not null;

    internal static ExportItemResult Success(string itemId, string? changeKey, FtsData data) => new(itemId, changeKey, data, null, null);
    internal static ExportItemResult Failed(string itemId, string code, string message) => new(itemId, null, null, code, message);

    public override string ToString() => Succeeded ? $"{ItemId}: {Data}" : $"{ItemId}: {ErrorCode} {ErrorMessage}";
}

/// <summary>Exports items through <c>POST admin/exchange/mailboxes/{id}/exportItems</c>, at most 20 per call.</summary>
public sealed class ExportService
{
    public const int MaxItemsPerCall = 20;

    private readonly GraphClient _graph;
    private readonly ExportOptions _options;

    public ExportService(GraphClient graph, ExportOptions? options = null)
    {
        _graph = graph ?? throw new ArgumentNullException(nameof(graph));
        _options = options ?? new ExportOptions();
    }

    /// <summary>
    /// Exports up to 20 items of one mailbox in one call. Returns one result per requested id, in request order:
    /// the service reports per-item failures inside its 200 answer, and an id it did not answer becomes a failure too.
    /// A failure of the whole call (after the client's retries) throws <see cref="GraphException"/>.
    /// </summary>
    public async Task<IReadOnlyList<ExportItemResult>> ExportBatchAsync(string mailboxId, IReadOnlyList<string> itemIds, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(mailboxId)) throw new ArgumentException("The mailbox id is empty.", nameof(mailboxId));
        if (itemIds is null) throw new ArgumentNullException(nameof(itemIds));
        if (itemIds.Count == 0) return Array.Empty<ExportItemResult>();
        if (itemIds.Count > MaxItemsPerCall)
            throw new ArgumentException($"exportItems takes at most {MaxItemsPerCall} item ids per call; {itemIds.Count} were given. Split them into batches (ExportBatcher does).", nameof(itemIds));
        var requested = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in itemIds)
        {
            if (string.IsNullOrWhiteSpace(id)) throw new ArgumentException("An item id is empty.", nameof(itemIds));
            if (!requested.Add(id)) throw new ArgumentException($"Item id '{id}' is listed twice; each id may appear once per call.", nameof(itemIds));
        }

        var answered = await ExportFromAsync($"{GraphPath.Mailbox(mailboxId)}/exportItems", itemIds, hop: 0, ct).ConfigureAwait(false);

        var byId = new Dictionary<string, ExportItemResult>(StringComparer.Ordinal);
        foreach (var result in answered)
        {
            if (requested.Contains(result.ItemId) && !byId.ContainsKey(result.ItemId))
            {
                byId.Add(result.ItemId, result);
                continue;
            }
            EngineLog.Verbose($"exportItems for {mailboxId} answered for item '{result.ItemId}', which was not asked for (or answered twice); ignoring that answer.");
            result.Data?.Dispose();
        }
        return itemIds.Select(id => byId.TryGetValue(id, out var result)
                ? result
                : ExportItemResult.Failed(id, "ItemNotReturned", "The service's exportItems answer did not include this item."))
            .ToList();
    }

    /// <summary>
    /// One exportItems call, and again at the URL the service names for items whose folder moved to another archive
    /// mailbox (ErrorArchiveFolderMovedPermanently), a bounded number of times.
    /// </summary>
    private async Task<List<ExportItemResult>> ExportFromAsync(string url, IReadOnlyList<string> itemIds, int hop, CancellationToken ct)
    {
        var answered = await _graph.PostAsync(url, new { itemIds }, ReadAnswerAsync, ct).ConfigureAwait(false);
        var moved = answered.Where(r => r.ErrorCode == MailboxRedirect.ExportMovedCode).ToList();
        if (moved.Count == 0) return answered;
        var results = answered.Except(moved).ToList();
        foreach (var place in moved.GroupBy(r => r.ErrorMessage ?? "", StringComparer.Ordinal))
        {
            var ids = place.Select(r => r.ItemId).ToList();
            Uri location;
            try
            {
                location = MailboxRedirect.ExportLocation(place.Key, _graph.BaseUri, hop + 1);
            }
            catch (GraphException e)
            {
                results.AddRange(ids.Select(id => ExportItemResult.Failed(id, e.Code ?? MailboxRedirect.ExportMovedCode, e.Message)));
                continue;
            }
            EngineLog.Verbose($"{ids.Count} item(s) moved to another archive mailbox; exporting them again at {location}.");
            results.AddRange(await ExportFromAsync(location.ToString(), ids, hop + 1, ct).ConfigureAwait(false));
        }
        return results;
    }

    private async Task<List<ExportItemResult>> ReadAnswerAsync(Stream stream, CancellationToken ct)
    {
        try
        {
            return await ExportResponseReader.ReadAsync(stream, _options, ct).ConfigureAwait(false);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new GraphException(System.Net.HttpStatusCode.OK, "InvalidResponse", $"The exportItems answer could not be read: {e.Message}");
        }
    }
}
