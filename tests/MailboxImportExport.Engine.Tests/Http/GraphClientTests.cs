using System.Net;
using MailboxImportExport.Engine.Auth;
using MailboxImportExport.Engine.Http;

namespace MailboxImportExport.Engine.Tests.Http;

public class GraphClientTests
{
    private const string Root = "https://graph.example.test/";
    private readonly StubHandler _handler = new();
    private readonly List<TimeSpan> _waits = new();

    private GraphClient Client(ITokenProvider? tokens = null, int maxRetries = 3) =>
        new(new GraphClientOptions { GraphRoot = new Uri(Root), ApiVersion = "v1.0", MaxRetries = maxRetries, Lanes = new MailboxLanes() },
            tokens ?? new StaticTokenProvider("token-one"), _handler,
            (wait, _) => { _waits.Add(wait); return Task.CompletedTask; });

    private sealed class Thing
    {
        public string? Id { get; set; }
        public string? DisplayName { get; set; }
    }

    [Fact]
    public async Task Relative_paths_go_under_the_versioned_base_with_the_bearer_token()
    {
        _handler.Respond(HttpStatusCode.OK, """{"id":"1","displayName":"Inbox"}""");
        var thing = await Client().GetAsync<Thing>("admin/exchange/mailboxes/x/folders/inbox", CancellationToken.None);

        Assert.Equal("Inbox", thing.DisplayName);
        Assert.Equal($"{Root}v1.0/admin/exchange/mailboxes/x/folders/inbox", _handler.Requests[0].Url.ToString());
        Assert.Equal("Bearer token-one", _handler.Requests[0].Authorization);
    }

    [Fact]
    public async Task An_archive_redirect_is_followed_with_the_token_and_the_same_method_and_body()
    {
        var moved = $"{Root}v1.0/admin/exchange/mailboxes/MBX:aux@t/folders/f1/childFolders";
        _handler.Respond((HttpStatusCode)308, configure: r => r.Headers.Location = new Uri(moved))
            .Respond(HttpStatusCode.Created, """{"id":"2","displayName":"Sub"}""");

        var thing = await Client().PostAsync<Thing>("admin/exchange/mailboxes/MBX:main@t/folders/f1/childFolders", new { displayName = "Sub" }, CancellationToken.None);

        Assert.Equal("Sub", thing.DisplayName);
        Assert.Equal(moved, _handler.Requests[1].Url.ToString());
        Assert.Equal(HttpMethod.Post, _handler.Requests[1].Method);
        Assert.Equal("Bearer token-one", _handler.Requests[1].Authorization);
        Assert.Equal(_handler.Requests[0].Body, _handler.Requests[1].Body);
    }

    [Fact]
    public async Task A_folder_that_redirected_once_is_asked_for_at_its_new_mailbox_directly()
    {
        var client = Client();
        _handler.Respond((HttpStatusCode)308, configure: r => r.Headers.Location = new Uri($"{Root}v1.0/admin/exchange/mailboxes/MBX:aux@t/folders/f1/items?$top=5"))
            .Respond(HttpStatusCode.OK, """{"id":"1"}""")
            .Respond(HttpStatusCode.OK, """{"id":"2"}""")
            .Respond(HttpStatusCode.OK, """{"id":"3"}""");

        await client.GetAsync<Thing>("admin/exchange/mailboxes/MBX%3Amain%40t/folders/f1/items?$top=5", CancellationToken.None);
        await client.GetAsync<Thing>("admin/exchange/mailboxes/MBX:main@t/folders/f1/childFolders", CancellationToken.None);
        await client.GetAsync<Thing>("admin/exchange/mailboxes/MBX:main@t/folders/f2/items", CancellationToken.None);

        Assert.Equal(4, _handler.Requests.Count); // one bounce, then straight to the auxiliary mailbox
        Assert.Equal($"{Root}v1.0/admin/exchange/mailboxes/MBX%3Aaux%40t/folders/f1/childFolders", _handler.Requests[2].Url.AbsoluteUri);
        Assert.Equal("Bearer token-one", _handler.Requests[2].Authorization);
        Assert.Contains("/mailboxes/MBX:main@t/folders/f2/items", Uri.UnescapeDataString(_handler.Requests[3].Url.AbsoluteUri)); // other folders are not moved
    }

