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

    /// <summary>
    /// Every mailbox of the tenant of that kind: users are read a page at a time (<paramref name="userFilter"/> is an
    /// OData filter on users, applied by the service), then each user's mailbox; users without one are skipped.
    /// </summary>
    public async IAsyncEnumerable<ExMailbox> ListAsync(string? userFilter, MailboxKind kind, int pageSize,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var url = $"users?$select=id,userPrincipalName&$top={pageSize.ToString(CultureInfo.InvariantCulture)}";
        if (!string.IsNullOrWhiteSpace(userFilter)) url += "&$filter=" + Uri.EscapeDataString(userFilter!);
        await foreach (var user in _graph.GetAllAsync<UserDto>(url, ct).ConfigureAwait(false))
        {
            var name = user.UserPrincipalName ?? user.Id;
            if (name is null) continue;
            ExMailbox? mailbox;
            try
            {
                mailbox = await GetMailboxAsync(name, kind, ct).ConfigureAwait(false);
            }
            catch (GraphException e) when (e.IsNotFound || e.StatusCode == HttpStatusCode.Forbidden)
            {
                // A user without a mailbox (MailboxNotEnabledForRESTAPI), deleted meanwhile, or out of a delegated sign-in's reach.
                Diagnostics.EngineLog.Verbose($"Skipping {name}: {e.Message}");
                mailbox = null;
            }
            if (mailbox is not null) yield return mailbox;
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
