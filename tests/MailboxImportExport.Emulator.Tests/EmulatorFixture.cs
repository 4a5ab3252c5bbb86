using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using MailboxImportExport.Emulator;

namespace MailboxImportExport.Emulator.Tests;

/// <summary>
/// One demo-seeded emulator per test class (on a free port, in memory, so classes run in parallel), and an
/// HttpClient that trusts only its certificate.
/// </summary>
public sealed class EmulatorFixture : IAsyncLifetime, IAsyncDisposable
{
    private readonly EmulatorOptions _options;

    public EmulatorFixture()
        : this(new EmulatorOptions())
    {
    }

    private EmulatorFixture(EmulatorOptions options)
    {
        options.Seed = "demo";
        options.DeviceCodePollInterval = TimeSpan.FromSeconds(1);
        _options = options;
    }

    /// <summary>A demo-seeded emulator of its own, for a test that changes settings or counts what happened.</summary>
    public static async Task<EmulatorFixture> StartAsync(Action<EmulatorOptions>? configure = null)
    {
        var options = new EmulatorOptions();
        configure?.Invoke(options);
        var fixture = new EmulatorFixture(options);
        await fixture.InitializeAsync();
        return fixture;
    }

    public const string Alice = "alice@contoso.test";
    public const string Bob = "bob@contoso.test";

    public EmulatorServer Server { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public EmulatorControl Control => Server.Control;
    public string Token { get; private set; } = null!;
    public string AliceMailbox { get; private set; } = null!;
    public string AliceArchive { get; private set; } = null!;
    public string BobMailbox { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await EmulatorServer.StartAsync(_options);
        Http = CreatePinnedClient(Server);
        Token = Control.IssueAccessToken();
        AliceMailbox = Control.GetMailboxId(Alice);
        AliceArchive = Control.GetMailboxId(Alice, archive: true);
        BobMailbox = Control.GetMailboxId(Bob);
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();

    /// <summary>An HttpClient for the emulator that accepts its certificate and no other.</summary>
    public static HttpClient CreatePinnedClient(EmulatorServer server, bool allowAutoRedirect = true) =>
        new(new HttpClientHandler
        {
            AllowAutoRedirect = allowAutoRedirect,
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
                certificate is not null && certificate.RawData.AsSpan().SequenceEqual(server.Certificate.RawData),
        })
        { BaseAddress = server.BaseUri };

    /// <summary>A path under the mailbox: "v1.0/admin/exchange/mailboxes/{encoded id}/{rest}".</summary>
    public string MailboxPath(string version, string mailboxId, string rest = "") =>
        $"{version}/admin/exchange/mailboxes/{Uri.EscapeDataString(mailboxId)}{(rest.Length == 0 ? "" : "/" + rest)}";

    public Task<Reply> GetAsync(string path, string? token = null) => SendAsync(HttpMethod.Get, path, null, token);

    public Task<Reply> PostJsonAsync(string path, string json, string? token = null) => SendAsync(HttpMethod.Post, path, json, token);

    /// <summary>Sends with the fixture's bearer token unless <paramref name="token"/> says otherwise ("" sends none).</summary>
    public async Task<Reply> SendAsync(HttpMethod method, string path, string? json, string? token = null, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, path);
        token ??= Token;
        if (token.Length > 0) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        configure?.Invoke(request);
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new Reply(response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text)!.AsObject(), response.Headers);
    }

    /// <summary>POSTs a form to the demo tenant's token endpoint (or another identity route) and parses the JSON answer.</summary>
    public async Task<(HttpStatusCode Status, JsonObject Body)> PostFormAsync(IDictionary<string, string> form, string route = "oauth2/v2.0/token")
    {
        using var response = await Http.PostAsync($"{Engine.Auth.EmulatorDefaults.TenantId}/{route}", new FormUrlEncodedContent(form));
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }

