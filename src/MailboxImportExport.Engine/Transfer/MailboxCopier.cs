using System.Net;
using MailboxImportExport.Engine.Diagnostics;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Journal;
using MailboxImportExport.Engine.Models;
using MailboxImportExport.Engine.Services;

namespace MailboxImportExport.Engine.Transfer;

/// <summary>One mailbox pair of a copy: what to copy from where to where.</summary>
public sealed class MailboxCopyRequest
{
    public MailboxCopyRequest(string sourceMailboxId, string targetMailboxId)
    {
        if (string.IsNullOrWhiteSpace(sourceMailboxId)) throw new ArgumentException("The source mailbox id is empty.", nameof(sourceMailboxId));
        if (string.IsNullOrWhiteSpace(targetMailboxId)) throw new ArgumentException("The target mailbox id is empty.", nameof(targetMailboxId));
        SourceMailboxId = sourceMailboxId;
        TargetMailboxId = targetMailboxId;
    }

    public string SourceMailboxId { get; }
    public string TargetMailboxId { get; }
    /// <summary>What the user called the source (a user principal name): kept in the journal, to find the pair by it.</summary>
    public string? SourceName { get; init; }
    /// <summary>What the user called the target.</summary>
    public string? TargetName { get; init; }
    /// <summary>Where the source tree goes in the target; <c>/</c> merges it into the target's own folders (well-known ones by name).</summary>
    public string TargetRootPath { get; init; } = "/";
    public IReadOnlyList<string> IncludeFolders { get; init; } = Array.Empty<string>();
    public IReadOnlyList<string> ExcludeFolders { get; init; } = Array.Empty<string>();
    /// <summary>Only items created at or after this time.</summary>
    public DateTimeOffset? StartDate { get; init; }
    /// <summary>Only items created before this time.</summary>
    public DateTimeOffset? EndDate { get; init; }
    /// <summary>Also copy the Recoverable Items folders, into their counterparts.</summary>
    public bool IncludeRecoverableItems { get; init; }
    /// <summary>Soft-delete target copies of items deleted at the source since they were copied.</summary>
    public bool MirrorDeletion { get; init; }
    /// <summary>Stop the pair once more than this many items failed; null for no limit.</summary>
    public int? BadItemLimit { get; init; }

    public override string ToString() => $"{SourceMailboxId} -> {TargetMailboxId}";
}

/// <summary>
/// The copy's buffers, smaller than a cmdlet's: two export calls' worth of items a mailbox and twice the lane's
/// imports in flight keep the target lane busy (93% of the ideal for one pair, as with 100 and 32), while what a copy
/// holds, and so the garbage its long-lived buffers leave in the oldest generation, is a third of what it was.
/// </summary>
public sealed class MailboxCopyOptions
{
    public ExportBatcherOptions Export { get; set; } = new() { MaxBufferedItemsPerMailbox = 40 };
    public ImportBatcherOptions Import { get; set; } = new() { Capacity = 8 };
}

/// <summary>What a copy would do in one source folder (-WhatIf).</summary>
public sealed class CopyFolderPlan
{
    public string SourceMailboxId { get; internal set; } = "";
    public string TargetMailboxId { get; internal set; } = "";
    public string FolderPath { get; internal set; } = "";
    public string TargetFolderPath { get; internal set; } = "";
    public int ToCopy { get; internal set; }
    public int ToUpdate { get; internal set; }
    public int ToSkip { get; internal set; }
    public int ToDelete { get; internal set; }

    public override string ToString() => $"{FolderPath} -> {TargetFolderPath}: copy {ToCopy}, update {ToUpdate}, skip {ToSkip}, delete {ToDelete}";
}

/// <summary>An item a copy could not export or import: reported as it happens, recorded in the journal.</summary>
public sealed class CopyItemFailure
{
    internal CopyItemFailure(MailboxCopyRequest pair, string itemId, string? folderPath, string? subject, string code, Exception error)
    {
        SourceMailboxId = pair.SourceMailboxId;
        TargetMailboxId = pair.TargetMailboxId;
        ItemId = itemId;
        FolderPath = folderPath;
        Subject = subject;
        Code = code;
        Error = error;
    }

