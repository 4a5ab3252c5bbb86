using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using MailboxImportExport.Engine.Auth;
using MailboxImportExport.Engine.Diagnostics;

namespace MailboxImportExport.Engine.Http;

public sealed class GraphClientOptions
{
    /// <summary>The service root, e.g. <c>https://graph.microsoft.com/</c> or an emulator's base URL.</summary>
    public Uri GraphRoot { get; set; } = new("https://graph.microsoft.com/");
    /// <summary><c>v1.0</c> or <c>beta</c>.</summary>
    public string ApiVersion { get; set; } = "v1.0";
    /// <summary>How often a throttled (429) or unavailable (503/504) call is retried before it fails.</summary>
    public int MaxRetries { get; set; } = 6;
    /// <summary>The longest single wait between retries, whatever Retry-After asks for.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(2);
}

/// <summary>
/// The one HTTP pipeline for every call the module makes: Graph calls (with a bearer token) and import-URL
/// posts (never with one). It parses the Graph error envelope into <see cref="GraphException"/>, retries
/// 429/503/504 after Retry-After, refreshes the token once on 401, streams <c>@odata.nextLink</c> pages, and
/// honours cancellation everywhere.
/// </summary>
public sealed class GraphClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly ITokenProvider _tokens;
    private readonly GraphClientOptions _options;
    private readonly Func<TimeSpan, CancellationToken, Task> _delay;

    public GraphClient(GraphClientOptions options, ITokenProvider tokens, HttpMessageHandler handler,
        Func<TimeSpan, CancellationToken, Task>? delay = null)
    {
        _options = options;
        _tokens = tokens;
        // Redirects are followed by MailboxRedirect, which keeps the Authorization header; the handler would drop it.
        if (handler is HttpClientHandler redirecting) redirecting.AllowAutoRedirect = false;
        _http = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        _delay = delay ?? Task.Delay;
        BaseUri = new Uri(EnsureTrailingSlash(options.GraphRoot), options.ApiVersion.Trim('/') + "/");
    }

    /// <summary>The versioned Graph base, e.g. <c>https://graph.microsoft.com/v1.0/</c>.</summary>
    public Uri BaseUri { get; }
    public string ApiVersion => _options.ApiVersion;
    public ITokenProvider Tokens => _tokens;

    public Task<T> GetAsync<T>(string url, CancellationToken ct) => SendJsonAsync<T>(HttpMethod.Get, url, null, ct);
    public Task<T> PostAsync<T>(string url, object? body, CancellationToken ct) => SendJsonAsync<T>(HttpMethod.Post, url, body, ct);
    public Task<T> PatchAsync<T>(string url, object body, CancellationToken ct) => SendJsonAsync<T>(new HttpMethod("PATCH"), url, body, ct);

    public async Task DeleteAsync(string url, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Delete, Resolve(url), null, authenticate: true, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Streams a collection page by page: the next page is requested only when the caller has consumed the
    /// previous one, so the first items reach the pipeline at once and memory does not grow with the collection.
    /// </summary>
    public async IAsyncEnumerable<ODataPage<T>> GetPagesAsync<T>(string url, IReadOnlyDictionary<string, string>? headers = null,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        Uri? next = Resolve(url);
        while (next is not null)
        {
            ct.ThrowIfCancellationRequested();
            using var response = await SendAsync(HttpMethod.Get, next, null, authenticate: true, ct, headers).ConfigureAwait(false);
            var page = await ReadJsonAsync<ODataPage<T>>(response, ct).ConfigureAwait(false);
            yield return page;
            next = page.NextLink is null ? null : Resolve(page.NextLink);
        }
    }

    public async IAsyncEnumerable<T> GetAllAsync<T>(string url, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var page in GetPagesAsync<T>(url, null, ct).ConfigureAwait(false))
            foreach (var item in page.Value)
                yield return item;
    }

    /// <summary>
    /// Posts to a pre-authenticated import URL. It carries its own credential, so no Authorization header is
    /// ever sent with it; the URL itself is never logged.
    /// </summary>
    internal async Task<T> PostToImportUrlAsync<T>(Uri importUrl, Func<HttpContent> content, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Post, importUrl, content, authenticate: false, ct).ConfigureAwait(false);
        return await ReadJsonAsync<T>(response, ct).ConfigureAwait(false);
    }

    /// <summary>Posts a body that is not JSON (base64 MIME as text/plain, say) to a Graph URL and reads the JSON answer.</summary>
    internal async Task<T> PostContentAsync<T>(string url, Func<HttpContent> content, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Post, Resolve(url), content, authenticate: true, ct).ConfigureAwait(false);
        return await ReadJsonAsync<T>(response, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends to an attachment upload URL. Like an import URL it carries its own credential (the service refuses a
    /// bearer token there), is never logged in full, and only 429 is retried here: whether a failed range was taken
    /// is for the uploader to find out. The caller disposes the successful response.
    /// </summary>
    internal Task<HttpResponseMessage> SendToUploadUrlAsync(HttpMethod method, Uri uploadUrl, Func<HttpContent>? content, CancellationToken ct) =>
        SendAsync(method, uploadUrl, content, authenticate: false, ct);

    internal static Task<T> ReadJsonAsync<T>(HttpResponseMessage response) => ReadJsonAsync<T>(response, CancellationToken.None);

    /// <summary>
    /// Posts JSON and hands the success response's body to <paramref name="readBody"/> as a stream, for answers
    /// too large to deserialize whole (exportItems carries up to 20 items as base64).
    /// </summary>
    internal async Task<T> PostAsync<T>(string url, object body, Func<Stream, CancellationToken, Task<T>> readBody, CancellationToken ct)
    {
        using var response = await SendWithJsonBodyAsync(HttpMethod.Post, url, body, ct).ConfigureAwait(false);
        using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
        return await readBody(stream, ct).ConfigureAwait(false);
    }

    private async Task<T> SendJsonAsync<T>(HttpMethod method, string url, object? body, CancellationToken ct)
    {
        using var response = await SendWithJsonBodyAsync(method, url, body, ct).ConfigureAwait(false);
        return await ReadJsonAsync<T>(response, ct).ConfigureAwait(false);
    }

    private Task<HttpResponseMessage> SendWithJsonBodyAsync(HttpMethod method, string url, object? body, CancellationToken ct)
    {
        Func<HttpContent>? content = null;
        if (body is not null)
        {
            var bytes = JsonSerializer.SerializeToUtf8Bytes(body, body.GetType(), Json.Options);
            content = () => JsonContent(bytes);
        }
        return SendAsync(method, Resolve(url), content, authenticate: true, ct);
    }

    internal static HttpContent JsonContent(byte[] utf8Json)
    {
        var content = new ByteArrayContent(utf8Json);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }

    /// <summary>
    /// Sends one logical request, retrying transient failures. The request is rebuilt for every attempt
    /// (an HttpRequestMessage cannot be sent twice), which is why the body comes as a factory.
    /// </summary>
    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri url, Func<HttpContent>? content, bool authenticate,
        CancellationToken ct, IReadOnlyDictionary<string, string>? headers = null)
    {
        if (authenticate) EnsureSameServiceHost(url);
        var shownUrl = authenticate ? url.ToString() : Redactor.DescribeUrl(url);
        var refreshedToken = false;
        var redirects = 0;
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, url);
            if (content is not null) request.Content = content();
            request.Headers.Add("client-request-id", Guid.NewGuid().ToString());
            if (headers is not null)
                foreach (var header in headers) request.Headers.TryAddWithoutValidation(header.Key, header.Value);
            if (authenticate)
            {
                var token = await _tokens.GetTokenAsync(forceRefresh: refreshedToken && attempt > 0, ct).ConfigureAwait(false);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
            }

            EngineLog.Debug($"{method} {shownUrl}");
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                throw new GraphException(0, "ConnectionFailed",
                    $"Could not reach {url.Host}: {Innermost(e).Message}", method: method.Method, url: shownUrl);
            }
            EngineLog.Debug($"{method} {shownUrl} -> {(int)response.StatusCode}");
            if (response.IsSuccessStatusCode) return response;

            using (response)
            {
                if (authenticate && MailboxRedirect.IsRedirect(response))
                {
                    url = MailboxRedirect.Next(response, url, BaseUri, ++redirects);
                    EngineLog.Verbose($"The service redirected {method} {shownUrl} to {url} (the data lives in another mailbox); following it.");
                    shownUrl = url.ToString();
                    attempt--; // a redirect is not a retry
                    continue;
                }
                if (IsRetryable(response.StatusCode, authenticate) && attempt < _options.MaxRetries)
                {
                    var wait = RetryDelay(response, attempt);
                    EngineLog.Verbose($"The service answered {(int)response.StatusCode} ({response.ReasonPhrase}) to {method} {shownUrl}; retrying in {wait.TotalSeconds:0.###} s (attempt {attempt + 2} of {_options.MaxRetries + 1}).");
                    await _delay(wait, ct).ConfigureAwait(false);
                    continue;
                }
                if (response.StatusCode == HttpStatusCode.Unauthorized && authenticate && !refreshedToken && _tokens.CanRefresh)
                {
                    EngineLog.Verbose($"The service rejected the access token for {method} {shownUrl}; acquiring a new one and retrying once.");
                    refreshedToken = true;
                    continue;
                }
                throw await GraphException.FromResponseAsync(response, method.Method, shownUrl).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// 429 means the request was not processed, so it is always safe to send again. A 503/504 may come after the
    /// work was done: Graph calls are retried anyway, but an import-URL post (the only unauthenticated call) is
    /// not, since repeating it could import the item twice.
    /// </summary>
    private static bool IsRetryable(HttpStatusCode status, bool graphCall) =>
        (int)status == 429 || (graphCall && (status == HttpStatusCode.ServiceUnavailable || status == HttpStatusCode.GatewayTimeout));

    private TimeSpan RetryDelay(HttpResponseMessage response, int attempt)
    {
        var wait = GraphException.RetryAfterOf(response)
                   ?? TimeSpan.FromSeconds(Math.Pow(2, attempt) + ThreadSafeRandom.NextDouble());
        if (wait < TimeSpan.Zero) wait = TimeSpan.Zero;
        return wait > _options.MaxRetryDelay ? _options.MaxRetryDelay : wait;
    }

    private static async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, CancellationToken ct)
    {
        if (typeof(T) == typeof(NoContent)) return (T)(object)NoContent.Value;
        using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(stream, Json.Options, ct).ConfigureAwait(false)
                   ?? throw new JsonException("The response body was empty.");
        }
        catch (JsonException e)
        {
            throw new GraphException(response.StatusCode, "InvalidResponse",
                $"The service's response could not be read as {typeof(T).Name}: {e.Message}");
        }
    }

    /// <summary>Relative paths are taken under the versioned base; absolute links (nextLink) as they are.</summary>
    internal Uri Resolve(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var absolute) && absolute.Scheme.StartsWith("http", StringComparison.OrdinalIgnoreCase)
            ? absolute
            : new Uri(BaseUri, url.TrimStart('/'));

    /// <summary>The bearer token goes only to the Graph host it was issued for, whatever a link says.</summary>
    private void EnsureSameServiceHost(Uri url)
    {
        if (!string.Equals(url.Scheme, BaseUri.Scheme, StringComparison.OrdinalIgnoreCase) ||
            !string.Equals(url.Authority, BaseUri.Authority, StringComparison.OrdinalIgnoreCase))
            throw new GraphException(0, "UnexpectedHost",
                $"Refusing to send the access token to {url.Scheme}://{url.Authority}: only {BaseUri.Scheme}://{BaseUri.Authority} is trusted with it.");
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e;
    }

    private static Uri EnsureTrailingSlash(Uri uri) => uri.AbsoluteUri.EndsWith("/", StringComparison.Ordinal) ? uri : new Uri(uri.AbsoluteUri + "/");

    public void Dispose() => _http.Dispose();
}

/// <summary>The result type of calls whose success has no body (204).</summary>
public sealed class NoContent
{
    public static readonly NoContent Value = new();
    private NoContent() { }
}

internal static class ThreadSafeRandom
{
    private static readonly ThreadLocal<Random> Local = new(() => new Random(Guid.NewGuid().GetHashCode()));
    public static double NextDouble() => Local.Value!.NextDouble();
}
