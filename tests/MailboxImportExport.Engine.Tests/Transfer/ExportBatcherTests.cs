using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using MailboxImportExport.Engine.Diagnostics;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Transfer;
using static MailboxImportExport.Engine.Tests.Transfer.TransferTestData;

namespace MailboxImportExport.Engine.Tests.Transfer;

[Collection(TempFileCollection.Name)]
public class ExportBatcherTests
{
    private const string OtherMailbox = "MBX:99999999-2222-3333-4444-555555555555@tenant";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly byte[] Item = Blob("Budget review");

    private static RoutingHandler Answering(Func<string, string?, Task<HttpResponseMessage>> answer) =>
        Answering((path, body, _) => answer(path, body));

    private static RoutingHandler Answering(Func<string, string?, CancellationToken, Task<HttpResponseMessage>> answer)
    {
        var handler = new RoutingHandler((request, body, ct) => answer(request.RequestUri!.AbsolutePath, body, ct));
        handler.Tracked.Add(Uri.EscapeDataString(Mailbox));
        handler.Tracked.Add(Uri.EscapeDataString(OtherMailbox));
        return handler;
    }

    private static RoutingHandler AnsweringAll() =>
        Answering((_, body) => Task.FromResult(RoutingHandler.Json(HttpStatusCode.OK, AnswerFor(body, _ => Item))));

    private static ExportBatcher Batcher(RoutingHandler handler, ExportBatcherOptions? options = null, ExportOptions? export = null,
        CancellationToken ct = default) =>
        new(new ExportService(handler.Client(), export), options ?? new ExportBatcherOptions { IdleFlush = TimeSpan.FromMinutes(5) }, ct);

    private static ExportRequest Request(int i, string mailbox = Mailbox) =>
        new(mailbox, "item-" + i) { FolderId = "folder-1", FolderPath = "/Inbox/Projects", Type = "IPM.Note", Size = 1234 };

    private static List<ExportOutcome> TakeAll(ExportBatcher batcher)
    {
        var outcomes = new List<ExportOutcome>();
        while (batcher.TryTake(out var outcome)) outcomes.Add(outcome);
        return outcomes;
    }

    /// <summary>Takes outcomes as they come until the batcher says no more will (after CompleteAsync).</summary>
    private static Task<List<ExportOutcome>> TakeUntilFinished(ExportBatcher batcher) => Task.Run(async () =>
    {
        var outcomes = new List<ExportOutcome>();
        while (await batcher.WaitForOutcomeAsync(CancellationToken.None))
            while (batcher.TryTake(out var outcome)) outcomes.Add(outcome);
        return outcomes;
    });

    private static async Task WaitUntil(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > Patience) throw new TimeoutException("The condition did not come true in time.");
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task Forty_five_items_go_in_exactly_three_calls_of_twenty_twenty_and_five()
    {
        var handler = AnsweringAll();
        using var batcher = Batcher(handler);

        for (var i = 0; i < 45; i++) await batcher.AddAsync(Request(i), CancellationToken.None);
        await batcher.CompleteAsync(CancellationToken.None);

        Assert.Equal(new[] { 5, 20, 20 }, handler.Requests.Select(r => RequestedIds(r.Body).Count).OrderBy(n => n));
        var outcomes = TakeAll(batcher);
        Assert.Equal(45, outcomes.Count);
        Assert.All(outcomes, o => Assert.True(o.Succeeded));
        Assert.Equal(Enumerable.Range(0, 45).Select(i => "item-" + i).OrderBy(id => id), outcomes.Select(o => o.Item!.ItemId).OrderBy(id => id));
        Assert.False(await batcher.WaitForOutcomeAsync(CancellationToken.None));

        var item = outcomes.Single(o => o.Request.ItemId == "item-7").Item!;
        Assert.Equal(Mailbox, item.SourceMailboxId);
        Assert.Equal("/Inbox/Projects", item.SourceFolderPath);
        Assert.Equal("ck-item-7", item.ChangeKey);
        Assert.Equal("Budget review", item.Subject);
        Assert.Equal("alice@contoso.test", item.SenderAddress);
        Assert.Equal(2, item.AttachmentCount);
        Assert.Equal(1234, item.Size);
        Assert.Equal(Item, item.Data.ReadAllBytes());
    }