    public string SourceMailboxId { get; }
    public string TargetMailboxId { get; }
    public string ItemId { get; }
    public string? FolderPath { get; }
    public string? Subject { get; }
    /// <summary>The service's error code, or what the engine checked.</summary>
    public string Code { get; }
    public Exception Error { get; }

    public override string ToString() => $"Item {ItemId} ({FolderPath}) of {SourceMailboxId}";
}

/// <summary>A pair stopped because more items failed than its -BadItemLimit allows.</summary>
public sealed class BadItemLimitExceededException : Exception
{
    public BadItemLimitExceededException(MailboxCopyRequest pair, int failed, string journalPath)
        : base($"The copy of {pair.SourceMailboxId} to {pair.TargetMailboxId} stopped: {failed} items failed, more than -BadItemLimit {pair.BadItemLimit}. " +
               $"'Get-ExCopyStatistics -JournalPath \"{journalPath}\" -IncludeReport' lists them with their errors; running the copy again retries only those (and what was not reached).")
    {
        Failed = failed;
        Limit = pair.BadItemLimit ?? 0;
    }

    public int Failed { get; }
    public int Limit { get; }
}

/// <summary>
/// Copies one mailbox pair through its journal: lists the source folders and items, skips (before export) what the
/// journal has copied in the same version, exports the rest 20 to a call, and imports them exactly once (creating
/// or updating their copies). Listing, export and import overlap, with bounded buffers between them.
/// </summary>
public sealed class MailboxCopier
{
    /// <summary>The Recoverable Items folders, outside the folder tree a listing shows.</summary>
    public static readonly IReadOnlyList<string> RecoverableItemsFolders = new[]
    {
        "recoverableitemsdeletions", "recoverableitemsversions", "recoverableitemspurges", "recoverableitemsdiscoveryholds",
    };

    private readonly GraphClient _graph;
    private readonly ITransferJournal _journal;
    private readonly MailboxCopyOptions _options;
    private readonly FolderService _folders;
    private readonly ItemService _items;

    public MailboxCopier(GraphClient graph, ITransferJournal journal, MailboxCopyOptions? options = null)
    {
        _graph = graph ?? throw new ArgumentNullException(nameof(graph));
        _journal = journal ?? throw new ArgumentNullException(nameof(journal));
        _options = options ?? new MailboxCopyOptions();
        _folders = new FolderService(graph);
        _items = new ItemService(graph);
    }

    /// <summary>What a copy would do, folder by folder, without exporting or importing anything.</summary>
    public async Task<IReadOnlyList<CopyFolderPlan>> PlanAsync(MailboxCopyRequest request, CancellationToken ct)
    {
        var plans = new List<CopyFolderPlan>();
        var listed = new HashSet<string>(StringComparer.Ordinal);
        var folders = await SourceFoldersAsync(request, ct).ConfigureAwait(false);
        foreach (var folder in folders)
        {
            var plan = new CopyFolderPlan
            {
                SourceMailboxId = request.SourceMailboxId,
                TargetMailboxId = request.TargetMailboxId,
                FolderPath = folder.Path,
                TargetFolderPath = TargetPathOf(request, folder),
            };
            await foreach (var item in ListAsync(request, folder, null, ct).ConfigureAwait(false))
            {
                listed.Add(item.Id);
                var row = _journal.Find(request.SourceMailboxId, item.Id, request.TargetMailboxId);
                if (IsUpToDate(row, item)) plan.ToSkip++;
                else if (row?.TargetItemId is not null) plan.ToUpdate++;
                else plan.ToCopy++;
            }
            plans.Add(plan);
        }
        if (request.MirrorDeletion)
        {
            foreach (var row in DeletedAtSource(request, folders, listed))
            {
                var plan = plans.FirstOrDefault(p => string.Equals(p.FolderPath, row.SourceFolderPath, StringComparison.OrdinalIgnoreCase));
                if (plan is not null) plan.ToDelete++;
            }
        }
        return plans;
    }

