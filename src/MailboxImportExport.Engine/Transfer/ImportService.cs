using System.Collections.Concurrent;
using System.Net;
using System.Text.RegularExpressions;
using System.Text.Json.Serialization;
using MailboxImportExport.Engine.Diagnostics;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Models;
using MailboxImportExport.Engine.Threading;

namespace MailboxImportExport.Engine.Transfer;

public sealed class ImportServiceOptions
{
    /// <summary>A cached session is renewed once less than this remains before it expires.</summary>
    public TimeSpan SessionRenewalMargin { get; set; } = TimeSpan.FromMinutes(2);
}

/// <summary>
/// Imports items through import sessions: <c>createImportSession</c> on Graph, then a post per item to the
/// session's pre-authenticated URL (no Authorization header). One session per target mailbox is cached and renewed
/// before it expires. An item is sent again only when the answer proves nothing was imported: 401/403 (the session
/// expired) through a new session, 409 "expected in mailbox …" (the folder lives in an auxiliary archive) through a
/// session on that mailbox, 429 after the wait the service asked for. An ambiguous outcome throws
/// <see cref="ImportOutcomeUnknownException"/>. How many posts run at once is the mailbox lane's business
/// (<see cref="GraphClient"/>), not this service's. Safe to use from several threads.
/// </summary>
public sealed class ImportService
{
    private readonly GraphClient _graph;
    private readonly ImportServiceOptions _options;
    private readonly Func<DateTimeOffset> _now;
    private readonly AsyncCache<string, ExImportSession> _sessions = new(StringComparer.OrdinalIgnoreCase);
    // Folders found to live in another (auxiliary archive) mailbox: (target mailbox, folder id) -> that mailbox.
    private readonly ConcurrentDictionary<string, string> _folderMailboxes = new(StringComparer.OrdinalIgnoreCase);

    public ImportService(GraphClient graph, ImportServiceOptions? options = null)
        : this(graph, options, () => DateTimeOffset.UtcNow)
    {
    }

    internal ImportService(GraphClient graph, ImportServiceOptions? options, Func<DateTimeOffset> now)
    {
        _graph = graph ?? throw new ArgumentNullException(nameof(graph));
        _options = options ?? new ImportServiceOptions();
        _now = now;
    }

