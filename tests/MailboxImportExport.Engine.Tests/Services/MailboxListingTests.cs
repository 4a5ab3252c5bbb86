using System.Net;
using System.Text;
using MailboxImportExport.Engine.Auth;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Models;
using MailboxImportExport.Engine.Services;

namespace MailboxImportExport.Engine.Tests.Services;

/// <summary>Get-ExMailbox -All's listing: users' mailboxes looked up several at once, in the users' order.</summary>
public class MailboxListingTests
{
    /// <summary>
    /// A tenant of ten users (u3 has no mailbox) whose settings/exchange answers are held until four lookups are in
    /// flight together, so a listing that looks mailboxes up one at a time never gets an answer.
    /// </summary>
    private sealed class Tenant : HttpMessageHandler
    {
        private readonly TaskCompletionSource _fourInFlight = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _inFlight;
        public int MaxInFlight;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var path = request.RequestUri!.AbsolutePath;
            if (path.EndsWith("/users"))
            {
                var users = string.Join(",", Enumerable.Range(0, 10).Select(i => $$"""{"id":"id{{i}}","userPrincipalName":"u{{i}}@contoso.test"}"""));
                return Json(HttpStatusCode.OK, $$"""{"value":[{{users}}]}""");
            }
            var now = Interlocked.Increment(ref _inFlight);
            lock (this) MaxInFlight = Math.Max(MaxInFlight, now);
            if (now >= MailboxService.LookupsInFlight) _fourInFlight.TrySetResult();
            try
            {
                await _fourInFlight.Task.WaitAsync(TimeSpan.FromMinutes(1), ct);
                var user = Uri.UnescapeDataString(path.Split('/')[^3]);
                return user == "u3@contoso.test"
                    ? Json(HttpStatusCode.NotFound, """{"error":{"code":"MailboxNotEnabledForRESTAPI","message":"No mailbox."}}""")
                    : Json(HttpStatusCode.OK, $$"""{"primaryMailboxId":"MBX:{{user}}"}""");
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }

        private static HttpResponseMessage Json(HttpStatusCode status, string json) =>
            new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
    }

    [Fact]
    public async Task Mailboxes_are_looked_up_four_at_a_time_and_come_out_in_the_users_order()
    {
        var tenant = new Tenant();
        using var graph = new GraphClient(new GraphClientOptions { GraphRoot = new Uri("https://graph.example.test/"), Lanes = new MailboxLanes() },
            new StaticTokenProvider("token"), tenant);

        var mailboxes = new List<ExMailbox>();
        await foreach (var mailbox in new MailboxService(graph).ListAsync(null, MailboxKind.Primary, 999, CancellationToken.None)) mailboxes.Add(mailbox);

        Assert.Equal(Enumerable.Range(0, 10).Where(i => i != 3).Select(i => $"u{i}@contoso.test"), mailboxes.Select(m => m.UserId));
        Assert.Equal(MailboxService.LookupsInFlight, tenant.MaxInFlight);
    }
}
