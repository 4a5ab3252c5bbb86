using System.Text.Json.Nodes;

namespace MailboxImportExport.Emulator.Auth;

/// <summary>
/// An error of the identity endpoints, answered in Entra ID's shape:
/// <c>{error, error_description, error_codes, timestamp, trace_id, correlation_id, error_uri}</c>.
/// </summary>
internal sealed class AadException : Exception
{
    public AadException(int statusCode, string error, int aadstsCode, string description)
        : base($"AADSTS{aadstsCode}: {description}")
    {
        StatusCode = statusCode;
        Error = error;
        AadstsCode = aadstsCode;
    }

    /// <summary>400 invalid_request AADSTS900144, Entra's answer to a request without a required parameter.</summary>
    public static AadException MissingParameter(string name) =>
        new(400, "invalid_request", 900144, $"The request body must contain the following parameter: '{name}'.");

    public int StatusCode { get; }
    public string Error { get; }
    public int AadstsCode { get; }

    public Task WriteAsync(HttpContext http, string requestId)
    {
        var now = DateTime.UtcNow;
        var correlationId = http.Request.Headers.TryGetValue("client-request-id", out var sent) ? sent.ToString() : requestId;
        var body = new JsonObject
        {
            ["error"] = Error,
            ["error_description"] = $"{Message} Trace ID: {requestId} Correlation ID: {correlationId} Timestamp: {now:yyyy-MM-dd HH:mm:ss}Z",
            ["error_codes"] = new JsonArray(AadstsCode),
            ["timestamp"] = $"{now:yyyy-MM-dd HH:mm:ss}Z",
            ["trace_id"] = requestId,
            ["correlation_id"] = correlationId,
            ["error_uri"] = $"https://login.microsoftonline.com/error?code={AadstsCode}",
        };
        return Graph.GraphResponses.WriteJsonAsync(http, StatusCode, body);
    }
}
