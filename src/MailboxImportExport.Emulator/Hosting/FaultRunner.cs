using MailboxImportExport.Emulator.Graph;
using Microsoft.AspNetCore.Http.Features;

namespace MailboxImportExport.Emulator.Hosting;

/// <summary>
/// Carries out a request under an injected fault (exactly-once-notes §6.6): an error before any work, the work then a
/// lost answer (error status or reset connection), a reset before any work, or a 504 now with the work done later.
/// Dropped connections are real: the connection is aborted, so the client gets an I/O error, not a status.
/// </summary>
internal static class FaultRunner
{
    public static async Task RunAsync(EmulatorState state, HttpContext http, EmulatorFault? fault, Func<HttpContext, Task> handler)
    {
        if (fault is null)
        {
            await handler(http);
            return;
        }
        var trace = RequestTrace.Of(http);
        trace.Fault = fault;
        // A dropped request is marked, and the pipeline aborts its connection once it is logged (so a test that sees
        // the I/O error finds the log entry): HTTP/1.1 closes the socket without a response, HTTP/2 resets the stream.
        switch (fault.Kind)
        {
            case EmulatorFaultKind.Status:
                throw GraphException.Fault(fault.StatusCode, fault.RetryAfterSeconds);
            case EmulatorFaultKind.ExpiredCredential:
                throw trace.ExpireCredential?.Invoke()
                    ?? new GraphException(401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.");
            case EmulatorFaultKind.Drop:
                await DrainRequestAsync(http);
                trace.Dropped = true;
                return;
            case EmulatorFaultKind.StatusAfterCommit:
                await RunAnswerLostAsync(http, handler);
                throw GraphException.Fault(fault.StatusCode, fault.RetryAfterSeconds);
            case EmulatorFaultKind.DropAfterCommit:
                await RunAnswerLostAsync(http, handler);
                trace.Dropped = true;
                return;
            case EmulatorFaultKind.LateCommit:
                var detached = await DetachAsync(http, state.LateCommits.Stopping);
                state.LateCommits.Schedule(fault.Delay, _ => handler(detached));
                throw GraphException.Fault(504, fault.RetryAfterSeconds);
            default:
                throw new InvalidOperationException($"Unknown fault kind {fault.Kind}.");
        }
    }

    /// <summary>Reads the whole request body first, so the client has sent everything and waits for an answer that never comes.</summary>
    private static Task DrainRequestAsync(HttpContext http) => http.Request.Body.CopyToAsync(Stream.Null, http.RequestAborted);

    /// <summary>Carries out the request, keeping whatever it changed and throwing away its answer (and its headers).</summary>
    private static async Task RunAnswerLostAsync(HttpContext http, Func<HttpContext, Task> handler)
    {
        var body = http.Response.Body;
        var headers = http.Response.Headers.ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase);
        http.Response.Body = Stream.Null;
        try
        {
            await handler(http);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The work failed; the client would not have seen that answer either.
        }
        finally
        {
            http.Response.Body = body;
            http.Response.Headers.Clear();
            foreach (var (name, value) in headers) http.Response.Headers[name] = value;
        }
    }

    /// <summary>A copy of the request that outlives it: method, target, headers and the body read into memory.</summary>
    private static async Task<HttpContext> DetachAsync(HttpContext http, CancellationToken stopping)
    {
        var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body, http.RequestAborted);
        body.Position = 0;
        var copy = new DefaultHttpContext { RequestAborted = stopping };
        var request = copy.Request;
        request.Method = http.Request.Method;
        request.Scheme = http.Request.Scheme;
        request.Host = http.Request.Host;
        request.PathBase = http.Request.PathBase;
        request.Path = http.Request.Path;
        request.QueryString = http.Request.QueryString;
        foreach (var (name, value) in http.Request.Headers) request.Headers[name] = value;
        request.Body = body;
        copy.Features.Get<IHttpRequestFeature>()!.RawTarget = http.Features.Get<IHttpRequestFeature>()?.RawTarget ?? "";
        copy.Features.Set(new RequestTrace(RequestTrace.Of(http).Info, DateTimeOffset.UtcNow));
        copy.Response.Body = Stream.Null;
        return copy;
    }
}
