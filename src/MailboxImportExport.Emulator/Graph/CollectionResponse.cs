using System.Text.Json.Nodes;

namespace MailboxImportExport.Emulator.Graph;

/// <summary>Writes an OData collection page: value, @odata.count on $count=true, and @odata.nextLink with $skip.</summary>
internal static class CollectionResponse
{
    public static Task WriteAsync(GraphRequest request, string context, IEnumerable<JsonObject> entities, ODataQuery query)
    {
        var matching = query.FilterAndSort(entities);
        var pageSize = query.PageSize(request);
        var page = matching.Skip(query.Skip).Take(pageSize).Select(query.Project).ToList();
        var body = new JsonObject { ["@odata.context"] = context };
        if (query.Count) body["@odata.count"] = matching.Count;
        body["value"] = new JsonArray(page.ToArray<JsonNode?>());
        var next = query.Skip + pageSize;
        if (next < matching.Count) body["@odata.nextLink"] = NextLink(request, next);
        return request.WriteJsonAsync(200, body);
    }

    /// <summary>
    /// The request's own URL with $skip replaced and every other query option kept, in its order, percent-encoded the
    /// way Graph writes its links (<c>%24top=1&amp;%24skip=1</c>).
    /// </summary>
    private static string NextLink(GraphRequest request, int skip)
    {
        var (path, query) = RawPathAndQuery(request.Http);
        var kept = query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split(new[] { '=' }, 2))
            .Select(parts => (Key: Decode(parts[0]), Value: parts.Length == 2 ? Decode(parts[1]) : ""))
            .Where(option => !option.Key.Equals("$skip", StringComparison.OrdinalIgnoreCase))
            .Append((Key: "$skip", Value: skip.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .Select(option => $"{Uri.EscapeDataString(option.Key)}={Uri.EscapeDataString(option.Value)}");
        return $"{request.State.BaseUri.GetLeftPart(UriPartial.Authority)}{path}?{string.Join("&", kept)}";
    }

    // As ASP.NET Core reads a query string: '+' is a space.
    private static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));

    /// <summary>The request target exactly as received (still percent-encoded), split at '?'.</summary>
    public static (string Path, string Query) RawPathAndQuery(HttpContext http)
    {
        var target = http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget
            ?? http.Request.Path + http.Request.QueryString;
        var question = target.IndexOf('?');
        return question < 0 ? (target, "") : (target.Substring(0, question), target.Substring(question + 1));
    }
}
