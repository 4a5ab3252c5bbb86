namespace MailboxImportExport.Engine.Transfer;

/// <summary>
/// Outcomes handed from background work to the caller's thread: added from any thread, taken one at a time, with a
/// wait that returns true when one can be taken and false once the producer said no more will come.
/// </summary>
internal sealed class OutcomeQueue<T>
{
    private readonly object _gate = new();
    private readonly Queue<T> _items = new();
    private TaskCompletionSource<bool> _changed = TaskCancellation.NewSignal();
    private bool _finished;

    public void Add(T item)
    {
        lock (_gate)
        {
            _items.Enqueue(item);
            Signal();
        }
    }

    /// <summary>No more outcomes will come: waiters return false once the queue is empty.</summary>
    public void Finish()
    {
        lock (_gate)
        {
            _finished = true;
            Signal();
        }
    }

    /// <summary>Wakes waiters to look again (after a stop).</summary>
    public void Wake()
    {
        lock (_gate) Signal();
    }

    public bool TryTake(out T item)
    {
        lock (_gate)
        {
            if (_items.Count > 0)
            {
                item = _items.Dequeue();
                return true;
            }
        }
        item = default!;
        return false;
    }

    /// <summary>Takes every outcome left (to dispose of them after a stop).</summary>
    public List<T> TakeAll()
    {
        lock (_gate)
        {
            var all = _items.ToList();
            _items.Clear();
            return all;
        }
    }

    /// <summary>
    /// True when an outcome can be taken; false once finished and empty. A stopped producer (<paramref name="stop"/>)
    /// is cancelled, not finished: it throws OperationCanceledException even with outcomes left.
    /// </summary>
    public async Task<bool> WaitAsync(CancellationToken ct, CancellationToken stop)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                stop.ThrowIfCancellationRequested();
                if (_items.Count > 0) return true;
                if (_finished) return false;
                changed = _changed.Task;
            }
            await TaskCancellation.WaitAsync(changed, ct, stop).ConfigureAwait(false);
        }
    }

    private void Signal()
    {
        var changed = _changed;
        _changed = TaskCancellation.NewSignal();
        changed.TrySetResult(true);
    }
}
