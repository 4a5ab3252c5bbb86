using MailboxImportExport.Emulator.Graph;

namespace MailboxImportExport.Emulator.Hosting;

/// <summary>
/// What the pipeline learns about a request while it runs, for the request log and the fault runner: its route, the
/// lane it counted against, the fault it got, and how to expire the credential it came with.
/// </summary>
internal sealed class RequestTrace
{
    public RequestTrace(EmulatorRequestInfo info, DateTimeOffset started)
    {
        Info = info;
        Started = started;
    }

    public EmulatorRequestInfo Info { get; }
    public DateTimeOffset Started { get; }
    public EmulatorLane? Lane { get; set; }
    public EmulatorFault? Fault { get; set; }
    public string? Throttled { get; set; }
    public bool Dropped { get; set; }

    /// <summary>
    /// Set by the route that authenticated the request: expires its credential (import session or bearer token) and
    /// returns the 401 the service answers for an expired one.
    /// </summary>
    public Func<GraphException>? ExpireCredential { get; set; }

    public static RequestTrace Of(HttpContext http) =>
        http.Features.Get<RequestTrace>() ?? throw new InvalidOperationException("The request has no trace.");
}
