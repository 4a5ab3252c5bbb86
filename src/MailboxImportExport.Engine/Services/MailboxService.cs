using System.Text.Json.Serialization;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Models;

namespace MailboxImportExport.Engine.Services;

/// <summary>Finds a user's mailboxes through <c>GET /users/{id}/settings/exchange</c>.</summary>
public sealed class MailboxService
{
    private readonly GraphClient _graph;

    public MailboxService(GraphClient graph) => _graph = graph;

    /// <summary>
    /// The primary mailbox, and the in-place archive where the service reports one (beta only). The call
    /// returns one object, not a collection, although the docs call it "List".
    /// </summary>
    public async Task<IReadOnlyList<ExMailbox>> GetMailboxesAsync(string userId, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(userId)) throw new ArgumentException("The user id is empty.", nameof(userId));
        var settings = await _graph.GetAsync<ExchangeSettings>($"{GraphPath.User(userId.Trim())}/settings/exchange", ct).ConfigureAwait(false);
        var mailboxes = new List<ExMailbox>();
        if (!string.IsNullOrEmpty(settings.PrimaryMailboxId))
            mailboxes.Add(new ExMailbox(settings.PrimaryMailboxId!, userId.Trim(), MailboxKind.Primary));
        if (!string.IsNullOrEmpty(settings.InPlaceArchiveMailboxId))
            mailboxes.Add(new ExMailbox(settings.InPlaceArchiveMailboxId!, userId.Trim(), MailboxKind.Archive));
        return mailboxes;
    }

    private sealed class ExchangeSettings
    {
        [JsonPropertyName("primaryMailboxId")] public string? PrimaryMailboxId { get; set; }
        [JsonPropertyName("inPlaceArchiveMailboxId")] public string? InPlaceArchiveMailboxId { get; set; }
    }
}
