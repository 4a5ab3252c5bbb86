using System.Net;
using MailboxImportExport.Engine.Diagnostics;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Journal;
using MailboxImportExport.Engine.Models;
using MailboxImportExport.Engine.Services;

namespace MailboxImportExport.Engine.Transfer;

public sealed class ImportBatcherOptions
{
    /// <summary>
    /// Items accepted and not finished: <see cref="ImportBatcher.AddAsync"/> waits beyond it (the backpressure that
    /// keeps memory flat). How many posts are in flight is the mailbox lane's business.
    /// </summary>
    public int Capacity { get; set; } = 32;

    /// <summary>
    /// How long after an import of unknown outcome was sent to look for it, so that a commit landing late is seen.
    /// Null: the real service's default, the longer of 5 minutes and twice the client's attempt timeout
    /// (exactly-once-notes §5.4).
    /// </summary>
    public TimeSpan? SettleDelay { get; set; }

    /// <summary>Posts of one item whose outcome stayed unknown and proved not to have imported, before it is recorded as failed (and tried again next run).</summary>
    public int MaxAttempts { get; set; } = 10;
}

/// <summary>Where and how a batcher imports: one target mailbox, a fixed folder or the source paths under a root, create or update.</summary>
public sealed class ImportPlan
{
    public ImportPlan(string targetMailboxId)
    {
        if (string.IsNullOrWhiteSpace(targetMailboxId)) throw new ArgumentException("The target mailbox id is empty.", nameof(targetMailboxId));
        TargetMailboxId = targetMailboxId;
    }

    public string TargetMailboxId { get; }
    /// <summary>The folder every item goes into (an id), unless <see cref="Folders"/> maps each item's source path.</summary>
    public string? FolderId { get; init; }
    /// <summary>Recreates each item's source folder path under a root.</summary>
    public FolderMapper? Folders { get; init; }
    /// <summary>Create copies; or Update: overwrite an existing item in place (a restore).</summary>
    public ImportMode Mode { get; init; } = ImportMode.Create;
    /// <summary>Update: the item to overwrite; null for each item's own id (a restore in place).</summary>
    public string? TargetItemId { get; init; }
    /// <summary>Update: the overwritten item's current changeKey; null to take it from the journal or read it from the item.</summary>
    public string? TargetChangeKey { get; init; }
    public ExImportSession? Session { get; init; }
}

/// <summary>What became of one item given to an <see cref="ImportBatcher"/>.</summary>
public sealed class ImportOutcome
{
    internal ImportOutcome(ExExportedItem item, TransferItemResult result, ExImportResult? imported, Exception? error, string? errorId)
    {
        Item = item;
        Result = result;
        Imported = imported;
        Error = error;
        ErrorId = errorId;
    }

    public ExExportedItem Item { get; }
    public TransferItemResult Result { get; }
    /// <summary>The item in the target, when it was copied or updated.</summary>
    public ExImportResult? Imported { get; }
    public Exception? Error { get; }
    /// <summary>A short error id for the failure (the service's code, or what the engine checked).</summary>
    public string? ErrorId { get; }

    public override string ToString() => $"{Result} {Item}";
}

/// <summary>
/// Imports exported items into one target mailbox, many at once (as many as the mailbox lane lets through), and
/// makes each land exactly once. With a journal: an item whose copy is up to date is skipped, a changed one updates
/// its copy, a row left "sending" by a stopped run is resolved before anything is sent again, and every post is
/// preceded by a durable "sending" record. Without one the same protocol runs in memory for the run. An import of
/// unknown outcome (5xx, dropped connection, timeout) is resolved through <see cref="UncertainImportResolver"/>,
/// then, only if it made no copy, sent again. Outcomes are queued for the caller's thread (<see cref="TryTake"/>).
/// Dispose cancels what still runs.
/// </summary>
public sealed class ImportBatcher : IDisposable
{
    private readonly ImportService _imports;
    private readonly ImportPlan _plan;
    private readonly ITransferJournal? _journal;
    private readonly TransferCounters _counters;
    private readonly ImportBatcherOptions _options;
    private readonly ItemService _items;
    private readonly GraphClient _graph;
    private readonly UncertainImportResolver _resolver;
    private readonly CancellationTokenSource _stop;
    private readonly SemaphoreSlim _capacity;
    private readonly OutcomeQueue<ImportOutcome> _outcomes = new();
    private readonly object _gate = new();
    private readonly TaskCompletionSource<bool> _finished = TaskCancellation.NewSignal();
    private int _running;
    private bool _completing, _disposed;

