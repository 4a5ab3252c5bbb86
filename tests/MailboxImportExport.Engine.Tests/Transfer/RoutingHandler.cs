using System.Collections.Concurrent;
using System.Net;
using System.Text;
using MailboxImportExport.Engine.Auth;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Tests.Http;

namespace MailboxImportExport.Engine.Tests.Transfer;

/// <summary>
/// A fake service for concurrent callers: every request is answered by a function of the request (not by a script
/// in order), recorded, and counted while in flight, per path prefix, so tests can see how many calls overlapped.
/// </summary>
internal sealed class RoutingHandler : HttpMessageHandler
{
    public const string GraphRoot = "https://graph.example.test/";
    public const string GraphToken = "graph-token";

    private readonly Func<HttpRequestMessage, string?, CancellationToken, Task<HttpResponseMessage>> _respond;
    private readonly ConcurrentDictionary<string, int> _inFlight = new();
    private readonly ConcurrentDictionary<string, int> _maxInFlight = new();

    public RoutingHandler(Func<HttpRequestMessage, string?, CancellationToken, Task<HttpResponseMessage>> respond) => _respond = respond;

    public RoutingHandler(Func<HttpRequestMessage, string?, Task<HttpResponseMessage>> respond) => _respond = (request, body, _) => respond(request, body);

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>The most requests that were in flight at once on a path containing <paramref name="pathPart"/>.</summary>
    public int MaxInFlight(string pathPart) => _maxInFlight.TryGetValue(pathPart, out var max) ? max : 0;

    /// <summary>Path parts whose concurrency is tracked, e.g. one per mailbox.</summary>
    public List<string> Tracked { get; } = new();

    /// <summary>The lanes of this fake service's clients: its own, so tests running side by side never share a mailbox's lane.</summary>
    public MailboxLanes Lanes { get; set; } = new();

    public GraphClient Client() =>
        new(new GraphClientOptions { GraphRoot = new Uri(GraphRoot), ApiVersion = "v1.0", MaxRetries = 1, Lanes = Lanes },
            new StaticTokenProvider(GraphToken), this, (_, _) => Task.CompletedTask);

    public IEnumerable<RecordedRequest> To(string pathPart) =>
        Requests.Where(r => r.Url.AbsolutePath.Contains(pathPart, StringComparison.Ordinal));

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        Requests.Enqueue(new RecordedRequest(request.Method, request.RequestUri!, request.Headers.Authorization?.ToString(), body));
        var tracked = Tracked.Where(part => request.RequestUri!.AbsolutePath.Contains(part, StringComparison.Ordinal)).ToList();
        foreach (var part in tracked)
        {
            var now = _inFlight.AddOrUpdate(part, 1, (_, n) => n + 1);
            _maxInFlight.AddOrUpdate(part, now, (_, max) => Math.Max(max, now));
        }
        try
        {
            return await _respond(request, body, cancellationToken);
        }
        finally
        {
            foreach (var part in tracked) _inFlight.AddOrUpdate(part, 0, (_, n) => n - 1);
        }
    }

    public static HttpResponseMessage Json(HttpStatusCode status, string json) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
}
