namespace MailboxImportExport.Emulator.Graph;

/// <summary>
/// An error answered with the Graph envelope <c>{"error":{"code","message","innerError":{...}}}</c>. Handlers throw
/// it; the pipeline writes it, so every route's errors have one shape.
/// </summary>
internal sealed class GraphException : Exception
{
    public GraphException(int statusCode, string code, string message, double? retryAfterSeconds = null)
        : base(message)
    {
        StatusCode = statusCode;
        Code = code;
        RetryAfterSeconds = retryAfterSeconds;
    }

    public int StatusCode { get; }
    public string Code { get; }
    public double? RetryAfterSeconds { get; }

    public static GraphException BadRequest(string message) => new(400, "BadRequest", message);

    public static GraphException InvalidRequest(string message) => new(400, "ErrorInvalidRequest", message);

    public static GraphException MalformedJson() => new(400, "BadRequest",
        "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.");

    public static GraphException SegmentNotFound(string segment) =>
        new(400, "BadRequest", $"Resource not found for the segment '{segment}'.");

    public static GraphException ItemNotFound() => new(404, "ErrorItemNotFound", "The specified object was not found in the store.");

    public static GraphException IdMalformed() => new(400, "ErrorInvalidIdMalformed", "Id is malformed.");

    public static GraphException TooManyRequests(double retryAfterSeconds) =>
        new(429, "TooManyRequests", "Please retry again later.", retryAfterSeconds);

    /// <summary>
    /// Outlook's throttling answer for a per-app-and-mailbox limit: MailboxConcurrency, RequestRate or IncomingBytes
    /// (the messages Microsoft Q&amp;A reports).
    /// </summary>
    public static GraphException ApplicationThrottled(string limit, double retryAfterSeconds) =>
        new(429, "ApplicationThrottled", $"Application is over its {limit} limit.", retryAfterSeconds) { ThrottledLimit = limit };

    /// <summary>The limit an ApplicationThrottled answer names; null for other errors.</summary>
    public string? ThrottledLimit { get; private init; }

    /// <summary>
    /// The error a fault injection answers with, for the statuses Graph documents as transient. 429 and 503 always
    /// carry Retry-After (1 second unless given); other statuses only when given.
    /// </summary>
    public static GraphException Fault(int statusCode, double? retryAfterSeconds) => statusCode switch
    {
        429 => TooManyRequests(retryAfterSeconds ?? 1),
        503 => new(503, "serviceNotAvailable", "The service is temporarily unavailable. Please retry later.", retryAfterSeconds ?? 1),
        504 => new(504, "gatewayTimeout", "The gateway did not receive a timely response from the service.", retryAfterSeconds),
        _ => new(statusCode, "generalException", $"Injected failure with status {statusCode}.", retryAfterSeconds),
    };
}
