using System.Net;
using System.Text;

namespace MailboxImportExport.Engine.Tests.Http;

/// <summary>An HTTP server in a box: answers each request with the next scripted response and records what was sent.</summary>
internal sealed class StubHandler : HttpMessageHandler
{
    private readonly Queue<Func<HttpRequestMessage, HttpResponseMessage>> _responses = new();
    public List<RecordedRequest> Requests { get; } = new();

    public StubHandler Respond(HttpStatusCode status, string? json = null, Action<HttpResponseMessage>? configure = null)
    {
        _responses.Enqueue(_ =>
        {
            var response = new HttpResponseMessage(status);
            if (json is not null) response.Content = new StringContent(json, Encoding.UTF8, "application/json");
            configure?.Invoke(response);
            return response;
        });
        return this;
    }

    /// <summary>The next request fails the way a dropped connection does.</summary>
    public StubHandler Drop()
    {
        _responses.Enqueue(_ => throw new HttpRequestException("The response ended prematurely.", new IOException("Connection reset by peer")));
        return this;
    }

    public List<HttpRequestMessage> Messages { get; } = new();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        Requests.Add(new RecordedRequest(request.Method, request.RequestUri!, request.Headers.Authorization?.ToString(), body));
        Messages.Add(request);
        if (_responses.Count == 0) throw new InvalidOperationException($"No response scripted for {request.Method} {request.RequestUri}");
        return _responses.Dequeue()(request);
    }
}

internal sealed record RecordedRequest(HttpMethod Method, Uri Url, string? Authorization, string? Body);
