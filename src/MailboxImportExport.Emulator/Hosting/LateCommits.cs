namespace MailboxImportExport.Emulator.Hosting;

/// <summary>
/// Requests answered 504 whose work is carried out later (exactly-once-notes §6.6): each runs once, after its delay,
/// or at once when a test asks (<see cref="LandAllAsync"/>). Disposing drops the ones still waiting and waits for
/// those running, so nothing touches the store after it closes.
/// </summary>
internal sealed class LateCommits : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Pending> _pending = new();
    private int _landed;

    private sealed class Pending
    {
        public required Func<CancellationToken, Task> Work { get; init; }
        public readonly TaskCompletionSource Now = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public Task Done = Task.CompletedTask;
    }

    public CancellationToken Stopping => _stopping.Token;

    public int PendingCount
    {
        get
        {
            lock (_pending) return _pending.Count;
        }
    }

    public int Landed => Volatile.Read(ref _landed);

    public void Schedule(TimeSpan delay, Func<CancellationToken, Task> work)
    {
        var pending = new Pending { Work = work };
        lock (_pending)
        {
            _stopping.Token.ThrowIfCancellationRequested();
            _pending.Add(pending);
            // Started on the pool: a zero delay must not run the work inside this lock.
            pending.Done = Task.Run(() => RunAsync(pending, delay));
        }
    }

    private async Task RunAsync(Pending pending, TimeSpan delay)
    {
        try
        {
            await Task.WhenAny(Task.Delay(delay, _stopping.Token), pending.Now.Task).ConfigureAwait(false);
            if (_stopping.IsCancellationRequested) return;
            try
            {
                await pending.Work(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception) when (!_stopping.IsCancellationRequested)
            {
                // The work failed as the request would have (a stale changeKey, a deleted folder): nothing lands.
            }
            Interlocked.Increment(ref _landed);
        }
        finally
        {
            lock (_pending) _pending.Remove(pending);
        }
    }

    /// <summary>Carries out every waiting late commit now; returns when they are done.</summary>
    public Task LandAllAsync()
    {
        Pending[] waiting;
        lock (_pending) waiting = _pending.ToArray();
        foreach (var pending in waiting) pending.Now.TrySetResult();
        return Task.WhenAll(waiting.Select(p => p.Done));
    }

    public async ValueTask DisposeAsync()
    {
        Task[] running;
        lock (_pending)
        {
            _stopping.Cancel();
            running = _pending.Select(p => p.Done).ToArray();
        }
        await Task.WhenAll(running).ConfigureAwait(false);
        _stopping.Dispose();
    }
}
