using System.Runtime.CompilerServices;
using MailboxImportExport.Engine.Http;

namespace MailboxImportExport.Engine.Services;

/// <summary>
/// Where a delta sync stands. The token is the service's <c>@odata.deltaLink</c>, opaque to callers: store it
/// and pass it back to get only what changed since. It is set once the last page has been read.
/// </summary>
public sealed class DeltaCursor
{
    public string? DeltaToken { get; internal set; }

    /// <summary>Reads every page of a delta round, mapping entries as they arrive and recording the next token.</summary>
    internal async IAsyncEnumerable<T> ReadAsync<TDto, T>(GraphClient graph, string url, int? maxPageSize, Func<TDto, T> map,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var headers = maxPageSize is { } size
            ? new Dictionary<string, string> { ["Prefer"] = $"odata.maxpagesize={size}" }
            : null;
        await foreach (var page in graph.GetPagesAsync<TDto>(url, headers, ct).ConfigureAwait(false))
        {
            foreach (var dto in page.Value) yield return map(dto);
            if (page.DeltaLink is not null) DeltaToken = page.DeltaLink;
        }
    }

    /// <summary>A stored token must be a delta link of the same service; anything else is a caller mistake.</summary>
    internal static string Validate(string token)
    {
        if (!Uri.TryCreate(token, UriKind.Absolute, out var url) || url.AbsolutePath.IndexOf("/delta", StringComparison.OrdinalIgnoreCase) < 0)
            throw new ArgumentException("The delta token is not one this module handed out. Pass the DeltaToken value of an earlier -Delta run, or omit it for a full sync.");
        return token;
    }
}
