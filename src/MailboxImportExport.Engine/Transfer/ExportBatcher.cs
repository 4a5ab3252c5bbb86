using MailboxImportExport.Engine.Diagnostics;
using MailboxImportExport.Engine.Models;

namespace MailboxImportExport.Engine.Transfer;

public sealed class ExportBatcherOptions
{
    /// <summary>Items per exportItems call (1 to 20).</summary>
    public int BatchSize { get; set; } = ExportService.MaxItemsPerCall;
    /// <summary>
    /// A partial batch goes once no item has been added for its mailbox for this long and none of its calls is
    /// running: while calls run, more ids are coming and the batch keeps filling.
    /// </summary>
    public TimeSpan IdleFlush { get; set; } = TimeSpan.FromMilliseconds(300);
    /// <summary>
    /// Calls per mailbox started and not yet answered, most of them waiting for a slot in the mailbox's lane: a
    /// bound on memory (items waiting to be exported), not on concurrency, which the lane sets.
    /// </summary>
    public int MaxQueuedCallsPerMailbox { get; set; } = 8;
    /// <summary>
    /// Items of a mailbox exported or being exported and not yet taken: no call for it starts beyond this. Export is
    /// far faster than import (20 items a call against one), so without it a copy would hold its whole source in
    /// memory while the imports catch up. The taker must keep taking while it adds and completes.
    /// </summary>
    public int MaxBufferedItemsPerMailbox { get; set; } = 100;
}

/// <summary>
/// Turns a stream of single items (a cmdlet's pipeline input) into exportItems calls of up to 20 ids per mailbox.
/// A batch goes when it is full, at <see cref="CompleteAsync"/>, or when its mailbox has been idle for
/// <see cref="ExportBatcherOptions.IdleFlush"/> with none of its calls running (so batches fill to 20 while more ids
/// keep coming). Calls run as the mailbox's lane in <see cref="Http.GraphClient"/> allows; at most
/// <see cref="ExportBatcherOptions.MaxQueuedCallsPerMailbox"/> are started per mailbox, and <see cref="AddAsync"/>
/// waits while a closed batch cannot start (that is the backpressure that keeps memory flat).
/// Outcomes are queued for the caller to take on its own thread with <see cref="TryTake"/>.
/// A failed call fails each of its items, never the run. Dispose the batcher when done: it cancels what is still
/// running and deletes the data of outcomes nobody took.
/// </summary>
public sealed class ExportBatcher : IDisposable
{
    private readonly ExportService _service;
    private readonly ExportBatcherOptions _options;
    // Not disposed: calls still finishing read its token. Cancelling it is what stops them.
    private readonly CancellationTokenSource _stop;
    private readonly object _gate = new();
    private readonly Dictionary<string, Lane> _lanes = new(StringComparer.OrdinalIgnoreCase);
    private readonly OutcomeQueue<ExportOutcome> _outcomes = new();
    private readonly TaskCompletionSource<bool> _allDone = TaskCancellation.NewSignal();
    private bool _completing, _disposed;

    public ExportBatcher(ExportService service, ExportBatcherOptions? options = null, CancellationToken cancellationToken = default)
    {
        _service = service ?? throw new ArgumentNullException(nameof(service));
        _options = options ?? new ExportBatcherOptions();
        if (_options.BatchSize is < 1 or > ExportService.MaxItemsPerCall)
            throw new ArgumentOutOfRangeException(nameof(options), $"BatchSize must be between 1 and {ExportService.MaxItemsPerCall}.");
        if (_options.MaxQueuedCallsPerMailbox < 1)
            throw new ArgumentOutOfRangeException(nameof(options), "MaxQueuedCallsPerMailbox must be at least 1.");
        if (_options.MaxBufferedItemsPerMailbox < 1)
            throw new ArgumentOutOfRangeException(nameof(options), "MaxBufferedItemsPerMailbox must be at least 1.");
        if (_options.IdleFlush < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(options), "IdleFlush cannot be negative.");
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _stop.Token.Register(OnStopped);
    }

