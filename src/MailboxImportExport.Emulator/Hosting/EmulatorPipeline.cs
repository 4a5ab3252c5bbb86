using MailboxImportExport.Emulator.Auth;
using MailboxImportExport.Emulator.Graph;

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

    public EmulatorPipeline(EmulatorState state, IdentityEndpoints identity)
    {
        _state = state;
        _identity = identity;
        _deviceLogin = new DeviceLoginPage(state);
    }

    public async Task HandleAsync(HttpContext http)
    {
        var requestId = Guid.NewGuid().ToString();
        http.Response.Headers["request-id"] = requestId;
        http.Response.Headers["client-request-id"] = GraphResponses.ClientRequestId(http, requestId);
        var (rawPath, _) = CollectionResponse.RawPathAndQuery(http);
        var segments = rawPath.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToList();
        var path = "/" + string.Join("/", segments);
        try
        {
            if (_state.Faults.TryTake(new EmulatorRequestInfo(http.Request.Method, path)) is { } fault) throw fault;
            await RouteAsync(http, segments, requestId);
        }
        catch (RedirectException e) when (!http.Response.HasStarted)
        {
            http.Response.StatusCode = 308;
            http.Response.Headers.Location = e.Location;
            http.Response.ContentLength = 0;
        }
        catch (GraphException e) when (!http.Response.HasStarted)
        {
            await GraphResponses.WriteErrorAsync(http, e, requestId);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == 413 && !http.Response.HasStarted)
        {
            // A body sent without Content-Length ran past the route's limit while it was read.
            await GraphResponses.WriteErrorAsync(http, RequestBodyRules.TooLarge(http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize ?? 0), requestId);
        }
        catch (AadException e) when (!http.Response.HasStarted)
        {
            await e.WriteAsync(http, requestId);
        }
        catch (Exception e) when (e is not OperationCanceledException && !http.Response.HasStarted)
        {
            await GraphResponses.WriteErrorAsync(http, new GraphException(500, "generalException", $"The emulator failed: {e.GetType().Name}: {e.Message}"), requestId);
        }
        finally
        {
            _state.RequestLog.Add(new EmulatorRequestLogEntry(
                http.Request.Method,
                path,
                RequestLog.Describe(http.Request.QueryString.Value ?? ""),
                http.Request.Headers.ContainsKey("Authorization"),
                http.Response.StatusCode,
                DateTimeOffset.UtcNow));
        }
    }

    private Task RouteAsync(HttpContext http, List<string> segments, string requestId)
    {
        if (segments.Count > 0 && segments[0] is "v1.0" or "beta")
        {
            RequestBodyRules.Check(http, RequestBodyRules.GraphBodyLimit);
            return GraphRouter.DispatchAsync(new GraphRequest(http, _state, segments[0], segments.Skip(1).ToList()));
        }
        if (ImportRoute.TryMatch(segments, out var version, out var mailboxId))
        {
            RequestBodyRules.Check(http, RequestBodyRules.ImportBodyLimit);
            var request = new GraphRequest(http, _state, version, segments);
            var mailbox = MailboxHandlers.Resolve(_state.Store, mailboxId, request.IsBeta);
            if (http.Request.Method != "POST") throw new GraphException(405, "Request_BadRequest", "The importUrl accepts POST only.");
            return MailboxGate.RunAsync(_state, mailbox.Id, () => ImportHandlers.ImportItemAsync(request, mailbox));
        }
        if (IdentityEndpoints.IsIdentityRoute(segments)) return _identity.HandleAsync(http, segments);
        if (ManagedIdentities.IsRoute(segments)) return _state.ManagedIdentities.HandleAsync(http, requestId);
        if (DeviceLoginPage.IsRoute(segments)) return _deviceLogin.HandleAsync(http);
        throw GraphException.SegmentNotFound(segments.Count == 0 ? "/" : segments[0]);
    }

    /// <summary>api/g{v1.0|beta}/Mailboxes('{mailboxId}')/importItem.</summary>
    private static class ImportRoute
    {
        private const string Prefix = "Mailboxes('";

        public static bool TryMatch(List<string> segments, out string version, out string mailboxId)
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
}