    public ImportBatcher(GraphClient graph, ImportService imports, ImportPlan plan, ITransferJournal? journal, TransferCounters counters,
        ImportBatcherOptions? options = null, CancellationToken cancellationToken = default)
    {
        _graph = graph ?? throw new ArgumentNullException(nameof(graph));
        _imports = imports ?? throw new ArgumentNullException(nameof(imports));
        _plan = plan ?? throw new ArgumentNullException(nameof(plan));
        if ((_plan.FolderId is null) == (_plan.Folders is null)) throw new ArgumentException("A plan names either a folder or a folder mapper.", nameof(plan));
        _journal = journal;
        _counters = counters ?? throw new ArgumentNullException(nameof(counters));
        _options = options ?? new ImportBatcherOptions();
        if (_options.Capacity < 1) throw new ArgumentOutOfRangeException(nameof(options), "Capacity must be at least 1.");
        if (_options.MaxAttempts < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxAttempts must be at least 1.");
        _items = new ItemService(graph);
        var settle = _options.SettleDelay ?? TimeSpan.FromTicks(Math.Max(TimeSpan.FromMinutes(5).Ticks, 2 * graph.AttemptTimeout.Ticks));
        _resolver = new UncertainImportResolver(graph, journal, settle);
        _capacity = new SemaphoreSlim(_options.Capacity, _options.Capacity);
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    }

    /// <summary>Accepts one item; waits while <see cref="ImportBatcherOptions.Capacity"/> items are still being imported.</summary>
    public async Task AddAsync(ExExportedItem item, CancellationToken ct)
    {
        if (item is null) throw new ArgumentNullException(nameof(item));
        lock (_gate)
        {
            if (_disposed) throw new ObjectDisposedException(nameof(ImportBatcher));
            if (_completing) throw new InvalidOperationException("No item can be added once CompleteAsync has been called.");
        }
        await TaskCancellation.WaitAsync(_capacity.WaitAsync(_stop.Token), ct, _stop.Token).ConfigureAwait(false);
        lock (_gate) _running++;
        // The caller's context (its log sink and throttle meter) flows into the task.
        _ = Task.Run(() => RunAsync(item), CancellationToken.None);
    }

    /// <summary>Waits until every accepted item has its outcome queued.</summary>
    public async Task CompleteAsync(CancellationToken ct)
    {
        lock (_gate)
        {
            _completing = true;
            FinishIfDone();
        }
        await TaskCancellation.WaitAsync(_finished.Task, ct, _stop.Token).ConfigureAwait(false);
    }

    /// <summary>What the batcher's resolver holds in memory (copies not yet journaled, folders in use).</summary>
    internal (int Claims, int Folders) ResolverHeld => _resolver.Held;

    /// <summary>Takes the next outcome, if any.</summary>
    public bool TryTake(out ImportOutcome outcome) => _outcomes.TryTake(out outcome);

    /// <summary>True when an outcome can be taken; false once completing and nothing more will come.</summary>
    public Task<bool> WaitForOutcomeAsync(CancellationToken ct) => _outcomes.WaitAsync(ct, _stop.Token);

    /// <summary>Once completing and the last item has finished, no outcome will come any more.</summary>
    private void FinishIfDone()
    {
        if (!_completing || _running != 0) return;
        _finished.TrySetResult(true);
        _outcomes.Finish();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
        }
        _stop.Cancel();
        _outcomes.Wake();
    }

