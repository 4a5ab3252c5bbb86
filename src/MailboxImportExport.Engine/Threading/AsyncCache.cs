using System.Collections.Concurrent;

namespace MailboxImportExport.Engine.Threading;

/// <summary>
/// One value per key, made once by an async factory and shared by every caller that asks meanwhile (concurrent
/// callers await the same task). A failed or cancelled attempt is forgotten, so the next caller tries again; a value
/// the caller finds stale is replaced by a new one, and a replacement started by one caller is shared by the others.
/// Thread-safe. The one place for the "lazy async value per key" rule (token stores, MSAL apps, import sessions,
/// folders).
/// </summary>
internal sealed class AsyncCache<TKey, TValue> where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Lazy<Task<TValue>>> _entries;

    public AsyncCache(IEqualityComparer<TKey>? comparer = null) =>
        _entries = new ConcurrentDictionary<TKey, Lazy<Task<TValue>>>(comparer ?? EqualityComparer<TKey>.Default);

    /// <summary>
    /// The key's value: the cached one, or a new one from <paramref name="create"/>. A finished value for which
    /// <paramref name="isStale"/> says true is replaced (once, however many callers find it stale at the same time).
    /// </summary>
    public async Task<TValue> GetAsync(TKey key, Func<TKey, Task<TValue>> create, Func<TValue, bool>? isStale = null)
    {
        while (true)
        {
            var entry = _entries.GetOrAdd(key, k => NewEntry(k, create));
            var task = entry.Value;
            if (isStale is not null && task.Status == TaskStatus.RanToCompletion && isStale(task.Result))
            {
                // Only this stale entry goes: a caller that already replaced it keeps its replacement.
                TryRemove(key, entry);
                continue;
            }
            return await Awaited(key, entry).ConfigureAwait(false);
        }
    }

    /// <summary>Makes a new value for the key whatever is cached, and caches it for the callers that follow.</summary>
    public Task<TValue> RenewAsync(TKey key, Func<TKey, Task<TValue>> create)
    {
        var entry = NewEntry(key, create);
        _entries[key] = entry;
        return Awaited(key, entry);
    }

    private async Task<TValue> Awaited(TKey key, Lazy<Task<TValue>> entry)
    {
        try
        {
            return await entry.Value.ConfigureAwait(false);
        }
        catch
        {
            TryRemove(key, entry);
            throw;
        }
    }

    private bool TryRemove(TKey key, Lazy<Task<TValue>> entry) =>
        ((ICollection<KeyValuePair<TKey, Lazy<Task<TValue>>>>)_entries).Remove(new KeyValuePair<TKey, Lazy<Task<TValue>>>(key, entry));

    // Invoked through an async method so that a factory throwing before its first await still gives a faulted task.
    private static Lazy<Task<TValue>> NewEntry(TKey key, Func<TKey, Task<TValue>> create) => new(() => Invoke(key, create));

    private static async Task<TValue> Invoke(TKey key, Func<TKey, Task<TValue>> create) => await create(key).ConfigureAwait(false);
}
