using MailboxImportExport.Engine.Threading;

namespace MailboxImportExport.Engine.Tests.Threading;

public class AsyncCacheTests
{
    [Fact]
    public async Task Concurrent_callers_share_one_creation()
    {
        var cache = new AsyncCache<string, int>(StringComparer.OrdinalIgnoreCase);
        var release = new TaskCompletionSource<int>();
        var created = 0;
        Task<int> Create(string _) { Interlocked.Increment(ref created); return release.Task; }

        var first = cache.GetAsync("a", Create);
        var second = cache.GetAsync("A", Create);
        release.SetResult(7);

        Assert.Equal(new[] { 7, 7 }, await Task.WhenAll(first, second));
        Assert.Equal(1, created);
        Assert.Equal(7, await cache.GetAsync("a", _ => throw new InvalidOperationException("not asked again")));
    }

    [Fact]
    public async Task A_failed_creation_is_forgotten_and_tried_again()
    {
        var cache = new AsyncCache<string, int>();
        await Assert.ThrowsAsync<InvalidOperationException>(() => cache.GetAsync("a", _ => throw new InvalidOperationException("no")));
        await Assert.ThrowsAsync<TimeoutException>(() => cache.GetAsync("a", async _ => { await Task.Yield(); throw new TimeoutException(); }));

        Assert.Equal(3, await cache.GetAsync("a", _ => Task.FromResult(3)));
    }

    [Fact]
    public async Task A_stale_value_is_replaced_once_for_all_callers()
    {
        var cache = new AsyncCache<string, int>();
        await cache.GetAsync("a", _ => Task.FromResult(1));
        var release = new TaskCompletionSource<int>();
        var created = 0;
        Task<int> Create(string _) { Interlocked.Increment(ref created); return release.Task; }

        var first = cache.GetAsync("a", Create, isStale: v => v == 1);
        var second = cache.GetAsync("a", Create, isStale: v => v == 1);
        release.SetResult(2);

        Assert.Equal(new[] { 2, 2 }, await Task.WhenAll(first, second));
        Assert.Equal(1, created);
    }

    [Fact]
    public async Task Renewal_replaces_a_fresh_value_for_the_callers_that_follow()
    {
        var cache = new AsyncCache<string, int>();
        await cache.GetAsync("a", _ => Task.FromResult(1));

        Assert.Equal(2, await cache.RenewAsync("a", _ => Task.FromResult(2)));
        Assert.Equal(2, await cache.GetAsync("a", _ => Task.FromResult(3)));
    }
}