    private async Task RunAsync(ExExportedItem item)
    {
        ImportOutcome? outcome = null;
        try
        {
            outcome = await ImportOneAsync(item, _stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Stopped: the row stays as it was ("sending" if a post went), for the next run to resolve.
        }
        catch (Exception e)
        {
            outcome = Fail(item, null, e, "ImportFailed");
        }
        finally
        {
            lock (_gate)
            {
                if (outcome is not null) _outcomes.Add(outcome);
                _running--;
                FinishIfDone();
            }
            _capacity.Release();
        }
    }

    private async Task<ImportOutcome> ImportOneAsync(ExExportedItem item, CancellationToken ct)
    {
        var row = _journal?.Find(item.SourceMailboxId, item.ItemId, _plan.TargetMailboxId);
        if (row?.State == JournalItemState.Sending) await ResolveStaleAsync(row, ct).ConfigureAwait(false);
        if (row is { State: JournalItemState.Done } && item.ChangeKey is not null && row.SourceChangeKey == item.ChangeKey && _plan.Mode == ImportMode.Create)
        {
            _counters.Record(TransferItemResult.Skipped, item.SourceMailboxId, item.SourceFolderPath, 0);
            return new ImportOutcome(item, TransferItemResult.Skipped, null, null, null);
        }

        // A row that names a target item has a copy there (made by an earlier run): it is updated, never doubled.
        var copy = _plan.Mode == ImportMode.Create ? row?.TargetItemId : null;
        string folderId;
        try
        {
            folderId = copy is not null && row!.TargetFolderId is { } existing
                ? existing
                : await FolderForAsync(item, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is GraphException or ArgumentException)
        {
            return Fail(item, row, e, "TargetFolderUnavailable");
        }

        // A changed source item updates its existing copy; a restore overwrites the named item.
        var mode = ImportMode.Create;
        string? targetItemId = null, targetChangeKey = null;
        try
        {
            if (_plan.Mode == ImportMode.Update)
            {
                mode = ImportMode.Update;
                targetItemId = _plan.TargetItemId ?? item.ItemId;
                targetChangeKey = _plan.TargetChangeKey ?? await CurrentChangeKeyAsync(folderId, targetItemId, row, ct).ConfigureAwait(false);
            }
            else if (copy is not null)
            {
                mode = ImportMode.Update;
                targetItemId = copy;
                targetChangeKey = row!.TargetChangeKey;
            }
        }
        catch (GraphException e)
        {
            return Fail(item, row, e, "TargetItemUnavailable");
        }

        row ??= new JournalItem(item.SourceMailboxId, item.ItemId, _plan.TargetMailboxId);
        row.SourceChangeKey = item.ChangeKey;
        row.Size = item.Size;
        row.SourceFolderId = item.SourceFolderId;
        row.SourceFolderPath = item.SourceFolderPath;
        row.Subject = item.Subject;
        row.MessageClass = item.Type ?? item.MessageClass;
        var fingerprint = ItemFingerprint.Of(item.Data);

        for (var attempt = 1; ; attempt++)
        {
            var request = new ImportRequest(_plan.TargetMailboxId, folderId, item.Data)
            {
                Mode = mode,
                ItemId = mode == ImportMode.Update ? targetItemId : null,
                ChangeKey = mode == ImportMode.Update ? targetChangeKey : null,
                Session = _plan.Session,
                SourceMailboxId = item.SourceMailboxId,
                SourceFolderId = item.SourceFolderId,
                SourceItemId = item.ItemId,
                Subject = item.Subject,
            };
            try
            {
                request.Validate();
            }
            catch (ArgumentException e)
            {
                return Fail(item, row, e, "ImportRequestInvalid");
            }

            row.State = JournalItemState.Sending;
            row.Mode = mode;
            row.TargetFolderId = folderId;
            if (mode == ImportMode.Update) (row.TargetItemId, row.TargetChangeKey) = (targetItemId, targetChangeKey);
            row.Attempts++;
            row.Fingerprint = fingerprint;
            row.DataSha256 ??= item.Data.Sha256();
            Resolution resolution;
            using (var entered = await _resolver.EnterAsync(_plan.TargetMailboxId, folderId, ct).ConfigureAwait(false))
            {
                row.SentAt = _graph.ServiceNow();
                _journal?.Save(row);
                try
                {
                    var imported = await _imports.ImportAsync(request, ct).ConfigureAwait(false);
                    _resolver.Claim(_plan.TargetMailboxId, imported.ItemId);
                    return Succeed(item, row, mode, imported.ItemId, imported.ChangeKey, imported);
                }
                catch (ImportOutcomeUnknownException e)
                {
                    EngineLog.Verbose($"The import of {item} into {_plan.TargetMailboxId} has an unknown outcome ({e.Reason}); finding out whether it landed before sending it again.");
                    row.SentAt = e.SentAt;
                    row.ErrorCode = "OutcomeUnknown";
                    row.ErrorMessage = e.Reason;
                    entered.Dispose();
                    resolution = await _resolver.ResolveAsync(new UncertainImport(_plan.TargetMailboxId, folderId, fingerprint, e.SentAt)
                    {
                        UpdatedItemId = mode == ImportMode.Update ? targetItemId : null,
                        UpdatedFromChangeKey = mode == ImportMode.Update ? targetChangeKey : null,
                    }, ct).ConfigureAwait(false);
                }
                catch (GraphException e) when (mode == ImportMode.Update && _plan.Mode == ImportMode.Create && e.StatusCode == HttpStatusCode.NotFound)
                {
                    // The copy this journal knew is gone from the target (deleted there): make a new one.
                    EngineLog.Verbose($"The copy {targetItemId} of {item} is no longer in {_plan.TargetMailboxId}; creating a new copy.");
                    (mode, targetItemId, targetChangeKey) = (ImportMode.Create, null, null);
                    folderId = await FolderForAsync(item, ct).ConfigureAwait(false);
                    continue;
                }
                catch (GraphException e)
                {
                    return Fail(item, row, e, e.Code);
                }
            }
            _counters.RecordResolved();
            if (resolution.Created)
            {
                EngineLog.Verbose($"The import of {item} had landed (item {resolution.ItemId}); it is recorded, not sent again.");
                return Succeed(item, row, mode, resolution.ItemId!, resolution.ChangeKey, null);
            }
            if (attempt >= _options.MaxAttempts)
                return Fail(item, row, new InvalidOperationException($"Item {item.ItemId} was sent {attempt} times and each time the outcome was unknown and proved not to have imported; it is left for the next run."), "OutcomeUnknown");
            EngineLog.Verbose($"The import of {item} had not landed; sending it again (attempt {attempt + 1}).");
        }
    }

    /// <summary>A row a stopped run left "sending": found in the target (done) or not (to be sent again).</summary>
    private async Task ResolveStaleAsync(JournalItem row, CancellationToken ct)
    {
        if (row.TargetFolderId is null || row.Fingerprint is null || row.SentAt is null)
        {
            row.State = JournalItemState.Pending;
            return;
        }
        var resolution = await _resolver.ResolveAsync(new UncertainImport(row.TargetMailboxId, row.TargetFolderId, row.Fingerprint, row.SentAt.Value)
        {
            UpdatedItemId = row.Mode == ImportMode.Update ? row.TargetItemId : null,
            UpdatedFromChangeKey = row.Mode == ImportMode.Update ? row.TargetChangeKey : null,
        }, ct).ConfigureAwait(false);
        _counters.RecordResolved();
        if (resolution.Created)
        {
            EngineLog.Verbose($"Item {row.SourceItemId} was in flight when an earlier run stopped; its copy {resolution.ItemId} is in the target.");
            (row.State, row.TargetItemId, row.TargetChangeKey) = (JournalItemState.Done, resolution.ItemId, resolution.ChangeKey);
        }
        else
        {
            EngineLog.Verbose($"Item {row.SourceItemId} was in flight when an earlier run stopped; it had not landed.");
            // An update that did not land leaves the copy (TargetItemId) as it was: it is updated again.
            row.State = JournalItemState.Pending;
        }
        _journal?.Save(row);
        if (resolution.Created) _resolver.Recorded(row.TargetMailboxId, resolution.ItemId);
    }

    /// <summary>Restore in place: the overwritten item's current changeKey, from the journal when it knows the item, else read from it.</summary>
    private async Task<string?> CurrentChangeKeyAsync(string folderId, string itemId, JournalItem? row, CancellationToken ct)
    {
        if (row is { TargetItemId: { } known, TargetChangeKey: { } changeKey } && known == itemId) return changeKey;
        var current = await _items.GetAsync(_plan.TargetMailboxId, folderId, itemId, null, ct).ConfigureAwait(false);
        return current.ChangeKey;
    }

    private async Task<string> FolderForAsync(ExExportedItem item, CancellationToken ct)
    {
        if (_plan.Folders is null) return _plan.FolderId!;
        if (string.IsNullOrEmpty(item.SourceFolderPath))
            throw new ArgumentException($"Item {item.ItemId} carries no source folder path, so its folder cannot be recreated. List items from folders (Get-ExMailboxFolder | Get-ExMailboxItem) so they carry their path, or import into one folder.");
        await _plan.Folders.LearnSourcePathAsync(item.SourceMailboxId, item.SourceFolderId, item.SourceFolderPath, ct).ConfigureAwait(false);
        var folder = await _plan.Folders.MapAsync(_plan.TargetMailboxId, item.SourceFolderPath!, FolderMapper.FolderTypeFor(item.Type ?? item.MessageClass), ct).ConfigureAwait(false);
        return folder.Id;
    }

    private ImportOutcome Succeed(ExExportedItem item, JournalItem row, ImportMode mode, string itemId, string? changeKey, ExImportResult? imported)
    {
        row.State = JournalItemState.Done;
        row.TargetItemId = itemId;
        row.TargetChangeKey = changeKey;
        row.ErrorCode = row.ErrorMessage = null;
        _journal?.Save(row);
        _resolver.Recorded(_plan.TargetMailboxId, itemId);
        var result = mode == ImportMode.Update ? TransferItemResult.Updated : TransferItemResult.Copied;
        _counters.Record(result, item.SourceMailboxId, item.SourceFolderPath, item.Data.Length);
        imported ??= new ExImportResult
        {
            SourceMailboxId = item.SourceMailboxId,
            SourceFolderId = item.SourceFolderId,
            SourceItemId = item.ItemId,
            TargetMailboxId = _plan.TargetMailboxId,
            TargetFolderId = row.TargetFolderId ?? "",
            ItemId = itemId,
            ChangeKey = changeKey,
            Mode = mode,
            Size = item.Data.Length,
            Subject = item.Subject,
        };
        return new ImportOutcome(item, result, imported, null, null);
    }

    private ImportOutcome Fail(ExExportedItem item, JournalItem? row, Exception error, string errorId)
    {
        if (_journal is not null)
        {
            row ??= new JournalItem(item.SourceMailboxId, item.ItemId, _plan.TargetMailboxId)
            {
                Size = item.Size,
                SourceChangeKey = item.ChangeKey,
                SourceFolderId = item.SourceFolderId,
                SourceFolderPath = item.SourceFolderPath,
                Subject = item.Subject,
                MessageClass = item.Type ?? item.MessageClass,
            };
            SaveFailed(_journal, row, error is GraphException g ? g.Code : errorId, error.Message);
        }
        _counters.Record(TransferItemResult.Failed, item.SourceMailboxId, item.SourceFolderPath, 0);
        return new ImportOutcome(item, TransferItemResult.Failed, null, error, errorId);
    }

    /// <summary>Records that an item could not be exported, so the next run tries it again and the statistics list it.</summary>
    public static void RecordFailure(ITransferJournal journal, string targetMailboxId, ExportRequest request, string code, string message)
    {
        var row = journal.Find(request.MailboxId, request.ItemId, targetMailboxId) ?? new JournalItem(request.MailboxId, request.ItemId, targetMailboxId)
        {
            Size = request.Size ?? 0,
            SourceChangeKey = request.ChangeKey,
            SourceFolderId = request.FolderId,
            SourceFolderPath = request.FolderPath,
            MessageClass = request.Type,
        };
        SaveFailed(journal, row, code, message);
    }

    /// <summary>A copy made earlier stays recorded (TargetItemId): the next run updates it rather than make another.</summary>
    private static void SaveFailed(ITransferJournal journal, JournalItem row, string code, string message)
    {
        row.State = JournalItemState.Failed;
        row.ErrorCode = code;
        row.ErrorMessage = message;
        journal.Save(row);
    }
}
