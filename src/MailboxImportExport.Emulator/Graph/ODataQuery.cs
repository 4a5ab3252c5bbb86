using System.Globalization;
using System.Text.Json.Nodes;

namespace MailboxImportExport.Emulator.Graph;

[Flags]
internal enum QueryOptions
{
    None = 0,
    Select = 1,
    Filter = 2,
    Top = 4,
    Skip = 8,
    OrderBy = 16,
    Count = 32,
    /// <summary>$deltatoken and $skiptoken, read by the delta handler itself.</summary>
    DeltaTokens = 64,
    /// <summary>$expand of singleValueExtendedProperties, where the entity has them.</summary>
    Expand = 128,
    Entity = Select,
    Collection = Select | Filter | Top | Skip | OrderBy | Count,
}

/// <summary>
/// The OData system query options of one request, parsed and checked against what the endpoint supports
/// (graph-api-notes §5). An option the endpoint does not support, or one the emulator does not implement, is a 400.
/// </summary>
internal sealed class ODataQuery
{
    /// <summary>Largest page the emulator serves, whatever $top or Prefer asks for.</summary>
    public const int MaxPageSize = 1000;

    private static readonly Dictionary<string, QueryOptions> Known = new(StringComparer.OrdinalIgnoreCase)
    {
        ["$select"] = QueryOptions.Select, ["$filter"] = QueryOptions.Filter, ["$top"] = QueryOptions.Top,
        ["$skip"] = QueryOptions.Skip, ["$orderby"] = QueryOptions.OrderBy, ["$count"] = QueryOptions.Count,
        ["$deltatoken"] = QueryOptions.DeltaTokens, ["$skiptoken"] = QueryOptions.DeltaTokens, ["$expand"] = QueryOptions.Expand,
    };

    private readonly EntitySchema _schema;
    private readonly ExtendedPropertySource? _extendedProperties;
    private readonly bool _extendedPropertyFilterSupported;

    private ODataQuery(EntitySchema schema, ExtendedPropertySource? extendedProperties = null, bool extendedPropertyFilterSupported = true)
    {
        _schema = schema;
        _extendedProperties = extendedProperties;
        _extendedPropertyFilterSupported = extendedPropertyFilterSupported;
    }

    /// <summary>The extended properties $expand asks for; null when it asks for none.</summary>
    public IReadOnlyList<Storage.ExtendedPropertyId>? ExpandedProperties { get; private set; }

    public IReadOnlyList<string>? Select { get; private set; }
    public string? FilterText { get; private set; }
    public Func<JsonObject, bool>? Filter { get; private set; }
    public int? Top { get; private set; }
    public int Skip { get; private set; }
    public IReadOnlyList<(string Property, PropertyKind Kind, bool Descending)> OrderBy { get; private set; } = Array.Empty<(string, PropertyKind, bool)>();
    public bool Count { get; private set; }

    /// <param name="extendedProperties">Where the entities' extended properties come from, for $expand and $filter; null when they have none.</param>
    public static ODataQuery Parse(GraphRequest request, EntitySchema schema, QueryOptions allowed, ExtendedPropertySource? extendedProperties = null)
    {
        var query = new ODataQuery(schema, extendedProperties, request.State.Control.ExtendedPropertyFilterSupported);
        foreach (var (key, values) in request.Http.Request.Query)
        {
            if (!key.StartsWith('$')) continue; // custom parameters (disposalType, includeHiddenFolders…)
            if (!Known.TryGetValue(key, out var option))
            {
                throw GraphException.BadRequest($"Query option '{key}' is not supported by the emulator on this resource.");
            }
            if ((allowed & option) == 0) throw GraphException.BadRequest($"Query option '{key}' is not allowed on this resource.");
            query.Apply(key.ToLowerInvariant(), values.ToString());
        }
        return query;
    }

    /// <summary>The $select and $filter a delta round carries in its token, parsed again for a later page or round.</summary>
    public static ODataQuery FromDeltaState(EntitySchema schema, string? select, string? filter)
    {
        var query = new ODataQuery(schema);
        if (select is not null) query.Apply("$select", select);
        if (filter is not null) query.Apply("$filter", filter);
        return query;
    }

