using System.Net;
using System.Text.Json;
using MailboxImportExport.Engine.Diagnostics;

namespace MailboxImportExport.Engine.Http;

/// <summary>
/// A failed call to Graph or to an import URL, with what the service said: HTTP status, error code,
/// message and request id (the id Microsoft support asks for). The message is already redacted.
/// </summary>
public sealed class GraphException : Exception
{
    public GraphException(HttpStatusCode statusCode, string code, string message, string? requestId = null,
        string? method = null, string? url = null, TimeSpan? retryAfter = null)
        : base(Redactor.Redact(Compose(statusCode, code, message, requestId)))
    {
        StatusCode = statusCode;
        Code = code;
        ServiceMessage = Redactor.Redact(message);
        RequestId = requestId;
        Method = method;
        Url = url is null ? null : Redactor.Redact(url);
        RetryAfter = retryAfter;
    }

    public HttpStatusCode StatusCode { get; }
    /// <summary>The service's error code, e.g. <c>ErrorItemNotFound</c>; the HTTP status name when it gave none.</summary>
    public string Code { get; }
    public string ServiceMessage { get; }
    public string? RequestId { get; }
    public string? Method { get; }
    /// <summary>The request URL with any credential removed.</summary>
    public string? Url { get; }
    public TimeSpan? RetryAfter { get; }

    public bool IsNotFound => StatusCode == HttpStatusCode.NotFound;

    private static string Compose(HttpStatusCode status, string code, string message, string? requestId) =>
        $"{message} (HTTP {(int)status} {code}{(requestId is null ? "" : ", request-id " + requestId)})";

    /// <summary>
    /// Reads a failed response. Graph uses <c>{"error":{"code","message","innerError":{"request-id"}}}</c>;
    /// the import URL may answer <c>{"Message":"..."}</c>; AAD uses <c>{"error","error_description"}</c>.
    /// Anything else falls back to the status line, so a parsing problem never hides the failure.
    /// </summary>
    internal static async Task<GraphException> FromResponseAsync(HttpResponseMessage response, string method, string url)
    {
        var status = response.StatusCode;
        var code = status.ToString();
        var message = response.ReasonPhrase ?? code;
        string? requestId = HeaderValue(response, "request-id");
        string body = response.Content is null ? "" : await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        try
        {
            if (body.Length > 0 && body.TrimStart().StartsWith("{", StringComparison.Ordinal))
            {
                using var doc = JsonDocument.Parse(body);
                var root = doc.RootElement;
                if (TryGet(root, "error", out var error) && error.ValueKind == JsonValueKind.Object)
                {
                    code = StringOf(error, "code") ?? code;
                    message = StringOf(error, "message") ?? message;
                    if (TryGet(error, "innerError", out var inner) && inner.ValueKind == JsonValueKind.Object)
                        requestId = StringOf(inner, "request-id") ?? requestId;
                }
                else if (error.ValueKind == JsonValueKind.String)
                {
                    code = error.GetString() ?? code;
                    message = StringOf(root, "error_description") ?? message;
                }
                else
                {
                    message = StringOf(root, "message") ?? message;
                }
            }
            else if (body.Length > 0 && body.Length < 500)
            {
                message = body.Trim();
            }
        }
        catch (JsonException)
        {
            // A malformed error body still yields the status line.
        }

        return new GraphException(status, code, message, requestId, method, url, RetryAfterOf(response));
    }

    internal static TimeSpan? RetryAfterOf(HttpResponseMessage response)
    {
        var retry = response.Headers.RetryAfter;
        if (retry?.Delta is { } delta) return delta;
        if (retry?.Date is { } date) return date - DateTimeOffset.UtcNow;
        // Graph sends fractional seconds ("2.128"), which the typed header parser rejects.
        if (response.Headers.TryGetValues("Retry-After", out var values) &&
            double.TryParse(values.FirstOrDefault(), System.Globalization.NumberStyles.Float,
                System.Globalization.CultureInfo.InvariantCulture, out var seconds))
            return TimeSpan.FromSeconds(seconds);
        return null;
    }

    private static string? HeaderValue(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    // The service is inconsistent about casing ("error" vs "Error", "Message" vs "message").
    internal static bool TryGet(JsonElement obj, string name, out JsonElement value)
    {
        foreach (var property in obj.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }
        value = default;
        return false;
    }

    private static string? StringOf(JsonElement obj, string name) =>
        TryGet(obj, name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