    [Fact]
    public async Task A_partial_batch_goes_after_its_mailbox_has_been_idle()
    {
        var handler = AnsweringAll();
        using var batcher = Batcher(handler, new ExportBatcherOptions { IdleFlush = TimeSpan.FromMilliseconds(150) });
        var clock = Stopwatch.StartNew();

        for (var i = 0; i < 3; i++) await batcher.AddAsync(Request(i), CancellationToken.None);
        Assert.Empty(handler.Requests);

        using var timeout = new CancellationTokenSource(Patience);
        Assert.True(await batcher.WaitForOutcomeAsync(timeout.Token));
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(140), $"sent after {clock.Elapsed}");
        Assert.Equal(3, RequestedIds(Assert.Single(handler.Requests).Body).Count);
    }

    [Fact]
    public async Task At_most_four_calls_run_per_mailbox_and_adding_waits_while_a_full_batch_cannot_start()
    {
        var release = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = Answering(async (path, body) =>
        {
            // The first mailbox's calls hang until released; the other mailbox is answered at once.
            if (path.Contains(Uri.EscapeDataString(Mailbox))) await release.Task;
            return RoutingHandler.Json(HttpStatusCode.OK, AnswerFor(body, _ => Item));
        });
        using var batcher = Batcher(handler);

        var adding = Task.Run(async () =>
        {
            for (var i = 0; i < 200; i++) await batcher.AddAsync(Request(i), CancellationToken.None);
        });
        await WaitUntil(() => handler.To(Uri.EscapeDataString(Mailbox)).Count() == 4);
        for (var i = 0; i < 40; i++) await batcher.AddAsync(Request(i, OtherMailbox), CancellationToken.None);
        await WaitUntil(() => handler.To(Uri.EscapeDataString(OtherMailbox)).Count() == 2);

        // The other mailbox's calls went through meanwhile; the first mailbox still has its four, and no more.
        Assert.Equal(4, handler.To(Uri.EscapeDataString(Mailbox)).Count());
        Assert.False(adding.IsCompleted, "AddAsync should wait while four calls run and a full batch waits for a slot.");

        release.SetResult(true);
        var taking = TakeUntilFinished(batcher);
        await adding.WaitAsync(Patience);
        await batcher.CompleteAsync(CancellationToken.None);

        Assert.Equal(4, handler.MaxInFlight(Uri.EscapeDataString(Mailbox)));
        Assert.Equal(10, handler.To(Uri.EscapeDataString(Mailbox)).Count());
        Assert.Equal(240, (await taking.WaitAsync(Patience)).Count(o => o.Succeeded));
    }

    [Fact]
    public async Task No_call_starts_while_a_mailbox_has_its_bound_of_outcomes_untaken()
    {
        var handler = AnsweringAll();
        using var batcher = Batcher(handler, new ExportBatcherOptions { MaxBufferedItemsPerMailbox = 40 });

        var adding = Task.Run(async () =>
        {
            for (var i = 0; i < 100; i++) await batcher.AddAsync(Request(i), CancellationToken.None);
        });
        await WaitUntil(() => handler.Requests.Count == 2);
        await WaitUntil(() => batcher.WaitForOutcomeAsync(CancellationToken.None).IsCompleted);

        // Two calls' outcomes (40 items) wait to be taken: no third call, and adding waits (memory stays flat).
        Assert.Equal(2, handler.Requests.Count);
        Assert.False(adding.IsCompleted);

        var taking = TakeUntilFinished(batcher);
        await adding.WaitAsync(Patience);
        await batcher.CompleteAsync(CancellationToken.None);
        Assert.Equal(100, (await taking.WaitAsync(Patience)).Count(o => o.Succeeded));
        Assert.Equal(5, handler.Requests.Count);
    }

    [Fact]
    public async Task Per_item_errors_fail_their_items_and_the_rest_succeed()
    {
        var handler = Answering((_, body) => Task.FromResult(RoutingHandler.Json(HttpStatusCode.OK, ExportAnswer(
            RequestedIds(body).Select(id => id == "item-1"
                ? Failed(id, "ErrorItemNotFound", "The specified object was not found in the store.", property: "Error")
                : Exported(id, Item)).ToArray()))));
        using var batcher = Batcher(handler);

        for (var i = 0; i < 3; i++) await batcher.AddAsync(Request(i), CancellationToken.None);
        await batcher.CompleteAsync(CancellationToken.None);

        var outcomes = TakeAll(batcher);
        var failed = Assert.Single(outcomes, o => !o.Succeeded);
        Assert.Equal("item-1", failed.Request.ItemId);
        Assert.Equal("/Inbox/Projects", failed.Request.FolderPath);
        Assert.Equal("ErrorItemNotFound", failed.ErrorCode);
        Assert.Equal("The specified object was not found in the store.", failed.ErrorMessage);
        Assert.Null(failed.Exception);
        Assert.Equal(2, outcomes.Count(o => o.Succeeded));
    }

    private sealed class LogSink : IEngineLogSink
    {
        public ConcurrentQueue<(EngineLogLevel Level, string Message)> Messages { get; } = new();
        public void Write(EngineLogLevel level, string message) => Messages.Enqueue((level, message));
    }

    [Fact]
    public async Task A_stream_the_reader_cannot_parse_still_exports_unchanged_and_the_problem_is_logged()
    {
        var garbage = Utf8("not an export stream at all");
        var handler = Answering((_, body) => Task.FromResult(RoutingHandler.Json(HttpStatusCode.OK, AnswerFor(body, _ => garbage))));
        var log = new LogSink();
        using var scope = EngineLog.Use(log);
        using var batcher = Batcher(handler);

        await batcher.AddAsync(new ExportRequest(Mailbox, "odd-item"), CancellationToken.None);
        await batcher.CompleteAsync(CancellationToken.None);

        var item = Assert.Single(TakeAll(batcher)).Item!;
        Assert.Equal(garbage, item.Data.ReadAllBytes());
        Assert.Null(item.Subject);
        Assert.Null(item.Type);
        Assert.Null(item.AttachmentCount);
        Assert.Equal(garbage.Length, item.Size);
        Assert.Contains(log.Messages, m => m.Level == EngineLogLevel.Verbose && m.Message.Contains("odd-item") && m.Message.Contains("could not be fully read"));
    }

    [Fact]
    public async Task A_call_that_fails_as_a_whole_fails_each_of_its_items_and_the_run_goes_on()
    {
        var handler = Answering((_, body) => Task.FromResult(RequestedIds(body).Contains("item-0")
            ? RoutingHandler.Json(HttpStatusCode.Forbidden, """{"error":{"code":"ErrorAccessDenied","message":"Access is denied. Check credentials and try again."}}""")
            : RoutingHandler.Json(HttpStatusCode.OK, AnswerFor(body, _ => Item))));
        using var batcher = Batcher(handler, new ExportBatcherOptions { BatchSize = 2, IdleFlush = TimeSpan.FromMinutes(5) });

        for (var i = 0; i < 4; i++) await batcher.AddAsync(Request(i), CancellationToken.None);
        await batcher.CompleteAsync(CancellationToken.None);

        var outcomes = TakeAll(batcher).ToDictionary(o => o.Request.ItemId);
        foreach (var id in new[] { "item-0", "item-1" })
        {
            Assert.False(outcomes[id].Succeeded);
            Assert.Equal("ErrorAccessDenied", outcomes[id].ErrorCode);
            Assert.Equal(HttpStatusCode.Forbidden, Assert.IsType<GraphException>(outcomes[id].Exception).StatusCode);
        }
        Assert.True(outcomes["item-2"].Succeeded);
        Assert.True(outcomes["item-3"].Succeeded);
    }

    [Fact]
    public async Task The_same_item_added_twice_goes_in_two_calls()
    {
        var handler = AnsweringAll();
        using var batcher = Batcher(handler);

        await batcher.AddAsync(Request(1), CancellationToken.None);
        await batcher.AddAsync(Request(2), CancellationToken.None);
        await batcher.AddAsync(Request(1), CancellationToken.None);
        await batcher.CompleteAsync(CancellationToken.None);

        Assert.Equal(2, handler.Requests.Count);
        Assert.Equal(3, TakeAll(batcher).Count(o => o.Succeeded));
    }

    [Fact]
    public async Task Cancelling_stops_at_once_and_deletes_the_data_nobody_took()
    {
        TempFile.CountOnlyThisFlow();
        var before = TempFile.LiveCount;
        var firstCallDone = false;
        var hangingCallStarted = false;
        var hangingCallCancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = Answering(async (_, body, ct) =>
        {
            if (RequestedIds(body).Contains("item-0"))
            {
                firstCallDone = true;
                return RoutingHandler.Json(HttpStatusCode.OK, AnswerFor(body, _ => Item));
            }
            // Like a connection waiting for a slow server: only cancellation ends it.
            hangingCallStarted = true;
            using (ct.Register(() => hangingCallCancelled.TrySetResult(true))) await Task.Delay(Timeout.Infinite, ct);
            throw new InvalidOperationException("unreachable");
        });
        using var stop = new CancellationTokenSource();
        using var batcher = Batcher(handler, new ExportBatcherOptions { BatchSize = 2, IdleFlush = TimeSpan.FromMinutes(5) },
            new ExportOptions { SpillThreshold = 0 }, stop.Token);

        for (var i = 0; i < 4; i++) await batcher.AddAsync(Request(i), CancellationToken.None);
        // The second call must be at the server before the stop, or nothing would be in flight to cancel.
        await WaitUntil(() => firstCallDone && hangingCallStarted && TempFile.LiveCount == before + 2);
        var completing = batcher.CompleteAsync(CancellationToken.None);
        var clock = Stopwatch.StartNew();

        stop.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => completing);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => batcher.WaitForOutcomeAsync(CancellationToken.None));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => batcher.AddAsync(Request(9), CancellationToken.None));
        Assert.True(await hangingCallCancelled.Task.WaitAsync(Patience));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"stopping took {clock.Elapsed}");
        Assert.False(batcher.TryTake(out _));
        Assert.Equal(before, TempFile.LiveCount);
    }
}