    /// <summary>Copies the pair, counting into <paramref name="counters"/> (the pair's, whose parent is the run's).</summary>
    /// <exception cref="BadItemLimitExceededException">More items failed than the pair's limit allows.</exception>
    public async Task CopyAsync(MailboxCopyRequest request, TransferCounters counters, CancellationToken ct, Action<CopyItemFailure>? onFailure = null)
    {
        if (request.MirrorDeletion && (request.StartDate is not null || request.EndDate is not null))
            throw new ArgumentException("-MirrorDeletion needs the whole of each folder listed, so it cannot go with a date range: an item outside the range is not deleted at the source.");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var mapper = new FolderMapper(_folders, request.TargetRootPath);
        // The target root is found or made while the source's folders are listed.
        var targetRoot = FolderPath.Split(request.TargetRootPath).Count == 0 ? Task.CompletedTask : PrepareAsync(request, "the root folder", () => mapper.MapAsync(request.TargetMailboxId, "", null, stop.Token));
        var folders = await SourceFoldersAsync(request, stop.Token).ConfigureAwait(false);
        foreach (var folder in folders)
        {
            AnchorIfWellKnown(mapper, folder);
            mapper.Describe(folder.Path, folder.Type);
        }
        if (request.StartDate is null && request.EndDate is null) counters.Expect(folders.Sum(f => f.TotalItemCount), 0);

        var imports = new ImportService(_graph);
        // The copy owns what it exports and disposes each item once imported, so its bytes go back to the pool.
        using var exporter = new ExportBatcher(new ExportService(_graph, new ExportOptions { PooledData = true }), _options.Export, stop.Token);
        using var importer = new ImportBatcher(_graph, imports, new ImportPlan(request.TargetMailboxId) { Folders = mapper },
            _journal, counters, _options.Import, stop.Token);
        var listed = new HashSet<string>(StringComparer.Ordinal);
        BadItemLimitExceededException? limitHit = null;

        void CheckLimit()
        {
            if (request.BadItemLimit is { } limit && counters.Failed > limit && limitHit is null)
            {
                limitHit = new BadItemLimitExceededException(request, counters.Failed, _journal.Location);
                stop.Cancel();
            }
        }

        // The target's session and folders are made while the source is listed and exported (the target's lane is idle
        // then), not when the first item of each folder arrives, which would hold its items back two round trips.
        async Task PrepareTargetAsync()
        {
            await targetRoot.ConfigureAwait(false);
            var withItems = request.StartDate is null && request.EndDate is null ? folders.Where(f => f.TotalItemCount > 0 && f.Path.Length > 0) : Enumerable.Empty<ExMailboxFolder>();
            await Task.WhenAll(withItems.Select(f => PrepareAsync(request, $"the folder for {f.Path}", () => mapper.MapAsync(request.TargetMailboxId, f.Path, f.Type, stop.Token)))
                .Append(PrepareAsync(request, "an import session", () => imports.CreateSessionAsync(request.TargetMailboxId, stop.Token)))).ConfigureAwait(false);
        }

        async Task ListAndExportAsync()
        {
            foreach (var folder in folders)
            {
                await foreach (var item in ListAsync(request, folder, request.StartDate is null && request.EndDate is null ? null : counters, stop.Token).ConfigureAwait(false))
                {
                    // Kept only to find deletions: the copy's memory does not grow with the mailbox otherwise.
                    if (request.MirrorDeletion) listed.Add(item.Id);
                    if (IsUpToDate(_journal.Find(request.SourceMailboxId, item.Id, request.TargetMailboxId), item))
                    {
                        counters.Record(TransferItemResult.Skipped, request.SourceMailboxId, folder.Path, 0);
                        continue;
                    }
                    await exporter.AddAsync(ExportRequest.For(item), stop.Token).ConfigureAwait(false);
                }
            }
            await exporter.CompleteAsync(stop.Token).ConfigureAwait(false);
        }

        async Task ImportExportedAsync()
        {
            while (await exporter.WaitForOutcomeAsync(stop.Token).ConfigureAwait(false))
            {
                while (exporter.TryTake(out var outcome))
                {
                    if (outcome.Succeeded)
                    {
                        await importer.AddAsync(outcome.Item!, stop.Token).ConfigureAwait(false);
                        continue;
                    }
                    var code = outcome.ErrorCode ?? "ExportFailed";
                    onFailure?.Invoke(new CopyItemFailure(request, outcome.Request.ItemId, outcome.Request.FolderPath, null, code,
                        outcome.Exception ?? new InvalidOperationException($"Item {outcome.Request.ItemId} ({outcome.Request.FolderPath}) of {request.SourceMailboxId} was not exported: {outcome.ErrorMessage} ({code}).")));
                    ImportBatcher.RecordFailure(_journal, request.TargetMailboxId, outcome.Request, outcome.ErrorCode ?? "ExportFailed", outcome.ErrorMessage ?? "");
                    counters.Record(TransferItemResult.Failed, request.SourceMailboxId, outcome.Request.FolderPath, 0);
                    CheckLimit();
                }
            }
            await importer.CompleteAsync(stop.Token).ConfigureAwait(false);
        }

        async Task WatchImportsAsync()
        {
            while (await importer.WaitForOutcomeAsync(stop.Token).ConfigureAwait(false))
            {
                while (importer.TryTake(out var outcome))
                {
                    outcome.Item.Data.Dispose();
                    if (outcome.Result != TransferItemResult.Failed) continue;
                    onFailure?.Invoke(new CopyItemFailure(request, outcome.Item.ItemId, outcome.Item.SourceFolderPath, outcome.Item.Subject,
                        outcome.ErrorId ?? "ImportFailed", outcome.Error ?? new InvalidOperationException("The item was not copied.")));
                    CheckLimit();
                }
            }
        }

        try
        {
            await Task.WhenAll(PrepareTargetAsync(), ListAndExportAsync(), ImportExportedAsync(), WatchImportsAsync()).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (limitHit is not null)
        {
            throw limitHit;
        }
        if (request.MirrorDeletion) await MirrorDeletionsAsync(request, folders, listed, counters, stop.Token).ConfigureAwait(false);
    }

    /// <summary>
    /// Makes ahead what the imports will need in the target (a folder, a session) while its lane is idle; a failure
    /// is left to the items that need it, which try again and report it.
    /// </summary>
    private static async Task PrepareAsync<T>(MailboxCopyRequest request, string what, Func<Task<T>> step)
    {
        try
        {
            await step().ConfigureAwait(false);
        }
        catch (Exception e) when (e is GraphException or ArgumentException)
        {
            EngineLog.Verbose($"Preparing {what} in {request.TargetMailboxId} failed ({e.Message}); the items that need it try again.");
        }
    }

    /// <summary>The source folders the request takes, with their paths; Recoverable Items under "/Recoverable Items".</summary>
    private async Task<List<ExMailboxFolder>> SourceFoldersAsync(MailboxCopyRequest request, CancellationToken ct)
    {
        var all = new List<ExMailboxFolder>();
        await foreach (var folder in _folders.ListAsync(request.SourceMailboxId, null, recurse: true, ct).ConfigureAwait(false)) all.Add(folder);
        var selection = new FolderSelection(request.IncludeFolders, request.ExcludeFolders);
        var selected = selection.Select(all, out var unmatched).ToList();
        foreach (var pattern in unmatched) EngineLog.Warning($"The folder pattern '{pattern}' matches no folder of {request.SourceMailboxId}.");
        if (!request.IncludeRecoverableItems) return selected;
        // Asked for by their own switch: the include list is about the folder tree; an exclude still applies.
        var recoverable = new List<ExMailboxFolder>();
        foreach (var name in RecoverableItemsFolders)
        {
            try
            {
                var folder = await _folders.GetAsync(request.SourceMailboxId, name, ct).ConfigureAwait(false);
                folder.Path = FolderPath.Child("/Recoverable Items", folder.DisplayName);
                folder.WellKnownName ??= name;
                recoverable.Add(folder);
            }
            catch (GraphException e) when (e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest)
            {
                EngineLog.Verbose($"{request.SourceMailboxId} has no {name} folder; nothing to copy from it.");
            }
        }
        selected.AddRange(new FolderSelection(exclude: request.ExcludeFolders).Select(recoverable, out _));
        return selected;
    }

    /// <summary>Well-known folders go to their counterparts: at the top of the target, or always for Recoverable Items.</summary>
    private static void AnchorIfWellKnown(FolderMapper mapper, ExMailboxFolder folder)
    {
        if (string.IsNullOrEmpty(folder.WellKnownName) || string.IsNullOrEmpty(folder.Path)) return;
        var recoverable = RecoverableItemsFolders.Contains(folder.WellKnownName!, StringComparer.OrdinalIgnoreCase);
        mapper.Anchor(folder.Path, folder.WellKnownName!, underAnyRoot: recoverable);
    }

    private static string TargetPathOf(MailboxCopyRequest request, ExMailboxFolder folder)
    {
        var recoverable = RecoverableItemsFolders.Contains(folder.WellKnownName ?? "", StringComparer.OrdinalIgnoreCase);
        if (recoverable) return folder.Path;
        var root = FolderPath.Split(request.TargetRootPath);
        if (root.Count == 0 && !string.IsNullOrEmpty(folder.WellKnownName)) return $"#{folder.WellKnownName}#";
        return FolderPath.Join(root.Concat(FolderPath.Split(folder.Path)));
    }

    private IAsyncEnumerable<ExMailboxItem> ListAsync(MailboxCopyRequest request, ExMailboxFolder folder, TransferCounters? expectFromCount, CancellationToken ct) =>
        _items.ListAsync(request.SourceMailboxId, folder.Id, folder.Path,
            new ItemQuery { CreatedAfter = request.StartDate, CreatedBefore = request.EndDate, PageSize = 100, IncludeTotalCount = expectFromCount is not null },
            expectFromCount is null ? null : count => expectFromCount.Expect((int)count, 0), ct);

    private static bool IsUpToDate(JournalItem? row, ExMailboxItem item) =>
        row is { State: JournalItemState.Done } && item.ChangeKey is not null && row.SourceChangeKey == item.ChangeKey;

    /// <summary>Copies whose source item was not listed in a folder that was listed whole: deleted at the source.</summary>
    private IEnumerable<JournalItem> DeletedAtSource(MailboxCopyRequest request, IReadOnlyList<ExMailboxFolder> folders, ISet<string> listed)
    {
        var listedFolders = new HashSet<string>(folders.Select(f => f.Id), StringComparer.Ordinal);
        return _journal.ItemsOf(request.SourceMailboxId, request.TargetMailboxId)
            .Where(r => r.State == JournalItemState.Done && r.TargetItemId is not null && r.SourceFolderId is not null
                        && listedFolders.Contains(r.SourceFolderId) && !listed.Contains(r.SourceItemId));
    }

    private async Task MirrorDeletionsAsync(MailboxCopyRequest request, IReadOnlyList<ExMailboxFolder> folders, ISet<string> listed, TransferCounters counters, CancellationToken ct)
    {
        foreach (var row in DeletedAtSource(request, folders, listed).ToList())
        {
            try
            {
                await _items.DeleteAsync(request.TargetMailboxId, row.TargetFolderId!, row.TargetItemId!, hardDelete: false, ct).ConfigureAwait(false);
            }
            catch (GraphException e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                // Already gone from the target too.
            }
            EngineLog.Verbose($"Item {row.SourceItemId} ('{row.Subject}') was deleted from {request.SourceMailboxId}; its copy {row.TargetItemId} was soft-deleted from {request.TargetMailboxId}.");
            row.State = JournalItemState.Deleted;
            _journal.Save(row);
            counters.RecordDeleted();
        }
    }
}