    /// <summary>Queues one item. Returns once its mailbox has no closed batch waiting for a free call slot.</summary>
    public async Task AddAsync(ExportRequest request, CancellationToken ct)
    {
        if (request is null) throw new ArgumentNullException(nameof(request));
        Task capacity;
        lock (_gate)
        {
            ThrowIfClosed();
            if (_completing) throw new InvalidOperationException("No item can be added once CompleteAsync has been called.");
            var lane = LaneFor(request.MailboxId);
            // One call may name an id only once: the same item piped twice goes in the next call.
            if (lane.Pending.Exists(r => string.Equals(r.ItemId, request.ItemId, StringComparison.Ordinal))) lane.Close();
            lane.Pending.Add(request);
            if (lane.Pending.Count >= _options.BatchSize) lane.Close();
            else RestartIdleTimer(lane);
            Pump(lane);
            capacity = lane.Drained.Task;
        }
        await TaskCancellation.WaitAsync(capacity, ct, _stop.Token).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends every partial batch and waits until every call has finished and queued its outcomes. Outcomes must be taken
    /// meanwhile (from another task, or while waiting) beyond <see cref="ExportBatcherOptions.MaxBufferedItemsPerMailbox"/> items.
    /// </summary>
    public async Task CompleteAsync(CancellationToken ct)
    {
        lock (_gate)
        {
            ThrowIfClosed();
            _completing = true;
            foreach (var lane in _lanes.Values) Pump(lane);
            CheckAllDone();
        }
        await TaskCancellation.WaitAsync(_allDone.Task, ct, _stop.Token).ConfigureAwait(false);
    }

    /// <summary>Takes the next finished outcome, if any. The taker owns the item's data.</summary>
    public bool TryTake(out ExportOutcome outcome)
    {
        if (!_outcomes.TryTake(out outcome)) return false;
        lock (_gate)
        {
            if (_lanes.TryGetValue(outcome.Request.MailboxId, out var lane))
            {
                lane.Buffered--;
                // Room for more: a batch held back by the buffer bound may start.
                Pump(lane);
            }
        }
        return true;
    }

    /// <summary>
    /// Waits until an outcome can be taken (true) or, after <see cref="CompleteAsync"/>, until none will come any
    /// more (false). Throws OperationCanceledException when cancelled, even once its last call has wound down.
    /// </summary>
    public Task<bool> WaitForOutcomeAsync(CancellationToken ct) => _outcomes.WaitAsync(ct, _stop.Token);

    /// <summary>Cancels calls still running and deletes the data of every outcome nobody took.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
        }
        _stop.Cancel();
    }

    private Lane LaneFor(string mailboxId)
    {
        if (!_lanes.TryGetValue(mailboxId, out var lane))
        {
            lane = new Lane(mailboxId);
            // Created here, so the timer's callbacks carry the caller's context (and its EngineLog sink).
            lane.IdleTimer = new Timer(_ => OnIdle(lane), null, Timeout.Infinite, Timeout.Infinite);
            _lanes.Add(mailboxId, lane);
        }
        return lane;
    }

    private void RestartIdleTimer(Lane lane)
    {
        lane.IdleDue = false;
        lane.IdleTimer!.Change(_options.IdleFlush, Timeout.InfiniteTimeSpan);
    }

    private void OnIdle(Lane lane)
    {
        lock (_gate)
        {
            // A timer armed for an earlier add may fire just after a later one; that only sends a smaller batch.
            lane.IdleDue = true;
            Pump(lane);
        }
    }

    /// <summary>Starts the closed batches the queue bound allows. A partial batch goes early only when the mailbox would otherwise stall.</summary>
    private void Pump(Lane lane)
    {
        if (_stop.IsCancellationRequested) return;
        while ((lane.Buffered == 0 || lane.Buffered + _options.BatchSize <= _options.MaxBufferedItemsPerMailbox)
               && lane.TakeStartable(_options.MaxQueuedCallsPerMailbox, closePartial: (lane.IdleDue && lane.Running == 0) || _completing) is { } batch)
        {
            lane.Buffered += batch.Count;
            _ = Task.Run(() => RunBatchAsync(lane, batch));
        }
    }

    private async Task RunBatchAsync(Lane lane, List<ExportRequest> batch)
    {
        try
        {
            var results = await _service.ExportBatchAsync(lane.MailboxId, batch.ConvertAll(r => r.ItemId), _stop.Token).ConfigureAwait(false);
            for (var i = 0; i < batch.Count; i++) Publish(ToOutcome(batch[i], results[i]));
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Stopping: nothing more is reported, and the reader has deleted what it had spilled.
        }
        catch (Exception e)
        {
            EngineLog.Verbose($"exportItems for {batch.Count} item(s) of {lane.MailboxId} failed as a whole: {e.Message}");
            foreach (var request in batch) Publish(ExportOutcome.CallFailed(request, e));
        }
        finally
        {
            lock (_gate)
            {
                lane.Running--;
                Pump(lane);
                CheckAllDone();
            }
        }
    }

    private static ExportOutcome ToOutcome(ExportRequest request, ExportItemResult result) =>
        result.Succeeded
            ? ExportOutcome.Success(request, ExExportedItem.FromExport(request, result.ChangeKey, result.Data!))
            : ExportOutcome.ItemFailed(request, result.ErrorCode!, result.ErrorMessage!);

    private void Publish(ExportOutcome outcome)
    {
        lock (_gate)
        {
            if (_stop.IsCancellationRequested)
            {
                outcome.Item?.Data.Dispose();
                return;
            }
            _outcomes.Add(outcome);
        }
    }

    private void CheckAllDone()
    {
        if (_completing && !_stop.IsCancellationRequested && _lanes.Values.All(lane => lane.IsIdle))
        {
            foreach (var lane in _lanes.Values) lane.IdleTimer!.Dispose();
            _allDone.TrySetResult(true);
            _outcomes.Finish();
        }
    }

    private void OnStopped()
    {
        lock (_gate)
        {
            foreach (var lane in _lanes.Values) lane.IdleTimer!.Dispose();
            foreach (var outcome in _outcomes.TakeAll()) outcome.Item?.Data.Dispose();
            _outcomes.Wake();
        }
    }

    private void ThrowIfClosed()
    {
        if (_disposed) throw new ObjectDisposedException(nameof(ExportBatcher));
        _stop.Token.ThrowIfCancellationRequested();
    }

    /// <summary>One mailbox's batches: the one being filled, closed ones waiting for a slot, and the calls running.</summary>
    private sealed class Lane
    {
        public Lane(string mailboxId) => MailboxId = mailboxId;

        public string MailboxId { get; }
        public List<ExportRequest> Pending { get; private set; } = new();
        public Queue<List<ExportRequest>> Ready { get; } = new();
        /// <summary>Calls started and not finished (waiting for the lane, or in flight).</summary>
        public int Running { get; set; }
        /// <summary>Items of calls started whose outcomes have not been taken yet.</summary>
        public int Buffered { get; set; }
        public bool IdleDue { get; set; }
        public Timer? IdleTimer { get; set; }
        /// <summary>Completed while no closed batch waits for a slot.</summary>
        public TaskCompletionSource<bool> Drained { get; private set; } = Completed();

        public bool IsIdle => Pending.Count == 0 && Ready.Count == 0 && Running == 0;

        public void Close()
        {
            if (Pending.Count == 0) return;
            Ready.Enqueue(Pending);
            Pending = new List<ExportRequest>();
            if (Drained.Task.IsCompleted) Drained = TaskCancellation.NewSignal();
        }

        public List<ExportRequest>? TakeStartable(int maxRunning, bool closePartial)
        {
            if (Running >= maxRunning) return null;
            if (Ready.Count == 0 && closePartial) Close();
            if (Ready.Count == 0) return null;
            Running++;
            var batch = Ready.Dequeue();
            if (Ready.Count == 0) Drained.TrySetResult(true);
            return batch;
        }

        private static TaskCompletionSource<bool> Completed()
        {
            var done = TaskCancellation.NewSignal();
            done.TrySetResult(true);
            return done;
        }
    }
}
