using System.Net;
using MailboxImportExport.Engine.Diagnostics;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Journal;
using MailboxImportExport.Engine.Models;
using MailboxImportExport.Engine.Services;

namespace MailboxImportExport.Engine.Transfer;

/// <summary>An import whose outcome is unknown: what was sent, where, and when (service time).</summary>
internal sealed class UncertainImport
{
    public UncertainImport(string targetMailboxId, string targetFolderId, ItemFingerprint fingerprint, DateTimeOffset sentAt)
    {
        TargetMailboxId = targetMailboxId;
        TargetFolderId = targetFolderId;
        Fingerprint = fingerprint;
        SentAt = sentAt;
    }

    public string TargetMailboxId { get; }
    public string TargetFolderId { get; }
    public ItemFingerprint Fingerprint { get; }
    public DateTimeOffset SentAt { get; }
    /// <summary>For an update: the item overwritten and the changeKey the post named.</summary>
    public string? UpdatedItemId { get; init; }
    public string? UpdatedFromChangeKey { get; init; }
    public string? Describe { get; init; }
}

/// <summary>What resolution found: the copy the post made (Created), or that it made none.</summary>
internal sealed class Resolution
{
    private Resolution(string? itemId, string? changeKey)
    {
        ItemId = itemId;
        ChangeKey = changeKey;
    }

    public static Resolution NotCreated { get; } = new(null, null);
    public static Resolution Found(string itemId, string? changeKey) => new(itemId, changeKey);

    public bool Created => ItemId is not null;
    public string? ItemId { get; }
    public string? ChangeKey { get; }
}

/// <summary>
/// Finds out whether uncertain imports happened, without changing any item and at a cost in proportion to the
/// imports in flight (exactly-once-notes §5.4–5.5). Per target folder: new posts into it wait; once the posts
/// already in flight there have ended and the settle delay has passed since the uncertain ones were sent (a late
/// commit lands meanwhile), one query lists the folder's items created since the earliest of them (less a margin
/// for clock skew); ids the journal (or this run) already records as copies are set aside; the rest are exported,
/// a few at a time, and their content fingerprints compared. Identical items are matched by count, oldest first.
/// </summary>
internal sealed class UncertainImportResolver
{
    private static readonly TimeSpan ClockMargin = TimeSpan.FromMinutes(2);

    private readonly GraphClient _graph;
    private readonly ItemService _items;
    private readonly ExportService _export;
    private readonly ITransferJournal? _journal;
    private readonly TimeSpan _settleDelay;
    private readonly object _gate = new();
    // Folders with posts in flight or a resolution running; a folder's state goes once it has neither.
    private readonly Dictionary<string, FolderState> _folders = new(StringComparer.Ordinal);
    // Copies made and not yet in the journal (all of the run's copies when there is none).
    private readonly HashSet<string> _claimed = new(StringComparer.Ordinal);

    public UncertainImportResolver(GraphClient graph, ITransferJournal? journal, TimeSpan settleDelay)
    {
        _graph = graph;
        _items = new ItemService(graph);
        _export = new ExportService(graph);
        _journal = journal;
        _settleDelay = settleDelay;
    }

    /// <summary>Records a copy this run made, so no resolution takes it for another item's.</summary>
    public void Claim(string targetMailboxId, string itemId)
    {
        lock (_gate) _claimed.Add(Key(targetMailboxId, itemId));
    }

    /// <summary>
    /// The journal has saved the copy's row: from now on the journal tells resolutions it is claimed
    /// (<see cref="ITransferJournal.ClaimedAmong"/>), so the resolver forgets it and holds only the copies whose rows
    /// are not saved yet, a few per import in flight, however many items the run copies. Without a journal the run's
    /// claims are the only record of its copies and stay.
    /// </summary>
    public void Recorded(string targetMailboxId, string? itemId)
    {
        if (_journal is null || itemId is null) return;
        lock (_gate) _claimed.Remove(Key(targetMailboxId, itemId));
    }

    /// <summary>Copies held in memory, and folders with state: what a test checks stays bounded.</summary>
    internal (int Claims, int Folders) Held
    {
        get
        {
            lock (_gate) return (_claimed.Count, _folders.Count);
        }
    }

