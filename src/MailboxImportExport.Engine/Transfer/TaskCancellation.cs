namespace MailboxImportExport.Engine.Transfer;

/// <summary>Waiting on a task that does not itself observe cancellation (netstandard2.0 has no Task.WaitAsync).</summary>
internal static class TaskCancellation
{
    /// <summary>Completes with <paramref name="task"/>, or throws OperationCanceledException as soon as either token is cancelled.</summary>
    public static async Task WaitAsync(Task task, CancellationToken first, CancellationToken second)
    {
        if (!task.IsCompleted)
        {
            var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            using (first.Register(() => cancelled.TrySetResult(true)))
            using (second.Register(() => cancelled.TrySetResult(true)))
                await Task.WhenAny(task, cancelled.Task).ConfigureAwait(false);
        }
        first.ThrowIfCancellationRequested();
        second.ThrowIfCancellationRequested();
        await task.ConfigureAwait(false);
    }

    public static TaskCompletionSource<bool> NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
