namespace MailboxImportExport.Emulator.Hosting;

/// <summary>Counts requests in flight per mailbox, for the MailboxConcurrency throttle (Outlook allows 4 per app and mailbox).</summary>
internal sealed class MailboxConcurrency
{
    private readonly Dictionary<string, int> _inFlight = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Takes a slot, or returns null when <paramref name="limit"/> requests are already in flight.</summary>
    public IDisposable? TryEnter(string mailboxId, int? limit)
    {
        lock (_inFlight)
        {
            _inFlight.TryGetValue(mailboxId, out var count);
            if (limit is { } max && count >= max) return null;
            _inFlight[mailboxId] = count + 1;
        }
        return new Slot(this, mailboxId);
    }

    private void Leave(string mailboxId)
    {
        lock (_inFlight)
        {
            if (--_inFlight[mailboxId] == 0) _inFlight.Remove(mailboxId);
        }
    }

    private sealed class Slot(MailboxConcurrency owner, string mailboxId) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) owner.Leave(mailboxId);
        }
    }
}