    /// <summary>Creates a new import session for a mailbox; it also becomes the one this service uses for that mailbox.</summary>
    public async Task<ExImportSession> CreateSessionAsync(string mailboxId, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(mailboxId)) throw new ArgumentException("The mailbox id is empty.", nameof(mailboxId));
        return await _sessions.RenewAsync(mailboxId, id => CreateSessionCoreAsync(id, ct)).ConfigureAwait(false);
    }

    /// <summary>Imports one item. Rule violations throw ArgumentException before anything is sent.</summary>
    /// <exception cref="ImportOutcomeUnknownException">The item may or may not have been imported.</exception>
    public async Task<ExImportResult> ImportAsync(ImportRequest request, CancellationToken ct)
    {
        if (request is null) throw new ArgumentNullException(nameof(request));
        request.Validate();
        var folderKey = request.TargetMailboxId + "\n" + request.TargetFolderId;
        var sessionMailbox = _folderMailboxes.TryGetValue(folderKey, out var elsewhere) ? elsewhere : request.TargetMailboxId;
        var session = request.Session is { } given && IsFresh(given) && sessionMailbox == request.TargetMailboxId
            ? given
            : await SessionForAsync(sessionMailbox, expired: null, ct).ConfigureAwait(false);
        ImportItemResponse response;
        bool renewed = false, movedOnce = false;
        while (true)
        {
            try
            {
                response = await PostAsync(session, request, ct).ConfigureAwait(false);
                break;
            }
            catch (GraphException e) when (!renewed && e.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                renewed = true;
                // The URL's own credential was refused: the session expired early or was revoked. A refused post
                // imported nothing, so sending the item once more through a new session cannot duplicate it.
                EngineLog.Verbose($"The import URL of {session.MailboxId} answered {(int)e.StatusCode} ({e.Code}); creating a new import session and sending the item once more.");
                session = await SessionForAsync(session.MailboxId, expired: session, ct).ConfigureAwait(false);
            }
            catch (GraphException e) when (!movedOnce && ExpectedMailbox(e) is { } other && !string.Equals(other, session.MailboxId, StringComparison.OrdinalIgnoreCase))
            {
                movedOnce = true;
                // The folder's content lives in an auxiliary archive mailbox: nothing was imported, and the service
                // named the mailbox whose session it wants.
                EngineLog.Verbose($"Folder {request.TargetFolderId} of {request.TargetMailboxId} is held in mailbox {other}; importing there through a session of its own.");
                _folderMailboxes[folderKey] = other;
                session = await SessionForAsync(other, expired: null, ct).ConfigureAwait(false);
            }
        }
        return new ExImportResult
        {
            SourceMailboxId = request.SourceMailboxId,
            SourceFolderId = request.SourceFolderId,
            SourceItemId = request.SourceItemId,
            TargetMailboxId = request.TargetMailboxId,
            TargetFolderId = request.TargetFolderId,
            ItemId = response.ItemId!,
            ChangeKey = response.ChangeKey,
            Mode = request.Mode,
            Size = request.Data.Length,
            Subject = request.Subject,
        };
    }

    /// <summary>The mailbox a 409 "Invalid import session. The target session is expected in mailbox MBX:…" names.</summary>
    internal static string? ExpectedMailbox(GraphException e)
    {
        if (e.StatusCode != HttpStatusCode.Conflict) return null;
        var match = Regex.Match(e.ServiceMessage, @"expected in mailbox\s+(?<id>[^\s""']+)", RegexOptions.IgnoreCase);
        return match.Success ? match.Groups["id"].Value.TrimEnd('.') : null;
    }

    private async Task<ImportItemResponse> PostAsync(ExImportSession session, ImportRequest request, CancellationToken ct)
    {
        var response = await _graph.PostToImportUrlAsync<ImportItemResponse>(session.ImportUrl, () => new ImportItemContent(request), ct).ConfigureAwait(false);
        if (string.IsNullOrEmpty(response.ItemId))
            throw new GraphException(HttpStatusCode.OK, "InvalidResponse", "The import URL accepted the item but did not say which item id it got.");
        return response;
    }

    /// <summary>
    /// The mailbox's session: the cached one while it is fresh (and is not <paramref name="expired"/>), else a new
    /// one. Concurrent callers share one renewal; a failed renewal is forgotten so the next caller tries again.
    /// </summary>
    private Task<ExImportSession> SessionForAsync(string mailboxId, ExImportSession? expired, CancellationToken ct) =>
        _sessions.GetAsync(mailboxId, id => CreateSessionCoreAsync(id, ct), isStale: session => session == expired || !IsFresh(session));

    private bool IsFresh(ExImportSession session) => session.ExpirationDateTime - _now() > _options.SessionRenewalMargin;

    private async Task<ExImportSession> CreateSessionCoreAsync(string mailboxId, CancellationToken ct)
    {
        var dto = await _graph.PostAsync<SessionDto>($"{GraphPath.Mailbox(mailboxId)}/createImportSession", null, ct).ConfigureAwait(false);
        if (!Uri.TryCreate(dto.ImportUrl, UriKind.Absolute, out var url) || !url.Scheme.StartsWith("http", StringComparison.OrdinalIgnoreCase))
            throw new GraphException(HttpStatusCode.OK, "InvalidResponse", $"createImportSession for {mailboxId} returned no usable importUrl.");
        if (dto.ExpirationDateTime is not { } expires)
            throw new GraphException(HttpStatusCode.OK, "InvalidResponse", $"createImportSession for {mailboxId} returned no expirationDateTime.");
        EngineLog.Verbose($"Created an import session for {mailboxId}, valid until {expires:u}.");
        return new ExImportSession(mailboxId, url, expires);
    }

    private sealed class SessionDto
    {
        [JsonPropertyName("importUrl")] public string? ImportUrl { get; set; }
        [JsonPropertyName("expirationDateTime")] public DateTimeOffset? ExpirationDateTime { get; set; }
    }

    private sealed class ImportItemResponse
    {
        [JsonPropertyName("itemId")] public string? ItemId { get; set; }
        [JsonPropertyName("changeKey")] public string? ChangeKey { get; set; }
    }
}
