using System.Net;

namespace MailboxImportExport.Emulator.Tests;

public class FaultTests(EmulatorFixture fx) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public async Task FailNext_Answers429WithRetryAfterAndTheGraphBody_ThenRecovers()
    {
        var path = fx.MailboxPath("v1.0", fx.AliceMailbox, "folders/inbox/items");
        fx.Control.FailNext(2, "/folders/inbox/items$", 429, retryAfterSeconds: 2.5);

        var first = await fx.GetAsync(path);
        var unrelated = await fx.GetAsync(fx.MailboxPath("v1.0", fx.AliceMailbox, "folders/inbox"));
        var second = await fx.GetAsync(path);
        var third = await fx.GetAsync(path);

        first.AssertGraphError(HttpStatusCode.TooManyRequests, "TooManyRequests");
        Assert.Equal("2.5", first.Headers.GetValues("Retry-After").Single());
        Assert.Equal("429", (string?)first.Body!["error"]!["innerError"]!["status"]);
        Assert.Equal(HttpStatusCode.OK, unrelated.Status);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.Status);
        Assert.Equal(HttpStatusCode.OK, third.Status);
    }

    [Theory]
    [InlineData(503, "serviceNotAvailable")]
    [InlineData(504, "gatewayTimeout")]
    public async Task FailNext_ServerErrors(int status, string code)
    {
        fx.Control.FailNext(1, r => r.Method == "POST" && r.Path.EndsWith("/exportItems"), status, retryAfterSeconds: 1);

        var reply = await fx.PostJsonAsync(fx.MailboxPath("beta", fx.AliceMailbox, "exportItems"), """{"itemIds":["AgAAAAAAAAAAAAAAAAAAAAAAAAA="]}""");

        reply.AssertGraphError((HttpStatusCode)status, code);
        Assert.Equal("1", reply.Headers.GetValues("Retry-After").Single());
    }

    [Fact]
    public async Task RequestLog_RecordsDecodedQueryAndAuthorizationPresence()
    {
        fx.Control.ClearRequests();

        await fx.GetAsync(fx.MailboxPath("v1.0", fx.AliceMailbox, "folders?$filter=" + Uri.EscapeDataString("displayName eq 'Inbox'")));
        await fx.GetAsync("v1.0/users/alice@contoso.test/settings/exchange", token: "");

        var log = fx.Control.Requests;
        Assert.Equal(2, log.Count);
        Assert.Equal("GET", log[0].Method);
        Assert.Equal($"/v1.0/admin/exchange/mailboxes/{fx.AliceMailbox}/folders", log[0].Path);
        Assert.Equal("$filter=displayName eq 'Inbox'", log[0].Query);
        Assert.True(log[0].HadAuthorization);
        Assert.Equal(200, log[0].StatusCode);
        Assert.False(log[1].HadAuthorization);
        Assert.Equal(401, log[1].StatusCode);
        Assert.True(log[1].Timestamp >= log[0].Timestamp);
    }
}