    [Theory]
    [InlineData("https://elsewhere.example.test/v1.0/admin/exchange/mailboxes/y/folders", "RedirectRefused")]
    [InlineData("http://graph.example.test/v1.0/admin/exchange/mailboxes/y/folders", "RedirectRefused")]
    [InlineData("https://graph.example.test/v1.0/users/y", "RedirectRefused")]
    public async Task A_redirect_off_https_mailbox_paths_of_the_graph_host_is_refused(string location, string code)
    {
        _handler.Respond((HttpStatusCode)308, configure: r => r.Headers.Location = new Uri(location));

        var e = await Assert.ThrowsAsync<GraphException>(() => Client().GetAsync<Thing>("admin/exchange/mailboxes/x/folders", CancellationToken.None));

        Assert.Equal(code, e.Code);
        Assert.Single(_handler.Requests); // the token went nowhere else
    }

    [Fact]
    public async Task Redirects_are_followed_a_bounded_number_of_times()
    {
        for (var i = 0; i < 10; i++)
            _handler.Respond((HttpStatusCode)308, configure: r => r.Headers.Location = new Uri($"{Root}v1.0/admin/exchange/mailboxes/loop/folders"));

        var e = await Assert.ThrowsAsync<GraphException>(() => Client().GetAsync<Thing>("admin/exchange/mailboxes/x/folders", CancellationToken.None));

        Assert.Equal("TooManyRedirects", e.Code);
        Assert.Equal(6, _handler.Requests.Count);
    }

    [Fact]
    public async Task Property_names_are_read_whatever_their_casing()
    {
        _handler.Respond(HttpStatusCode.OK, """{"ID":"7","DisplayName":"Sent Items"}""");
        var thing = await Client().GetAsync<Thing>("x", CancellationToken.None);
        Assert.Equal("7", thing.Id);
        Assert.Equal("Sent Items", thing.DisplayName);
    }

    [Fact]
    public async Task The_graph_error_envelope_becomes_a_typed_exception()
    {
        _handler.Respond(HttpStatusCode.NotFound,
            """{"error":{"code":"ErrorItemNotFound","message":"The specified object was not found in the store.","innerError":{"request-id":"req-42","date":"2026-01-01T00:00:00"}}}""");

        var e = await Assert.ThrowsAsync<GraphException>(() => Client().GetAsync<Thing>("x", CancellationToken.None));

        Assert.Equal(HttpStatusCode.NotFound, e.StatusCode);
        Assert.Equal("ErrorItemNotFound", e.Code);
        Assert.Equal("req-42", e.RequestId);
        Assert.Contains("The specified object was not found", e.Message);
        Assert.Contains("req-42", e.Message);
    }

