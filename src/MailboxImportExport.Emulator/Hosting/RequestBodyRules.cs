using MailboxImportExport.Emulator.Graph;
using Microsoft.AspNetCore.Http.Features;

namespace MailboxImportExport.Emulator.Hosting;

/// <summary>
/// What the service checks of a request body before it reads it: JSON only (415 otherwise; a POST to a messages
/// collection also takes base64 MIME as text/plain, which the handler checks further) and no larger than the
/// route allows (413), both answered in the Graph envelope. Graph calls take up to 4 MiB (Graph's request limit; the
/// largest body the module sends there is an exportItems call of 20 ids); the importUrl takes an item of up to
/// 150 MiB, Exchange's largest message size, which is 200 MiB as base64, plus 1 MiB for the other fields.
/// </summary>
internal static class RequestBodyRules
{
    public const long GraphBodyLimit = 4L * 1024 * 1024;
    public const long ImportBodyLimit = 201L * 1024 * 1024;

    /// <summary>Kestrel's own ceiling: the largest limit of any route, so the per-route check is the one that answers.</summary>
    public const long LargestBodyLimit = ImportBodyLimit;

    /// <summary>Throws the service's 415 or 413 for a body this route does not take; sets the limit a chunked body is read against.</summary>
    public static void Check(HttpContext http, long limit, bool takesMime = false, string? tooLargeHint = null)
    {
        var request = http.Request;
        var hasBody = request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);
        if (!hasBody) return;
        if (!IsJson(request.ContentType) && !(takesMime && IsMediaType(request.ContentType, "text/plain")))
        {
            throw new GraphException(415, "UnsupportedMediaType",
                $"The content type '{request.ContentType ?? "(none)"}' is not supported; send the body as application/json.");
        }
        if (request.ContentLength > limit) throw TooLarge(limit, tooLargeHint);
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = limit;
    }

    public static GraphException TooLarge(long limit, string? hint = null) =>
        new(413, "RequestEntityTooLarge", $"The request body is larger than this endpoint accepts ({limit:N0} bytes)." + (hint is null ? "" : $" (Emulator: {hint})"));

    private static bool IsJson(string? contentType) => IsMediaType(contentType, "application/json");

    private static bool IsMediaType(string? contentType, string mediaType) =>
        contentType is not null && contentType.Split(';')[0].Trim().Equals(mediaType, StringComparison.OrdinalIgnoreCase);
}
