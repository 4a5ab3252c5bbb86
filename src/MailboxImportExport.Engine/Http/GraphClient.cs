using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
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
    /// <summary>How often a call is sent again after a failure its retry policy allows retrying.</summary>
    public int MaxRetries { get; set; } = 6;
    /// <summary>The longest single wait between retries, whatever Retry-After asks for.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(2);
    /// <summary>How long one attempt may wait for the answer's headers before it counts as lost.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>
    /// Who calls: the signed-in app (tenant and client id). Calls for one mailbox by the same app share a lane, as
    /// the service counts them; the Graph root is added, so two services (emulators) never share one.
    /// </summary>
    public string? App { get; set; }
    /// <summary>The lanes to pace mailbox calls through; null for the process-wide <see cref="MailboxLanes.Shared"/>.</summary>
    public MailboxLanes? Lanes { get; set; }
    /// <summary>The User-Agent header; null for <see cref="Http.UserAgent.For"/> with the runtime as host.</summary>
    public string? UserAgent { get; set; }
}

/// <summary>
/// The one HTTP pipeline for every call the module makes: Graph calls (with a bearer token) and import-URL
/// posts (never with one). Every call for a mailbox passes through that mailbox's lane (in-flight limit, request and
/// upload budgets, the service's Retry-After), is retried as its <see cref="RetryPolicy"/> allows under one
/// client-request-id, refreshes the token once on 401, and honours cancellation everywhere. Failures become
/// <see cref="GraphException"/>, ambiguous import outcomes <see cref="ImportOutcomeUnknownException"/>.
/// </summary>
public sealed class GraphClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly ITokenProvider _tokens;
    private readonly GraphClientOptions _options;
    private readonly Func<TimeSpan, CancellationToken, Task> _delay;
    private readonly MailboxLanes _lanes;
    private readonly string _app;
    private readonly string _userAgent;
    private readonly FolderRedirects _folderRedirects = new();
    private long _serviceClockOffsetTicks;

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
        _lanes = options.Lanes ?? MailboxLanes.Shared;
        _app = $"{options.App ?? "app"}@{BaseUri.Authority}";
        _userAgent = options.UserAgent ?? UserAgent.For(null);
    }

    /// <summary>The versioned Graph base, e.g. <c>https://graph.microsoft.com/v1.0/</c>.</summary>
    public Uri BaseUri { get; }
    public string ApiVersion => _options.ApiVersion;
    public ITokenProvider Tokens => _tokens;
    public TimeSpan AttemptTimeout => _options.AttemptTimeout;

    /// <summary>The service's clock: the local one corrected by the Date headers of recent answers.</summary>
    public DateTimeOffset ServiceNow() => DateTimeOffset.UtcNow + TimeSpan.FromTicks(Interlocked.Read(ref _serviceClockOffsetTicks));

    /// <summary>The lane the calls of this connection for <paramref name="mailboxId"/> go through.</summary>
    public MailboxLane LaneOf(string mailboxId) => _lanes.For(_app, mailboxId);

    public Task<T> GetAsync<T>(string url, CancellationToken ct) => SendJsonAsync<T>(HttpMethod.Get, url, null, ct);
    public Task<T> PostAsync<T>(string url, object? body, CancellationToken ct) => SendJsonAsync<T>(HttpMethod.Post, url, body, ct);
    public Task<T> PatchAsync<T>(string url, object body, CancellationToken ct) => SendJsonAsync<T>(new HttpMethod("PATCH"), url, body, ct);

    public Task DeleteAsync(string url, CancellationToken ct) =>
        SendAsync(HttpMethod.Delete, Resolve(url), null, authenticate: true, RetryPolicy.Resend, (_, _) => Task.FromResult(true), ct);

    /// <summary>
    /// Streams a collection page by page: the next page is requested only when the caller has consumed the
    /// previous one, so the first items reach the pipeline at once and memory does not grow with the collection.
    /// A page is read whole before it is handed out, so no call stays open (holding its mailbox's lane) meanwhile.
    /// </summary>
    public async IAsyncEnumerable<ODataPage<T>> GetPagesAsync<T>(string url, IReadOnlyDictionary<string, string>? headers = null,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        Uri? next = Resolve(url);
        while (next is not null)
        {
            ct.ThrowIfCancellationRequested();
            var page = await SendAsync(HttpMethod.Get, next, null, authenticate: true, RetryPolicy.Resend, ReadJsonAsync<ODataPage<T>>, ct, headers)
                .ConfigureAwait(false);
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
    /// ever sent with it; the URL itself is never logged. Only a 429 is retried here; an ambiguous outcome throws
    /// <see cref="ImportOutcomeUnknownException"/>, and so does a 200 whose body cannot be read.
    /// </summary>
    internal Task<T> PostToImportUrlAsync<T>(Uri importUrl, Func<HttpContent> content, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, importUrl, content, authenticate: false, RetryPolicy.ImportPost, async (response, token) =>
        {
            try
            {
                return await ReadJsonAsync<T>(response, token).ConfigureAwait(false);
            }
            catch (GraphException e) when (e.Code == "InvalidResponse")
            {
                // A success status means the item was created, but without its id it cannot be recorded.
                throw new ImportOutcomeUnknownException($"the service answered {(int)response.StatusCode} but its answer could not be read", response.StatusCode, ServiceNow(), e);
            }
        }, ct);

    /// <summary>
    /// Posts a body that is not JSON (base64 MIME as text/plain, say) to a Graph URL and reads the JSON answer. It
    /// creates something, so only a 429 is resent: anything else goes back to the caller.
    /// </summary>
    internal Task<T> PostContentAsync<T>(string url, Func<HttpContent> content, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, Resolve(url), content, authenticate: true, RetryPolicy.RefusedOnly, ReadJsonAsync<T>, ct);

    /// <summary>
    /// Sends to an attachment upload URL and reads the answer with <paramref name="read"/>. Like an import URL it
    /// carries its own credential (the service refuses a bearer token there) and is never logged in full; only 429 is
    /// retried here: whether a failed range was taken is for the uploader to find out.
    /// </summary>
    internal Task<T> SendToUploadUrlAsync<T>(HttpMethod method, Uri uploadUrl, Func<HttpContent>? content,
        Func<HttpResponseMessage, CancellationToken, Task<T>> read, CancellationToken ct) =>
        SendAsync(method, uploadUrl, content, authenticate: false, RetryPolicy.RefusedOnly, read, ct);

    /// <summary>
    /// Posts JSON and hands the success response's body to <paramref name="readBody"/> as a stream, for answers
    /// too large to deserialize whole (exportItems carries up to 20 items as base64).
    /// </summary>
    internal Task<T> PostAsync<T>(string url, object body, Func<Stream, CancellationToken, Task<T>> readBody, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, Resolve(url), JsonBody(body), authenticate: true, RetryPolicy.Resend, async (response, token) =>
        {
            using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
            return await readBody(stream, token).ConfigureAwait(false);
        }, ct);

    private Task<T> SendJsonAsync<T>(HttpMethod method, string url, object? body, CancellationToken ct) =>
        SendAsync(method, Resolve(url), body is null ? null : JsonBody(body), authenticate: true, RetryPolicy.Resend, ReadJsonAsync<T>, ct);

    private static Func<HttpContent> JsonBody(object body)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(body, body.GetType(), Json.Options);
        return () => JsonContent(bytes);
    }

    internal static HttpContent JsonContent(byte[] utf8Json)
    {
        var content = new ByteArrayContent(utf8Json);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }

    /// <summary>
    /// Sends one logical request and reads its answer with <paramref name="read"/>, retrying as
    /// <paramref name="policy"/> allows. Each attempt is rebuilt (an HttpRequestMessage cannot be sent twice, hence
    /// the body factory), keeps the call's client-request-id, and holds its mailbox lane's slot until it is read.
    /// </summary>
    private async Task<T> SendAsync<T>(HttpMethod method, Uri url, Func<HttpContent>? content, bool authenticate, RetryPolicy policy,
        Func<HttpResponseMessage, CancellationToken, Task<T>> read, CancellationToken ct, IReadOnlyDictionary<string, string>? headers = null)
    {
        var requestedUrl = url;
        if (authenticate)
        {
            EnsureSameServiceHost(url);
            url = _folderRedirects.Apply(url);
        }
        var shownUrl = authenticate ? url.ToString() : Redactor.DescribeUrl(url);
        var lane = MailboxOf(url) is { } mailbox ? LaneOf(mailbox) : null;
        var requestId = Guid.NewGuid().ToString();
        var refreshedToken = false;
        var redirects = 0;
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, url);
            if (content is not null) request.Content = content();
            request.Headers.Add("client-request-id", requestId);
            request.Headers.TryAddWithoutValidation("User-Agent", _userAgent);
            if (headers is not null)
                foreach (var header in headers) request.Headers.TryAddWithoutValidation(header.Key, header.Value);
            if (authenticate)
            {
                var token = await _tokens.GetTokenAsync(forceRefresh: refreshedToken && attempt > 0, ct).ConfigureAwait(false);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
            }

            string failure;
            TimeSpan? serviceWait = null;
            HttpStatusCode? status = null;
            Exception? cause = null;
            using (lane is null ? null : await lane.AcquireAsync(request.Content?.Headers.ContentLength ?? 0, ct).ConfigureAwait(false))
            {
                var sentAt = ServiceNow();
                EngineLog.Debug($"{method} {shownUrl} (client-request-id {requestId}{(attempt > 0 ? $", attempt {attempt + 1}" : "")})");
                HttpResponseMessage? response = null;
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    timeout.CancelAfter(_options.AttemptTimeout);
                    response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                    NoteServiceClock(response);
                    EngineLog.Debug($"{method} {shownUrl} -> {(int)response.StatusCode}");
                    status = response.StatusCode;
                    if (response.IsSuccessStatusCode) return await read(response, ct).ConfigureAwait(false);

                    if (authenticate && MailboxRedirect.IsRedirect(response))
                    {
                        url = MailboxRedirect.Next(response, url, BaseUri, ++redirects);
                        _folderRedirects.Remember(requestedUrl, url);
                        EngineLog.Verbose($"The service redirected {method} {shownUrl} to {url} (the data lives in another mailbox); following it, and sending later calls for that folder there directly.");
                        shownUrl = url.ToString();
                        lane = MailboxOf(url) is { } redirectedTo ? LaneOf(redirectedTo) : null;
                        attempt--; // a redirect is not a retry
                        continue;
                    }
                    if (status == HttpStatusCode.Unauthorized && authenticate && !refreshedToken && _tokens.CanRefresh)
                    {
                        EngineLog.Verbose($"The service rejected the access token for {method} {shownUrl}; acquiring a new one and retrying once.");
                        refreshedToken = true;
                        continue;
                    }
                    var verdict = policy.OnStatus(response.StatusCode);
                    var error = await GraphException.FromResponseAsync(response, method.Method, shownUrl).ConfigureAwait(false);
                    if ((int)response.StatusCode is 429 or 503)
                    {
                        // The service asked this mailbox to slow down: the whole lane waits, not only this call.
                        serviceWait = RetryDelay(response, attempt);
                        lane?.Defer(serviceWait.Value);
                    }
                    if (verdict == AttemptVerdict.Fail || (verdict == AttemptVerdict.Retry && attempt >= _options.MaxRetries)) throw error;
                    if (verdict == AttemptVerdict.OutcomeUnknown)
                        throw new ImportOutcomeUnknownException($"the service answered {(int)response.StatusCode} ({error.Code})", response.StatusCode, sentAt, error);
                    failure = $"The service answered {(int)response.StatusCode} ({response.ReasonPhrase})";
                    cause = error;
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    throw;
                }
                catch (Exception e) when (IsTransportFailure(e) && !ServiceUnreachable.Is(e))
                {
                    // The connection dropped, no answer came in time, or the answer broke off while being read.
                    var what = e is OperationCanceledException ? $"no answer within {_options.AttemptTimeout.TotalSeconds:0.#} s" : $"the connection broke ({Innermost(e).Message})";
                    var verdict = policy.OnTransportFailure();
                    if (verdict == AttemptVerdict.OutcomeUnknown)
                        throw new ImportOutcomeUnknownException(status is { } s ? $"the answer ({(int)s}) was lost: {what}" : what, status, sentAt, e);
                    if (verdict == AttemptVerdict.Fail || attempt >= _options.MaxRetries)
                        throw new GraphException(status ?? 0, "ConnectionFailed", $"{method} {shownUrl} failed: {what}.", method: method.Method, url: shownUrl);
                    failure = char.ToUpperInvariant(what[0]) + what.Substring(1);
                    cause = e;
                }
                catch (HttpRequestException e)
                {
                    throw new GraphException(0, "ConnectionFailed", ServiceUnreachable.Message(url, e), method: method.Method, url: shownUrl);
                }
                finally
                {
                    response?.Dispose();
                }
            }

            var wait = serviceWait ?? Backoff(attempt);
            ThrottleMeter.AddRetry();
            // A wait the service asked for is throttled time; the lane counts it itself when there is one.
            if (serviceWait is not null && lane is null) ThrottleMeter.AddThrottled(wait);
            EngineLog.Verbose($"{failure} to {method} {shownUrl}; retrying in {wait.TotalSeconds:0.###} s (attempt {attempt + 2} of {_options.MaxRetries + 1}, client-request-id {requestId}).");
            if (cause is not null) EngineLog.Debug($"Retrying after: {cause.Message}");
            // A lane wait (429/503) is taken in the lane itself, where every call of the mailbox honours it.
            if (lane is null || serviceWait is null) await _delay(wait, ct).ConfigureAwait(false);
        }
    }

    private static bool IsTransportFailure(Exception e) =>
        e is HttpRequestException or IOException or OperationCanceledException || e.InnerException is IOException;

    private TimeSpan RetryDelay(HttpResponseMessage response, int attempt)
    {
        var wait = GraphException.RetryAfterOf(response) ?? Backoff(attempt);
        if (wait < TimeSpan.Zero) wait = TimeSpan.Zero;
        return wait > _options.MaxRetryDelay ? _options.MaxRetryDelay : wait;
    }

    private TimeSpan Backoff(int attempt)
    {
        var wait = TimeSpan.FromSeconds(Math.Pow(2, attempt) + ThreadSafeRandom.NextDouble());
        return wait > _options.MaxRetryDelay ? _options.MaxRetryDelay : wait;
    }

    private void NoteServiceClock(HttpResponseMessage response)
    {
        if (response.Headers.Date is { } date)
            Interlocked.Exchange(ref _serviceClockOffsetTicks, (date - DateTimeOffset.UtcNow).Ticks);
    }

    internal static async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, CancellationToken ct)
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

    /// <summary>
    /// The mailbox a call is for, so it goes through that mailbox's lane: the segment after
    /// <c>admin/exchange/mailboxes/</c> of a Graph path, or the <c>Mailboxes('…')</c> of an import URL. Null for calls
    /// about no mailbox (users, sign-in).
    /// </summary>
    internal static string? MailboxOf(Uri url)
    {
        var segments = url.AbsolutePath.Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = Uri.UnescapeDataString(segments[i]);
            if (i >= 2 && i + 1 < segments.Length && segment.Equals("mailboxes", StringComparison.OrdinalIgnoreCase)
                && segments[i - 1].Equals("exchange", StringComparison.OrdinalIgnoreCase) && segments[i - 2].Equals("admin", StringComparison.OrdinalIgnoreCase)
                && segments[i + 1].Length > 0)
                return Uri.UnescapeDataString(segments[i + 1]);
            if (segment.StartsWith("Mailboxes('", StringComparison.OrdinalIgnoreCase) && segment.EndsWith("')", StringComparison.Ordinal) && segment.Length > 13)
                return segment.Substring(11, segment.Length - 13);
        }
        return null;
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