    [Theory]
    [InlineData("""{"Message":"Invalid import session. The target session is expected in mailbox MBX:a@b"}""", "Conflict", "Invalid import session")]
    [InlineData("""{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided."}""", "invalid_client", "AADSTS7000215")]
    [InlineData("not json at all", "Conflict", "not json at all")]
    public async Task Other_error_shapes_keep_their_code_and_message(string body, string code, string message)
    {
        _handler.Respond(HttpStatusCode.Conflict, body);
        var e = await Assert.ThrowsAsync<GraphException>(() => Client().GetAsync<Thing>("x", CancellationToken.None));
        Assert.Equal(code, e.Code);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public async Task Throttled_calls_wait_for_fractional_retry_after_then_succeed()
    {
        _handler.Respond((HttpStatusCode)429, """{"error":{"code":"TooManyRequests","message":"Please retry again later."}}""",
                r => r.Headers.TryAddWithoutValidation("Retry-After", "2.128"))
            .Respond(HttpStatusCode.ServiceUnavailable, null, r => r.Headers.TryAddWithoutValidation("Retry-After", "1"))
            .Respond(HttpStatusCode.OK, """{"id":"ok"}""");

        var thing = await Client().GetAsync<Thing>("x", CancellationToken.None);

        Assert.Equal("ok", thing.Id);
        Assert.Equal(new[] { TimeSpan.FromSeconds(2.128), TimeSpan.FromSeconds(1) }, _waits);
        Assert.Equal(3, _handler.Requests.Count);
    }

    [Fact]
    public async Task Throttling_that_outlasts_the_retries_fails_with_the_service_error()
    {
        for (var i = 0; i < 3; i++) _handler.Respond(HttpStatusCode.GatewayTimeout);
        var e = await Assert.ThrowsAsync<GraphException>(() => Client(maxRetries: 2).GetAsync<Thing>("x", CancellationToken.None));
        Assert.Equal(HttpStatusCode.GatewayTimeout, e.StatusCode);
        Assert.Equal(2, _waits.Count);
        Assert.True(_waits[1] > _waits[0], "without Retry-After the waits grow");
    }

    [Fact]
    public async Task A_rejected_token_is_refreshed_once()
    {
        var tokens = new CountingTokenProvider();
        _handler.Respond(HttpStatusCode.Unauthorized, """{"error":{"code":"InvalidAuthenticationToken","message":"Lifetime validation failed, the token is expired."}}""")
            .Respond(HttpStatusCode.OK, """{"id":"ok"}""");

        await Client(tokens).GetAsync<Thing>("x", CancellationToken.None);

        Assert.Equal(new[] { "Bearer token-1", "Bearer token-2" }, _handler.Requests.Select(r => r.Authorization));
        Assert.Equal(new[] { false, true }, tokens.ForceRefreshCalls);
    }

    [Fact]
    public async Task A_token_rejected_twice_fails_as_unauthorized()
    {
        _handler.Respond(HttpStatusCode.Unauthorized).Respond(HttpStatusCode.Unauthorized);
        var e = await Assert.ThrowsAsync<GraphException>(() => Client(new CountingTokenProvider()).GetAsync<Thing>("x", CancellationToken.None));
        Assert.Equal(HttpStatusCode.Unauthorized, e.StatusCode);
        Assert.Equal(2, _handler.Requests.Count);
    }

    [Fact]
    public async Task Pages_are_requested_only_as_they_are_consumed()
    {
        _handler.Respond(HttpStatusCode.OK, $$"""{"value":[{"id":"1"},{"id":"2"}],"@odata.nextLink":"{{Root}}v1.0/things?%24skip=2"}""")
            .Respond(HttpStatusCode.OK, """{"value":[{"id":"3"}]}""");

        var seen = new List<string>();
        await foreach (var thing in Client().GetAllAsync<Thing>("things", CancellationToken.None))
        {
            seen.Add(thing.Id!);
            if (thing.Id == "1") Assert.Single(_handler.Requests);
        }

        Assert.Equal(new[] { "1", "2", "3" }, seen);
        Assert.Equal($"{Root}v1.0/things?%24skip=2", _handler.Requests[1].Url.ToString());
    }

    [Fact]
    public async Task The_token_is_never_sent_to_a_link_on_another_host()
    {
        _handler.Respond(HttpStatusCode.OK, """{"value":[{"id":"1"}],"@odata.nextLink":"https://evil.example.test/v1.0/things?%24skip=1"}""");

        var e = await Assert.ThrowsAsync<GraphException>(async () =>
        {
            await foreach (var _ in Client().GetAllAsync<Thing>("things", CancellationToken.None)) { }
        });

        Assert.Equal("UnexpectedHost", e.Code);
        Assert.Single(_handler.Requests);
    }

    [Fact]
    public async Task Import_url_posts_carry_no_authorization_and_errors_hide_the_authtoken()
    {
        _handler.Respond(HttpStatusCode.BadRequest, """{"error":{"code":"ErrorInvalidRequest","message":"bad https://x.test/api/gv1.0/importItem?authtoken=SECRET-VALUE"}}""");
        var url = new Uri("https://outlook.example.test/api/gv1.0/Mailboxes('MBX:a@b')/importItem?authtoken=SECRET-VALUE");

        var e = await Assert.ThrowsAsync<GraphException>(() =>
            Client().PostToImportUrlAsync<Thing>(url, () => GraphClient.JsonContent("{}"u8.ToArray()), CancellationToken.None));

        Assert.Null(_handler.Requests[0].Authorization);
        Assert.DoesNotContain("SECRET-VALUE", e.Message);
        Assert.DoesNotContain("SECRET-VALUE", e.Url);
        Assert.DoesNotContain("SECRET-VALUE", e.ToString());
    }

    [Fact]
    public async Task Import_url_posts_retry_throttling_but_never_a_503_that_may_have_imported()
    {
        var url = new Uri("https://outlook.example.test/api/gv1.0/Mailboxes('MBX:a@b')/importItem?authtoken=t");
        _handler.Respond((HttpStatusCode)429, null, r => r.Headers.TryAddWithoutValidation("Retry-After", "0.01"))
            .Respond(HttpStatusCode.ServiceUnavailable);

        var e = await Assert.ThrowsAsync<ImportOutcomeUnknownException>(() =>
            Client().PostToImportUrlAsync<Thing>(url, () => GraphClient.JsonContent("{}"u8.ToArray()), CancellationToken.None));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, e.StatusCode);
        Assert.Equal(2, _handler.Requests.Count);
    }

