using System.Text.Json;
using System.Text.Json.Nodes;
using MailboxImportExport.Emulator.Storage;

namespace MailboxImportExport.Emulator.Graph;

/// <summary>One request to a Graph route: its version, its decoded path segments after the version, and the emulator.</summary>
internal sealed class GraphRequest
{
    public GraphRequest(HttpContext http, EmulatorState state, string version, IReadOnlyList<string> segments)
    {
        Http = http;
        State = state;
        Version = version;
        Segments = segments;
    }

    public HttpContext Http { get; }
    public EmulatorState State { get; }
    public MailboxStore Store => State.Store;

    /// <summary>"v1.0" or "beta".</summary>
    public string Version { get; }
    public bool IsBeta => Version == "beta";
    public IReadOnlyList<string> Segments { get; }
    public string Method => Http.Request.Method;

    /// <summary>The object id of the user a delegated token was issued to; null for app-only tokens.</summary>
    public string? SignedInUserId { get; set; }

    /// <summary>The client id (appid) of the bearer token: the app whose limits the request counts against.</summary>
    public string AppId { get; set; } = Engine.Auth.EmulatorDefaults.ClientId;

    /// <summary>What the token grants: a user token's <c>scp</c>, or an app token's <c>roles</c>.</summary>
    public IReadOnlySet<string> GrantedPermissions { get; set; } = new HashSet<string>();

    /// <summary>The same request, authenticated as this one, on another context (a late commit's detached copy).</summary>
    public GraphRequest On(HttpContext http) => ReferenceEquals(http, Http) ? this : new GraphRequest(http, State, Version, Segments)
    {
        SignedInUserId = SignedInUserId,
        AppId = AppId,
        GrantedPermissions = GrantedPermissions,
    };

    /// <summary>403 ErrorAccessDenied, as Graph answers, unless the token holds one of the permissions the operation accepts.</summary>
    public void RequirePermission(GraphPermission permission)
    {
        var accepted = SignedInUserId is null ? permission.Application : permission.Delegated;
        if (!accepted.Any(GrantedPermissions.Contains))
        {
            // Graph says no more than "Access is denied"; naming what would do saves the tester a trip to the docs.
            throw new GraphException(403, "ErrorAccessDenied",
                $"Access is denied. Check credentials and try again. (Emulator: this operation needs one of {string.Join(", ", accepted)}.)");
        }
    }

    /// <summary>
    /// A delegated token reaches only its own user's data: anyone else's is 403 ErrorAccessDenied, as Graph answers.
    /// App-only tokens hold the .All permissions and reach every user.
    /// </summary>
    public void AuthorizeOwner(string userObjectId)
    {
        if (SignedInUserId is not null && !SignedInUserId.Equals(userObjectId, StringComparison.OrdinalIgnoreCase))
        {
            throw new GraphException(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
        }
    }

    /// <summary>The Graph service root, e.g. https://127.0.0.1:5123/v1.0/.</summary>
    public string ServiceRoot => $"{State.BaseUri}{Version}/";

    public string? QueryValue(string name) => Http.Request.Query.TryGetValue(name, out var values) ? values.ToString() : null;

    /// <summary>Reads the body as a JSON object; malformed JSON, or JSON that is not an object, is a 400.</summary>
    public async Task<JsonObject> ReadJsonObjectAsync()
    {
        try
        {
            var node = await JsonNode.ParseAsync(Http.Request.Body, cancellationToken: Http.RequestAborted);
            return node as JsonObject ?? throw GraphException.MalformedJson();
        }
        catch (JsonException)
        {
            throw GraphException.MalformedJson();
        }
    }

    public Task WriteJsonAsync(int statusCode, JsonNode body) => GraphResponses.WriteJsonAsync(Http, statusCode, body);
}

internal static class GraphResponses
{
    /// <summary>Writer settings of every JSON response: Graph does not escape quotes or '+' the way the default encoder does.</summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task WriteJsonAsync(HttpContext http, int statusCode, JsonNode body)
    {
        StartJson(http, statusCode);
        await using var writer = new Utf8JsonWriter(http.Response.Body, WriterOptions);
        body.WriteTo(writer);
        await writer.FlushAsync(http.RequestAborted);
    }

    public static void StartJson(HttpContext http, int statusCode)
    {
        http.Response.StatusCode = statusCode;
        http.Response.ContentType = "application/json; odata.metadata=minimal; odata.streaming=true; charset=utf-8";
    }

    /// <summary>Writes the Graph error envelope, with the request-id the response header also carries, dated on the service clock.</summary>
    public static Task WriteErrorAsync(HttpContext http, GraphException error, string requestId, DateTimeOffset serviceNow)
    {
        var now = serviceNow.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        var innerError = new JsonObject();
        if (error.StatusCode == 429)
        {
            // Graph's throttling body repeats the status inside innerError (throttling.md sample).
            innerError["code"] = "429";
            innerError["status"] = "429";
        }
        innerError["request-id"] = requestId;
        innerError["date"] = now;
        innerError["client-request-id"] = ClientRequestId(http, requestId);
        if (error.RetryAfterSeconds is { } seconds)
        {
            http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        var body = new JsonObject
        {
            ["error"] = new JsonObject { ["code"] = error.Code, ["message"] = error.Message, ["innerError"] = innerError },
        };
        return WriteJsonAsync(http, error.StatusCode, body);
    }

    /// <summary>The client's own request id when it sent one, as Graph echoes it; else the server's.</summary>
    public static string ClientRequestId(HttpContext http, string requestId) =>
        http.Request.Headers.TryGetValue("client-request-id", out var sent) && !string.IsNullOrEmpty(sent) ? sent.ToString() : requestId;
}