    private void Apply(string key, string value)
    {
        switch (key)
        {
            case "$select":
                Select = value.Split(',').Select(p => p.Trim()).Where(p => p.Length > 0).Select(p => _schema.Resolve(p).Canonical).ToList();
                break;
            case "$filter":
                FilterText = value;
                Filter = ODataFilter.Parse(value, _schema, _extendedProperties, _extendedPropertyFilterSupported);
                break;
            case "$expand":
                ExpandedProperties = ExtendedPropertyQuery.ParseExpand(value);
                break;
            case "$top":
                Top = ParseNonNegative(key, value);
                break;
            case "$skip":
                Skip = ParseNonNegative(key, value);
                break;
            case "$count":
                Count = value.ToLowerInvariant() switch
                {
                    "true" => true,
                    "false" => false,
                    _ => throw GraphException.BadRequest($"Invalid value '{value}' for $count; use true or false."),
                };
                break;
            case "$orderby":
                OrderBy = value.Split(',').Select(ParseOrderBy).ToList();
                break;
        }
    }

    private (string, PropertyKind, bool) ParseOrderBy(string clause)
    {
        var parts = clause.Trim().Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is 0 or > 2) throw GraphException.BadRequest($"Invalid $orderby clause '{clause}'.");
        var (property, kind) = _schema.Resolve(parts[0]);
        var descending = parts.Length == 2 && parts[1].ToLowerInvariant() switch
        {
            "asc" => false,
            "desc" => true,
            _ => throw GraphException.BadRequest($"Invalid $orderby direction '{parts[1]}'; use asc or desc."),
        };
        return (property, kind, descending);
    }

    private static int ParseNonNegative(string key, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw GraphException.BadRequest($"Invalid value '{value}' for query option '{key}'; expected a non-negative integer.");

    /// <summary>Filters and sorts; entities keep their given order where $orderby does not decide.</summary>
    public List<JsonObject> FilterAndSort(IEnumerable<JsonObject> entities)
    {
        var result = Filter is null ? entities : entities.Where(Filter);
        if (OrderBy.Count > 0)
        {
            var ordered = result.Select((entity, index) => (entity, index)).ToList();
            ordered.Sort((a, b) =>
            {
                foreach (var (property, kind, descending) in OrderBy)
                {
                    var order = ODataFilter.CompareValues(ODataFilter.ReadValue(a.entity[property], kind), ODataFilter.ReadValue(b.entity[property], kind));
                    if (order != 0) return descending ? -order : order;
                }
                return a.index.CompareTo(b.index);
            });
            return ordered.Select(x => x.entity).ToList();
        }
        return result.ToList();
    }

    /// <summary>The entity as the query shapes it: the selected properties, then the expanded ones.</summary>
    public JsonObject Project(JsonObject entity)
    {
        ApplySelect(entity);
        if (ExpandedProperties is not null && _extendedProperties is not null) ExtendedPropertyQuery.Expand(entity, ExpandedProperties, _extendedProperties);
        return entity;
    }

    /// <summary>Keeps the selected properties; id and annotations (@odata.etag, @odata.type) always stay.</summary>
    public JsonObject ApplySelect(JsonObject entity)
    {
        if (Select is null) return entity;
        foreach (var name in entity.Select(p => p.Key).ToList())
        {
            if (name != "id" && !name.StartsWith('@') && !Select.Contains(name)) entity.Remove(name);
        }
        return entity;
    }

    /// <summary>The page size: $top, else Prefer: odata.maxpagesize, else the emulator's default; never above 1000.</summary>
    public int PageSize(GraphRequest request)
    {
        var size = Top ?? PreferredMaxPageSize(request) ?? request.State.Control.DefaultPageSize;
        return Math.Clamp(size, 1, MaxPageSize);
    }

    /// <summary>The odata.maxpagesize preference, acknowledged with Preference-Applied as Graph does.</summary>
    public static int? PreferredMaxPageSize(GraphRequest request)
    {
        foreach (var header in request.Http.Request.Headers["Prefer"])
        {
            foreach (var preference in (header ?? "").Split(','))
            {
                var parts = preference.Split('=');
                if (parts.Length == 2 && parts[0].Trim().Equals("odata.maxpagesize", StringComparison.OrdinalIgnoreCase)
                    && int.TryParse(parts[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var size) && size > 0)
                {
                    request.Http.Response.Headers["Preference-Applied"] = $"odata.maxpagesize={size}";
                    return size;
                }
            }
        }
        return null;
    }
}