    /// <summary>Waits until posts into the folder may go (no resolution running there), then counts this one in.</summary>
    public async Task<IDisposable> EnterAsync(string targetMailboxId, string folderId, CancellationToken ct)
    {
        while (true)
        {
            Task open;
            lock (_gate)
            {
                var folder = FolderOf(targetMailboxId, folderId);
                if (folder.Resolving is null)
                {
                    folder.Sending++;
                    return new Exit(this, folder);
                }
                open = folder.Resolving.Task;
            }
            await TaskCancellation.WaitAsync(open, ct, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Resolves an uncertain import. Call it after leaving the folder (<see cref="EnterAsync"/>'s handle disposed).
    /// Uncertain imports of one folder that meet here are resolved together.
    /// </summary>
    public async Task<Resolution> ResolveAsync(UncertainImport uncertain, CancellationToken ct)
    {
        if (uncertain.UpdatedItemId is not null) return await ResolveUpdateAsync(uncertain, ct).ConfigureAwait(false);
        var waiter = new TaskCompletionSource<Resolution>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            var folder = FolderOf(uncertain.TargetMailboxId, uncertain.TargetFolderId);
            folder.Waiting.Add((uncertain, waiter));
            if (folder.Resolving is null)
            {
                folder.Resolving = TaskCancellation.NewSignal();
                folder.Drained = TaskCancellation.NewSignal();
                if (folder.Sending == 0) folder.Drained.TrySetResult(true);
                _ = Task.Run(() => ResolveFolderAsync(folder, ct), CancellationToken.None);
            }
        }
        using (ct.Register(() => waiter.TrySetCanceled(ct)))
            return await waiter.Task.ConfigureAwait(false);
    }

    private async Task ResolveFolderAsync(FolderState folder, CancellationToken ct)
    {
        List<(UncertainImport Item, TaskCompletionSource<Resolution> Waiter)> batch = new();
        try
        {
            // The posts already in flight into this folder end first: each either records its copy or joins this batch.
            await TaskCancellation.WaitAsync(folder.Drained!.Task, ct, CancellationToken.None).ConfigureAwait(false);
            DateTimeOffset latest;
            lock (_gate) latest = folder.Waiting.Max(w => w.Item.SentAt);
            var settle = latest + _settleDelay - _graph.ServiceNow();
            if (settle > TimeSpan.Zero)
            {
                EngineLog.Verbose($"Waiting {settle.TotalSeconds:0.#} s for any late import into folder {folder.FolderId} of {folder.MailboxId} to land before looking for it.");
                await Task.Delay(settle, ct).ConfigureAwait(false);
            }
            lock (_gate)
            {
                batch.AddRange(folder.Waiting);
                folder.Waiting.Clear();
            }
            var results = await MatchAsync(folder.MailboxId, folder.FolderId, batch.Select(b => b.Item).ToList(), ct).ConfigureAwait(false);
            for (var i = 0; i < batch.Count; i++) batch[i].Waiter.TrySetResult(results[i]);
        }
        catch (Exception e)
        {
            lock (_gate)
            {
                batch.AddRange(folder.Waiting);
                folder.Waiting.Clear();
            }
            foreach (var (_, waiter) in batch)
                if (e is OperationCanceledException) waiter.TrySetCanceled(ct); else waiter.TrySetException(e);
        }
        finally
        {
            lock (_gate)
            {
                if (folder.Waiting.Count > 0 && !ct.IsCancellationRequested)
                {
                    // More came while this round matched: another round for them, the folder still closed to new posts.
                    folder.Drained = TaskCancellation.NewSignal();
                    if (folder.Sending == 0) folder.Drained.TrySetResult(true);
                    _ = Task.Run(() => ResolveFolderAsync(folder, ct), CancellationToken.None);
                }
                else
                {
                    var resolving = folder.Resolving;
                    folder.Resolving = null;
                    folder.Drained = null;
                    ForgetIfIdle(folder);
                    resolving?.TrySetResult(true);
                }
            }
        }
    }

    /// <summary>Matches the uncertain imports of one folder against its unclaimed items created since they were sent.</summary>
    private async Task<Resolution[]> MatchAsync(string mailboxId, string folderId, IReadOnlyList<UncertainImport> uncertain, CancellationToken ct)
    {
        var since = uncertain.Min(u => u.SentAt) - ClockMargin;
        var candidates = new List<ExMailboxItem>();
        await foreach (var item in _items.ListAsync(mailboxId, folderId, null, new ItemQuery { CreatedAfter = since, PageSize = 100 }, null, ct).ConfigureAwait(false))
            candidates.Add(item);
        var claimed = _journal?.ClaimedAmong(mailboxId, candidates.Select(c => c.Id).ToList()) ?? new HashSet<string>();
        lock (_gate) candidates.RemoveAll(c => claimed.Contains(c.Id) || _claimed.Contains(Key(mailboxId, c.Id)));
        EngineLog.Verbose($"Resolving {uncertain.Count} import(s) of unknown outcome in folder {folderId} of {mailboxId}: {candidates.Count} unclaimed item(s) created since {since:u}.");

        var fingerprints = await FingerprintsAsync(mailboxId, candidates, ct).ConfigureAwait(false);
        var results = new Resolution[uncertain.Count];
        var taken = new HashSet<string>(StringComparer.Ordinal);
        // Identical items share a fingerprint: match them by count, the oldest candidates first.
        foreach (var group in Enumerable.Range(0, uncertain.Count).GroupBy(i => uncertain[i].Fingerprint.ContentHash))
        {
            var matches = candidates
                .Where(c => !taken.Contains(c.Id) && fingerprints.TryGetValue(c.Id, out var f) && f.ContentHash == group.Key)
                .OrderBy(c => c.CreatedDateTime ?? DateTimeOffset.MinValue).ToList();
            var members = group.ToList();
            for (var n = 0; n < members.Count; n++)
            {
                if (n < matches.Count)
                {
                    taken.Add(matches[n].Id);
                    Claim(mailboxId, matches[n].Id);
                    results[members[n]] = Resolution.Found(matches[n].Id, matches[n].ChangeKey);
                }
                else
                {
                    results[members[n]] = Resolution.NotCreated;
                }
            }
            if (matches.Count > members.Count)
                EngineLog.Warning($"Folder {folderId} of {mailboxId} holds {matches.Count - members.Count} more unclaimed cop(ies) of an item than were in doubt " +
                                  $"({string.Join(", ", matches.Skip(members.Count).Select(m => m.Id))}): duplicates made before this run; they are left alone.");
        }
        return results;
    }

    /// <summary>The content fingerprints of candidates, from their exported streams (20 per call).</summary>
    private async Task<Dictionary<string, ItemFingerprint>> FingerprintsAsync(string mailboxId, List<ExMailboxItem> candidates, CancellationToken ct)
    {
        var fingerprints = new Dictionary<string, ItemFingerprint>(StringComparer.Ordinal);
        for (var start = 0; start < candidates.Count; start += ExportService.MaxItemsPerCall)
        {
            var ids = candidates.Skip(start).Take(ExportService.MaxItemsPerCall).Select(c => c.Id).ToList();
            foreach (var result in await _export.ExportBatchAsync(mailboxId, ids, ct).ConfigureAwait(false))
            {
                if (result.Data is not { } data) continue;
                using (data) fingerprints[result.ItemId] = ItemFingerprint.Of(data);
            }
        }
        return fingerprints;
    }

    /// <summary>An update happened when the item's changeKey is no longer the one the post named.</summary>
    private async Task<Resolution> ResolveUpdateAsync(UncertainImport uncertain, CancellationToken ct)
    {
        var settle = uncertain.SentAt + _settleDelay - _graph.ServiceNow();
        if (settle > TimeSpan.Zero) await Task.Delay(settle, ct).ConfigureAwait(false);
        try
        {
            var current = await _items.GetAsync(uncertain.TargetMailboxId, uncertain.TargetFolderId, uncertain.UpdatedItemId!, null, ct).ConfigureAwait(false);
            return current.ChangeKey is { } changeKey && !string.Equals(changeKey, uncertain.UpdatedFromChangeKey, StringComparison.Ordinal)
                ? Resolution.Found(current.Id, changeKey)
                : Resolution.NotCreated;
        }
        catch (GraphException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return Resolution.NotCreated;
        }
    }

    private FolderState FolderOf(string mailboxId, string folderId)
    {
        var key = Key(mailboxId, folderId);
        if (!_folders.TryGetValue(key, out var folder)) _folders[key] = folder = new FolderState(mailboxId, folderId);
        return folder;
    }

    private static string Key(string mailboxId, string id) => mailboxId.ToUpperInvariant() + "\n" + id;

    private void Leave(FolderState folder)
    {
        lock (_gate)
        {
            if (--folder.Sending != 0) return;
            folder.Drained?.TrySetResult(true);
            ForgetIfIdle(folder);
        }
    }

    /// <summary>A folder with nothing in flight and nothing to resolve needs no state (under the lock); the next post makes it anew.</summary>
    private void ForgetIfIdle(FolderState folder)
    {
        if (folder.Sending == 0 && folder.Resolving is null && folder.Waiting.Count == 0) _folders.Remove(Key(folder.MailboxId, folder.FolderId));
    }

    private sealed class FolderState
    {
        public FolderState(string mailboxId, string folderId)
        {
            MailboxId = mailboxId;
            FolderId = folderId;
        }

        public string MailboxId { get; }
        public string FolderId { get; }
        public int Sending { get; set; }
        /// <summary>Set while a resolution runs (new posts wait for it); completed when it ends.</summary>
        public TaskCompletionSource<bool>? Resolving { get; set; }
        /// <summary>Completed once no post into the folder is in flight.</summary>
        public TaskCompletionSource<bool>? Drained { get; set; }
        public List<(UncertainImport Item, TaskCompletionSource<Resolution> Waiter)> Waiting { get; } = new();
    }

    private sealed class Exit : IDisposable
    {
        private UncertainImportResolver? _owner;
        private readonly FolderState _folder;

        public Exit(UncertainImportResolver owner, FolderState folder)
        {
            _owner = owner;
            _folder = folder;
        }

        public void Dispose() => Interlocked.Exchange(ref _owner, null)?.Leave(_folder);
    }
}
