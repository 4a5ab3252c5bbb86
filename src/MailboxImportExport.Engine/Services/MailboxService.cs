using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Models;
using MailboxImportExport.Engine.Threading;

namespace MailboxImportExport.Engine.Services;

/// <summary>
/// Finds mailboxes: a user's through <c>GET /users/{id}/settings/exchange</c>, the tenant's by paging <c>/users</c>,
/// and the mailbox id behind a user principal name or object id wherever a mailbox is expected.
/// </summary>
public sealed class MailboxService
{
    private readonly GraphClient _graph;
    private readonly AsyncCache<string, string> _primaryIds = new(StringComparer.OrdinalIgnoreCase);

    public MailboxService(GraphClient graph) => _graph = graph;

    /// <summary>
    /// The user's primary mailbox, or in-place archive (reported on beta only); null when the user has none of that
    /// kind. The call returns one object, not a collection, although the docs call it "List".
    /// </summary>
    public async Task<ExMailbox?> GetMailboxAsync(string userId, MailboxKind kind, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(userId)) throw new ArgumentException("The user id is empty.");
        var user = userId.Trim();
        var settings = await _graph.GetAsync<ExchangeSettings>($"{GraphPath.User(user)}/settings/exchange", ct).ConfigureAwait(false);
        var id = kind == MailboxKind.Archive ? settings.InPlaceArchiveMailboxId : settings.PrimaryMailboxId;
        return string.IsNullOrEmpty(id) ? null : new ExMailbox(id!, user, kind);
    }

    /// <summary>How many users' mailboxes are looked up at once while listing the tenant: Outlook's concurrency per app.</summary>
    public const int LookupsInFlight = 4;

    /// <summary>
    /// Every mailbox of the tenant of that kind, in the order of the users: users are read a page at a time
    /// (<paramref name="userFilter"/> is an OData filter on users, applied by the service, <c>$select</c> keeps the pages
    /// small), and each user's mailbox is looked up with up to <see cref="LookupsInFlight"/> lookups in flight; users
    /// without one are skipped. Not a JSON <c>$batch</c>: settings/exchange inside a batch is not documented, and Outlook
    /// runs at most 4 sub-requests of a batch at once anyway, so a batch would save round trips but not service time.
    /// </summary>
    public async IAsyncEnumerable<ExMailbox> ListAsync(string? userFilter, MailboxKind kind, int pageSize,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var url = $"users?$select=id,userPrincipalName&$top={pageSize.ToString(CultureInfo.InvariantCulture)}";
        if (!string.IsNullOrWhiteSpace(userFilter)) url += "&$filter=" + Uri.EscapeDataString(userFilter!);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var pending = new Queue<Task<ExMailbox?>>();
        try
        {
            await foreach (var user in _graph.GetAllAsync<UserDto>(url, ct).ConfigureAwait(false))
            {
                if ((user.UserPrincipalName ?? user.Id) is not { } name) continue;
                pending.Enqueue(MailboxOrNullAsync(name, kind, stop.Token));
                if (pending.Count < LookupsInFlight) continue;
                if (await pending.Dequeue().ConfigureAwait(false) is { } mailbox) yield return mailbox;
            }
            while (pending.Count > 0)
                if (await pending.Dequeue().ConfigureAwait(false) is { } mailbox) yield return mailbox;
        }
        finally
        {
            // The caller stopped early (-First) or failed: lookups still running are not wanted.
            stop.Cancel();
            foreach (var task in pending) _ = task.ContinueWith(t => t.Exception, TaskScheduler.Default);
        }
    }

    private async Task<ExMailbox?> MailboxOrNullAsync(string user, MailboxKind kind, CancellationToken ct)
    {
        try
        {
            return await GetMailboxAsync(user, kind, ct).ConfigureAwait(false);
        }
        catch (GraphException e) when (e.IsNotFound || e.StatusCode == HttpStatusCode.Forbidden)
        {
            // A user without a mailbox (MailboxNotEnabledForRESTAPI), deleted meanwhile, or out of a delegated sign-in's reach.
            Diagnostics.EngineLog.Verbose($"Skipping {user}: {e.Message}");
            return null;
        }
    }

    /// <summary>True for the opaque ids the mailbox APIs take (<c>MBX:{guid}@{tenant}</c>).</summary>
    public static bool IsMailboxId(string value) => value.Trim().StartsWith("MBX:", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// A mailbox id as given, or the primary mailbox id of the user a user principal name or object id names (looked
    /// up once per connection). A name that is neither fails with a 404 that says so, not the service's bare one.
    /// </summary>
    public Task<string> ResolveMailboxIdAsync(string mailboxOrUser, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(mailboxOrUser))
            return Task.FromException<string>(new GraphException(HttpStatusCode.NotFound, "MailboxNotFound",
                "The mailbox id is empty: pass a user principal name, a user's object id, or the MailboxId that Get-ExMailbox returns."));
        var value = mailboxOrUser.Trim();
        if (IsMailboxId(value)) return Task.FromResult(value);
        return _primaryIds.GetAsync(value, async user =>
        {
            ExMailbox? mailbox;
            try
            {
                mailbox = await GetMailboxAsync(user, MailboxKind.Primary, ct).ConfigureAwait(false);
            }
            catch (GraphException e) when (e.IsNotFound)
            {
                throw NotAMailbox(user, e.Message);
            }
            return mailbox?.MailboxId ?? throw NotAMailbox(user, "the user has no mailbox");
        });
    }

    private static GraphException NotAMailbox(string value, string reason) =>
        new(HttpStatusCode.NotFound, "MailboxNotFound",
            $"'{value}' is not a mailbox id (MBX:…), nor a user with a mailbox ({reason}). Pass a user principal name, a user's object id, or the MailboxId that Get-ExMailbox returns.");

    private sealed class ExchangeSettings
    {
        [JsonPropertyName("primaryMailboxId")] public string? PrimaryMailboxId { get; set; }
        [JsonPropertyName("inPlaceArchiveMailboxId")] public string? InPlaceArchiveMailboxId { get; set; }
    }

    private sealed class UserDto
    {
        [JsonPropertyName("id")] public string? Id { get; set; }
        [JsonPropertyName("userPrincipalName")] public string? UserPrincipalName { get; set; }
    }
}
