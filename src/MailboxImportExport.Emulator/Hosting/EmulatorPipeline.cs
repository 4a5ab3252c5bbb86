using System.Globalization;
using MailboxImportExport.Emulator.Auth;
using MailboxImportExport.Emulator.Graph;
using MailboxImportExport.Emulator.Outlook;

namespace MailboxImportExport.Emulator.Hosting;

/// <summary>
/// The one request handler: assigns the request id, applies injected faults, routes to Graph (/v1.0, /beta), the
/// importUrl (/api/g…), the identity endpoints, the device login page or the managed identity endpoint (/msi/token), turns errors into their envelopes, and logs the outcome.
/// </summary>
internal sealed class EmulatorPipeline
{
    private readonly EmulatorState _state;
    private readonly IdentityEndpoints _identity;
    private readonly DeviceLoginPage _deviceLogin;
    private readonly ControlEndpoints _control;

    public EmulatorPipeline(EmulatorState state, IdentityEndpoints identity)
    {
        _state = state;
        _identity = identity;
        _deviceLogin = new DeviceLoginPage(state);
        _control = new ControlEndpoints(state);
    }

    public async Task HandleAsync(HttpContext http)
    {
        var started = DateTimeOffset.UtcNow;
        var requestId = Guid.NewGuid().ToString();
        http.Response.Headers["request-id"] = requestId;
        http.Response.Headers["client-request-id"] = GraphResponses.ClientRequestId(http, requestId);
        // The service's clock, skewed as configured: what a client estimates the service's time from (§6.7).
        http.Response.Headers.Date = _state.Clock.GetUtcNow().ToString("R", CultureInfo.InvariantCulture);
        var (rawPath, _) = CollectionResponse.RawPathAndQuery(http);
        var segments = rawPath.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToList();
        var path = "/" + string.Join("/", segments);
        // The test's own hooks: outside the service, so never logged, limited or faulted.
        if (ControlEndpoints.IsRoute(segments))
        {
            await _control.HandleAsync(http, segments);
            return;
        }
        var info = new EmulatorRequestInfo(http.Request.Method, path) { Route = EmulatorRoutes.Classify(http.Request.Method, segments) };
        var trace = new RequestTrace(info, started);
        http.Features.Set(trace);
        try
        {
            // Mailbox requests take their fault inside the mailbox gate, once authenticated and admitted; the rest here.
            if (EmulatorRoutes.IsMailboxRoute(info.Route)) await RouteAsync(http, segments, requestId);
            else await FaultRunner.RunAsync(_state, http, _state.Faults.TryTake(info), context => RouteAsync(context, segments, requestId));
        }
        catch (RedirectException e) when (!http.Response.HasStarted && !trace.Dropped)
        {
            http.Response.StatusCode = 308;
            http.Response.Headers.Location = e.Location;
            http.Response.ContentLength = 0;
        }
        catch (GraphException e) when (!http.Response.HasStarted && !trace.Dropped)
        {
            await GraphResponses.WriteErrorAsync(http, e, requestId, _state.Clock.GetUtcNow());
        }
        catch (BadHttpRequestException e) when (e.StatusCode == 413 && !http.Response.HasStarted && !trace.Dropped)
        {
            // A body sent without Content-Length ran past the route's limit while it was read.
            await GraphResponses.WriteErrorAsync(http, RequestBodyRules.TooLarge(http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize ?? 0), requestId, _state.Clock.GetUtcNow());
        }
        catch (AadException e) when (!http.Response.HasStarted && !trace.Dropped)
        {
            await e.WriteAsync(http, requestId);
        }
        catch (Exception e) when (e is not OperationCanceledException && !http.Response.HasStarted && !trace.Dropped)
        {
            var failure = new GraphException(500, "generalException", $"The emulator failed: {e.GetType().Name}: {e.Message}");
            await GraphResponses.WriteErrorAsync(http, failure, requestId, _state.Clock.GetUtcNow());
        }
        finally
        {
            _state.RequestLog.Add(new EmulatorRequestLogEntry(
                http.Request.Method,
                path,
                RequestLog.Describe(http.Request.QueryString.Value ?? ""),
                http.Request.Headers.ContainsKey("Authorization"),
                trace.Dropped ? 0 : http.Response.StatusCode,
                DateTimeOffset.UtcNow)
            {
                Started = started,
                Route = info.Route,
                AppId = trace.Lane?.AppId,
                MailboxId = trace.Lane?.MailboxId,
                Fault = trace.Fault?.Name,
                Throttled = trace.Throttled,
                Dropped = trace.Dropped,
            });
            if (trace.Dropped) http.Abort();
        }
    }

    private Task RouteAsync(HttpContext http, List<string> segments, string requestId)
    {
        if (segments.Count > 0 && segments[0] is "v1.0" or "beta")
        {
            var createsMessage = http.Request.Method == "POST" && segments[^1] == "messages";
            var tooLargeHint = segments[^1] == "attachments" ? OutlookHandlers.UploadSessionHint : null;
            RequestBodyRules.Check(http, RequestBodyRules.GraphBodyLimit, takesMime: createsMessage, tooLargeHint);
            return GraphRouter.DispatchAsync(new GraphRequest(http, _state, segments[0], segments.Skip(1).ToList()));
        }
        if (ImportRoute.TryMatch(segments, out var version, out var mailboxId))
        {
            RequestBodyRules.Check(http, RequestBodyRules.ImportBodyLimit);
            var request = new GraphRequest(http, _state, version, segments);
            var mailbox = MailboxHandlers.Resolve(_state.Store, mailboxId, request.IsBeta);
            if (http.Request.Method != "POST") throw new GraphException(405, "Request_BadRequest", "The importUrl accepts POST only.");
            var appId = ImportHandlers.Authenticate(request, mailbox);
            return MailboxGate.RunAsync(_state, http, appId, mailbox.Id, context => ImportHandlers.ImportItemAsync(request.On(context), mailbox));
        }
        if (UploadSessions.IsRoute(segments)) return _state.UploadSessions.HandleUploadUrlAsync(http, segments);
        if (IdentityEndpoints.IsIdentityRoute(segments)) return _identity.HandleAsync(http, segments);
        if (ManagedIdentities.IsRoute(segments)) return _state.ManagedIdentities.HandleAsync(http, requestId);
        if (DeviceLoginPage.IsRoute(segments)) return _deviceLogin.HandleAsync(http);
        throw GraphException.SegmentNotFound(segments.Count == 0 ? "/" : segments[0]);
    }
}

/// <summary>api/g{v1.0|beta}/Mailboxes('{mailboxId}')/importItem.</summary>
internal static class ImportRoute
{
    private const string Prefix = "Mailboxes('";

    public static bool TryMatch(IReadOnlyList<string> segments, out string version, out string mailboxId)
    {
        version = mailboxId = "";
        if (segments.Count != 4 || segments[0] != "api" || segments[1] is not ("gv1.0" or "gbeta")
            || !segments[3].Equals("importItem", StringComparison.OrdinalIgnoreCase)
            || !segments[2].StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || !segments[2].EndsWith("')", StringComparison.Ordinal))
        {
            return false;
        }
        version = segments[1].Substring(1);
        mailboxId = segments[2].Substring(Prefix.Length, segments[2].Length - Prefix.Length - 2);
        return true;
    }
}
