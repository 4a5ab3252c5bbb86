using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Models;

namespace MailboxImportExport.Engine.Services;

/// <summary>What to list from a folder. Filters go to the service as <c>$filter</c>; nothing is filtered locally.</summary>
public sealed class ItemQuery
{
    public DateTimeOffset? CreatedAfter { get; set; }
    public DateTimeOffset? CreatedBefore { get; set; }
    public DateTimeOffset? ModifiedAfter { get; set; }
    /// <summary>Message class to match exactly, e.g. <c>IPM.Note</c>.</summary>
    public string? Type { get; set; }
    /// <summary>
    /// The received time (PidTagMessageDeliveryTime) range. The service has no documented filter on it, so it is
    /// applied here, to the received time read with the listing.
    /// </summary>
    public DateTimeOffset? ReceivedAfter { get; set; }
    public DateTimeOffset? ReceivedBefore { get; set; }
    public ulong Skip { get; set; }
    /// <summary>Stop after this many items; null for all.</summary>
    public ulong? First { get; set; }
    public bool IncludeTotalCount { get; set; }
    public int PageSize { get; set; } = 100;

    internal string ToQueryString()
    {
        var parts = new List<string>();
        var filter = Filter();
        if (filter.Length > 0) parts.Add("$filter=" + Uri.EscapeDataString(filter));
        var top = First is { } first && first < (ulong)PageSize ? (int)first : PageSize;
        parts.Add("$top=" + top.ToString(CultureInfo.InvariantCulture));
        // With a filter applied here, the service cannot know which items to skip.
        if (Skip > 0 && !FiltersLocally) parts.Add("$skip=" + Skip.ToString(CultureInfo.InvariantCulture));
        if (IncludeTotalCount) parts.Add("$count=true");
        parts.Add("$expand=" + Uri.EscapeDataString(ItemProperties.Expand));
        return string.Join("&", parts);
    }

    internal bool FiltersLocally => ReceivedAfter is not null || ReceivedBefore is not null;

    internal bool Matches(ExMailboxItem item) =>
        (ReceivedAfter is not { } after || item.ReceivedDateTime >= after) &&
        (ReceivedBefore is not { } before || item.ReceivedDateTime < before);

    internal string Filter()
    {
        var clauses = new List<string>();
        if (CreatedAfter is { } ca) clauses.Add($"createdDateTime ge {Iso(ca)}");
        if (CreatedBefore is { } cb) clauses.Add($"createdDateTime lt {Iso(cb)}");
        if (ModifiedAfter is { } ma) clauses.Add($"lastModifiedDateTime ge {Iso(ma)}");
        if (!string.IsNullOrEmpty(Type)) clauses.Add($"type eq '{Type!.Replace("'", "''")}'");
        return string.Join(" and ", clauses);
    }

    private static string Iso(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

/// <summary>Items of a mailbox folder: listing, lookup, deletion.</summary>
public sealed class ItemService
{
    private readonly GraphClient _graph;

    public ItemService(GraphClient graph) => _graph = graph;

    /// <summary>
    /// Streams a folder's items page by page. <paramref name="onTotalCount"/> receives <c>@odata.count</c> from the
    /// first page when the query asks for it.
    /// </summary>
    public async IAsyncEnumerable<ExMailboxItem> ListAsync(string mailboxId, string folderId, string? folderPath, ItemQuery query,
        Action<long>? onTotalCount, [EnumeratorCancellation] CancellationToken ct)
    {
        var url = $"{FolderService.FolderUrl(mailboxId, folderId)}/items?{query.ToQueryString()}";
        ulong emitted = 0, skipped = 0;
        var first = true;
        await foreach (var page in _graph.GetPagesAsync<ItemDto>(url, null, ct).ConfigureAwait(false))
        {
            if (first && page.Count is { } count) onTotalCount?.Invoke(count);
            first = false;
            foreach (var dto in page.Value)
            {
                if (query.First is { } limit && emitted >= limit) yield break;
                var item = dto.ToModel(mailboxId, folderId, folderPath);
                if (query.FiltersLocally && (!query.Matches(item) || skipped++ < query.Skip)) continue;
                emitted++;
                yield return item;
            }
            // Stop before asking for a page that would not be used.
            if (query.First is { } enough && emitted >= enough) yield break;
        }
    }

    public async Task<ExMailboxItem> GetAsync(string mailboxId, string folderId, string itemId, string? folderPath, CancellationToken ct)
    {
        var dto = await _graph.GetAsync<ItemDto>($"{ItemUrl(mailboxId, folderId, itemId)}?$expand={Uri.EscapeDataString(ItemProperties.Expand)}", ct).ConfigureAwait(false);
        return dto.ToModel(mailboxId, folderId, folderPath);
    }

    /// <summary>Items changed (or, flagged, removed) since <paramref name="deltaToken"/>; all items when it is null.</summary>
    public IAsyncEnumerable<ExMailboxItem> DeltaAsync(string mailboxId, string folderId, string? folderPath, string? deltaToken,
        DeltaCursor cursor, int? maxPageSize, CancellationToken ct) =>
        cursor.ReadAsync<ItemDto, ExMailboxItem>(_graph,
            deltaToken is null ? $"{FolderService.FolderUrl(mailboxId, folderId)}/items/delta" : DeltaCursor.Validate(deltaToken),
            maxPageSize, dto => dto.ToModel(mailboxId, folderId, folderPath), ct);

    public Task DeleteAsync(string mailboxId, string folderId, string itemId, bool hardDelete, CancellationToken ct) =>
        _graph.DeleteAsync($"{ItemUrl(mailboxId, folderId, itemId)}?disposalType={(hardDelete ? "hardDelete" : "softDelete")}", ct);

    private static string ItemUrl(string mailboxId, string folderId, string itemId) =>
        $"{FolderService.FolderUrl(mailboxId, folderId)}/items/{GraphPath.Segment(itemId)}";

    internal sealed class ItemDto
    {
        [JsonPropertyName("id")] public string? Id { get; set; }
        [JsonPropertyName("changeKey")] public string? ChangeKey { get; set; }
        [JsonPropertyName("type")] public string? Type { get; set; }
        [JsonPropertyName("size")] public long Size { get; set; }
        [JsonPropertyName("createdDateTime")] public DateTimeOffset? CreatedDateTime { get; set; }
        [JsonPropertyName("lastModifiedDateTime")] public DateTimeOffset? LastModifiedDateTime { get; set; }
        [JsonPropertyName("categories")] public List<string>? Categories { get; set; }
        [JsonPropertyName("@removed")] public object? Removed { get; set; }
        [JsonPropertyName("singleValueExtendedProperties")] public List<ItemProperties.Value>? ExtendedProperties { get; set; }

        public ExMailboxItem ToModel(string mailboxId, string folderId, string? folderPath)
        {
            var item = new ExMailboxItem
            {
            MailboxId = mailboxId,
            FolderId = folderId,
            FolderPath = folderPath,
            Id = Id ?? "",
            ChangeKey = ChangeKey,
            Type = Type,
            Size = Size,
            CreatedDateTime = CreatedDateTime,
            LastModifiedDateTime = LastModifiedDateTime,
            Categories = (IReadOnlyList<string>?)Categories ?? Array.Empty<string>(),
            IsRemoved = Removed is not null,
            };
            ItemProperties.Apply(ExtendedProperties, item);
            return item;
        }
    }
}