    /// <summary>Asserts Entra ID's error shape: status, error, "AADSTSnnnnn: …", error_codes, timestamp, trace_id, correlation_id, no token.</summary>
    public static void AssertAadError((HttpStatusCode Status, JsonObject Body) reply, HttpStatusCode status, string error, int code)
    {
        var body = reply.Body;
        Assert.True(status == reply.Status, $"expected {(int)status}, got {(int)reply.Status}: {body.ToJsonString()}");
        Assert.Equal(error, (string?)body["error"]);
        Assert.StartsWith($"AADSTS{code}:", (string?)body["error_description"]);
        Assert.Equal(code, (int)body["error_codes"]![0]!);
        foreach (var key in new[] { "timestamp", "trace_id", "correlation_id" }) Assert.False(string.IsNullOrEmpty((string?)body[key]), key);
        Assert.Null(body["access_token"]);
    }

    /// <summary>Sets a run-time setting for one test; disposing puts the old value back.</summary>
    public static IDisposable Temporarily<T>(Func<T> get, Action<T> set, T value)
    {
        var before = get();
        set(value);
        return new Undo(() => set(before));
    }

    private sealed class Undo(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }

    /// <summary>Base64url without padding, as JWTs and PKCE challenges use it.</summary>
    public static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The claims of a JWT, unchecked.</summary>
    public static JsonObject Claims(string jwt)
    {
        var payload = jwt.Split('.')[1].Replace('-', '+').Replace('_', '/');
        return JsonNode.Parse(Convert.FromBase64String(payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=')))!.AsObject();
    }

    /// <summary>Follows @odata.nextLink to the end and returns every entity.</summary>
    public async Task<List<JsonObject>> GetAllPagesAsync(string path)
    {
        var all = new List<JsonObject>();
        for (string? next = path; next is not null;)
        {
            var reply = await GetAsync(next);
            Assert.Equal(HttpStatusCode.OK, reply.Status);
            all.AddRange(reply.Value);
            next = (string?)reply.Body!["@odata.nextLink"];
        }
        return all;
    }

    /// <summary>createImportSession on a mailbox; returns the importUrl.</summary>
    public async Task<string> CreateSessionAsync(string version, string mailbox, string? token = null)
    {
        var reply = await SendAsync(HttpMethod.Post, MailboxPath(version, mailbox, "createImportSession"), null, token);
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        return (string)reply.Body!["importUrl"]!;
    }

    /// <summary>POSTs to an importUrl as the docs say: no Authorization header (unless a test adds one).</summary>
    public async Task<Reply> ImportAsync(string importUrl, string body, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, importUrl) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        configure?.Invoke(request);
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new Reply(response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text)!.AsObject(), response.Headers);
    }

    /// <summary>A create-mode import body for a blob.</summary>
    public static string CreateBody(string folderId, byte[] blob) =>
        $$"""{"FolderId":"{{folderId}}","Mode":"create","Data":"{{Convert.ToBase64String(blob)}}"}""";

    /// <summary>Waits (polling, up to a minute) until the condition holds; fails the test if it never does.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting until {what}.");
            await Task.Delay(20);
        }
    }

    public async Task<string> FolderIdAsync(string version, string mailboxId, string wellKnownName)
    {
        var reply = await GetAsync(MailboxPath(version, mailboxId, $"folders/{wellKnownName}"));
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        return (string)reply.Body!["id"]!;
    }
}

public sealed record Reply(HttpStatusCode Status, JsonObject? Body, HttpResponseHeaders Headers)
{
    public List<JsonObject> Value => Body!["value"]!.AsArray().Select(v => v!.AsObject()).ToList();

    public string? ErrorCode => (string?)Body?["error"]?["code"];

    public string? ErrorMessage => (string?)Body?["error"]?["message"];

    /// <summary>Asserts the Graph error envelope: status, code, request-id in the body and in the header.</summary>
    public void AssertGraphError(HttpStatusCode status, string code)
    {
        Assert.True(status == Status, $"expected {(int)status}, got {(int)Status}: {Body?.ToJsonString()}");
        Assert.Equal(code, ErrorCode);
        Assert.False(string.IsNullOrEmpty(ErrorMessage));
        var requestId = (string?)Body!["error"]!["innerError"]!["request-id"];
        Assert.Equal(Headers.GetValues("request-id").Single(), requestId);
        Assert.NotNull(Body["error"]!["innerError"]!["date"]);
    }
}
