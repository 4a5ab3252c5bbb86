using System.Net;

namespace MailboxImportExport.Engine.Http;

/// <summary>What a failed attempt leads to.</summary>
internal enum AttemptVerdict
{
    /// <summary>The call failed for good: its error goes to the caller.</summary>
    Fail,
    /// <summary>Nothing happened at the service, or doing it twice is harmless: send it again.</summary>
    Retry,
    /// <summary>The service may or may not have done the work: the caller must find out before sending again.</summary>
    OutcomeUnknown,
}

/// <summary>
/// Which failures of a call may be answered by sending it again, chosen per call: reads, exports and session or
/// folder calls are safe to resend; an import-URL post is not (a create that committed before its answer was lost
/// would make a second item), so only what certainly imported nothing is resent and every ambiguous outcome goes
/// back to the caller as <see cref="ImportOutcomeUnknownException"/> for the journal's resolution.
/// </summary>
public sealed class RetryPolicy
{
    private readonly HashSet<int> _retried;
    private readonly HashSet<int> _unknown;
    private readonly AttemptVerdict _onTransportFailure;

    private RetryPolicy(string name, int[] retried, int[] unknown, AttemptVerdict onTransportFailure)
    {
        Name = name;
        _retried = new HashSet<int>(retried);
        _unknown = new HashSet<int>(unknown);
        _onTransportFailure = onTransportFailure;
    }

    /// <summary>
    /// Graph reads, exportItems, createImportSession, folder calls: 429, 503, 504, a dropped connection and a timeout
    /// are retried (a folder create that did land answers 409 the second time, which its caller resolves).
    /// </summary>
    public static RetryPolicy Resend { get; } = new(nameof(Resend), new[] { 429, 503, 504 }, Array.Empty<int>(), AttemptVerdict.Retry);

    /// <summary>
    /// Import-URL posts: only 429 is retried here (the service refused before doing anything). 408, 500, 502, 503,
    /// 504, a dropped connection and a timeout leave the outcome unknown. 401/403 (expired session) and 409 (archive
    /// session mismatch) imported nothing either; they need a new session, which the import service makes.
    /// </summary>
    public static RetryPolicy ImportPost { get; } = new(nameof(ImportPost), new[] { 429 }, new[] { 408, 500, 502, 503, 504 }, AttemptVerdict.OutcomeUnknown);

    /// <summary>
    /// Calls that must not be repeated blindly and whose caller finds out for itself what happened (a staging draft's
    /// creation, an attachment range on an upload URL): only 429 (refused before any work) is resent; every other
    /// failure, a dropped connection included, goes to the caller.
    /// </summary>
    public static RetryPolicy RefusedOnly { get; } = new(nameof(RefusedOnly), new[] { 429 }, Array.Empty<int>(), AttemptVerdict.Fail);

    public string Name { get; }

    internal AttemptVerdict OnStatus(HttpStatusCode status) =>
        _retried.Contains((int)status) ? AttemptVerdict.Retry
        : _unknown.Contains((int)status) ? AttemptVerdict.OutcomeUnknown
        : AttemptVerdict.Fail;

    /// <summary>The connection dropped, or no answer came in time.</summary>
    internal AttemptVerdict OnTransportFailure() => _onTransportFailure;

    public override string ToString() => Name;
}

/// <summary>
/// An import post whose outcome is unknown: the service may have created the item (a 5xx after the commit, an
/// answer lost with its connection, a timeout) or not. Sending it again blindly could make a second copy, so the
/// caller resolves it first (see docs/exactly-once.md).
/// </summary>
public sealed class ImportOutcomeUnknownException : Exception
{
    public ImportOutcomeUnknownException(string reason, HttpStatusCode? statusCode, DateTimeOffset sentAt, Exception? inner = null)
        : base($"The import may or may not have happened: {reason}. It is resolved before the item is sent again.", inner)
    {
        Reason = reason;
        StatusCode = statusCode;
        SentAt = sentAt;
    }

    public string Reason { get; }
    /// <summary>The status the service answered, or null when no answer came (dropped connection, timeout).</summary>
    public HttpStatusCode? StatusCode { get; }
    /// <summary>When the post was sent, in the service's time (local clock corrected by the Date headers seen).</summary>
    public DateTimeOffset SentAt { get; }
}