    [Fact]
    public async Task One_logical_call_keeps_its_client_request_id_across_retries_and_says_who_calls()
    {
        _handler.Respond(HttpStatusCode.GatewayTimeout).Drop().Respond(HttpStatusCode.OK, """{"id":"1"}""").Respond(HttpStatusCode.OK, """{"id":"2"}""");
        var client = new GraphClient(new GraphClientOptions { GraphRoot = new Uri(Root), MaxRetries = 3, UserAgent = UserAgent.For("PowerShell Core 7.6.9") },
            new StaticTokenProvider("t"), _handler, (_, _) => Task.CompletedTask);

        await client.GetAsync<Thing>("x", CancellationToken.None);
        await client.GetAsync<Thing>("x", CancellationToken.None);

        var ids = _handler.Messages.Select(m => m.Headers.GetValues("client-request-id").Single()).ToList();
        Assert.Equal(4, ids.Count);
        Assert.Single(ids.Take(3).Distinct());
        Assert.NotEqual(ids[0], ids[3]);
        Assert.True(Guid.TryParse(ids[0], out _));
        var agent = string.Join(" ", _handler.Messages[0].Headers.GetValues("User-Agent"));
        Assert.Matches(@"^MailboxImportExport/\d+\.\d+\.\d+ \(PowerShell Core 7\.6\.9; [^()]+\)$", agent);
    }

    [Fact]
    public async Task A_dropped_connection_is_retried_for_a_read_and_is_an_unknown_outcome_for_an_import()
    {
        _handler.Drop().Respond(HttpStatusCode.OK, """{"id":"1"}""").Drop();
        var client = Client();

        Assert.Equal("1", (await client.GetAsync<Thing>("x", CancellationToken.None)).Id);
        var url = new Uri("https://outlook.example.test/api/gv1.0/Mailboxes('MBX:a@b')/importItem?authtoken=t");
        var e = await Assert.ThrowsAsync<ImportOutcomeUnknownException>(() =>
            client.PostToImportUrlAsync<Thing>(url, () => GraphClient.JsonContent("{}"u8.ToArray()), CancellationToken.None));

        Assert.Null(e.StatusCode);
        Assert.Equal(3, _handler.Requests.Count);
        Assert.DoesNotContain("authtoken", e.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("https://graph.example.test/v1.0/admin/exchange/mailboxes/MBX%3Aa%40b/folders/inbox/items", "MBX:a@b")]
    [InlineData("https://graph.example.test/beta/admin/exchange/mailboxes/MBX%3Aa%40b/exportItems", "MBX:a@b")]
    [InlineData("https://outlook.example.test/api/gv1.0/Mailboxes('MBX:a@b')/importItem?authtoken=t", "MBX:a@b")]
    [InlineData("https://graph.example.test/v1.0/users/alice%40contoso.test/settings/exchange", null)]
    public void The_mailbox_of_a_call_is_read_from_its_url(string url, string? mailbox) =>
        Assert.Equal(mailbox, GraphClient.MailboxOf(new Uri(url)));

    [Fact]
    public async Task Cancellation_stops_a_retry_wait()
    {
        using var cts = new CancellationTokenSource();
        _handler.Respond((HttpStatusCode)429, null, r => r.Headers.TryAddWithoutValidation("Retry-After", "30"));
        var client = new GraphClient(new GraphClientOptions { GraphRoot = new Uri(Root) }, new StaticTokenProvider("t"), _handler);

        var call = client.GetAsync<Thing>("x", cts.Token);
        cts.CancelAfter(50);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
    }

    private sealed class CountingTokenProvider : ITokenProvider
    {
        private int _count;
        public List<bool> ForceRefreshCalls { get; } = new();
        public bool CanRefresh => true;
        public AccessTokenInfo? Current { get; private set; }

        public Task<AccessTokenInfo> GetTokenAsync(bool forceRefresh, CancellationToken cancellationToken)
        {
            ForceRefreshCalls.Add(forceRefresh);
            return Task.FromResult(Current = new AccessTokenInfo($"token-{++_count}", DateTimeOffset.UtcNow.AddHours(1)));
        }

        public Task SignOutAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
