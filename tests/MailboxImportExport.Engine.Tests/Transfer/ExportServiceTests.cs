using System.Net;
using System.Text;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Fts.Tests;
using MailboxImportExport.Engine.Transfer;
using static MailboxImportExport.Engine.Tests.Transfer.TransferTestData;

namespace MailboxImportExport.Engine.Tests.Transfer;

[Collection(TempFileCollection.Name)]
public class ExportServiceTests
{
    private static (ExportService, RoutingHandler) Service(Func<string?, HttpResponseMessage> answer, ExportOptions? options = null)
    {
        var handler = new RoutingHandler((_, body) => Task.FromResult(answer(body)));
        return (new ExportService(handler.Client(), options), handler);
    }

    [Fact]
    public async Task Results_follow_the_request_order_and_per_item_errors_in_either_casing_fail_only_their_item()
    {
        var a = Blob("first");
        var c = Blob("third");
        var (service, handler) = Service(_ => RoutingHandler.Json(HttpStatusCode.OK, ExportAnswer(
            Exported("C", c, "ck-c"),
            Failed("B", "ErrorItemNotFound", "The specified object was not found in the store.", property: "Error"),
            Exported("A", a, "ck-a"),
            Failed("D", "ErrorAccessDenied", "Access is denied."))));

        var results = await service.ExportBatchAsync(Mailbox, new[] { "A", "B", "C", "D", "E" }, CancellationToken.None);

        var request = Assert.Single(handler.Requests);
        Assert.Equal($"{RoutingHandler.GraphRoot}v1.0/admin/exchange/mailboxes/{Uri.EscapeDataString(Mailbox)}/exportItems", request.Url.AbsoluteUri);
        Assert.Equal($"Bearer {RoutingHandler.GraphToken}", request.Authorization);
        Assert.Equal("""{"itemIds":["A","B","C","D","E"]}""", request.Body);

        Assert.Equal(new[] { "A", "B", "C", "D", "E" }, results.Select(r => r.ItemId));
        Assert.Equal(a, results[0].Data!.ReadAllBytes());
        Assert.Equal("ck-a", results[0].ChangeKey);
        Assert.Equal(c, results[2].Data!.ReadAllBytes());
        Assert.False(results[1].Succeeded);
        Assert.Equal("ErrorItemNotFound", results[1].ErrorCode);
        Assert.Equal("The specified object was not found in the store.", results[1].ErrorMessage);
        Assert.Equal("ErrorAccessDenied", results[3].ErrorCode);
        Assert.Equal("ItemNotReturned", results[4].ErrorCode);
    }

    [Fact]
    public async Task More_than_twenty_ids_are_refused_before_any_call()
    {
        var (service, handler) = Service(_ => throw new InvalidOperationException("no call expected"));
        var ids = Enumerable.Range(0, 21).Select(i => "id" + i).ToList();

        var e = await Assert.ThrowsAsync<ArgumentException>(() => service.ExportBatchAsync(Mailbox, ids, CancellationToken.None));

        Assert.Contains("at most 20", e.Message);
        Assert.Empty(handler.Requests);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    public async Task An_answer_arriving_in_pieces_with_escaped_base64_decodes_exactly(int pieceSize)
    {
        var first = FtsTestMessages.Pattern(70_000);
        var second = FtsTestMessages.Pattern(3);
        // Some JSON writers escape '+' and '/' in strings; the base64 must survive that.
        var escaped = Convert.ToBase64String(first).Replace("+", "\\u002B").Replace("/", "\\/");
        var json = ExportAnswer(
            $"{{\"itemId\":\"one\",\"data\" : \"{escaped}\",\"changeKey\":\"ck-1\",\"@odata.type\":\"#microsoft.graph.exportItemResponse\"}}",
            $"{{\"data\":\"{Convert.ToBase64String(second)}\",\"itemId\":\"two\",\"extra\":{{\"nested\":[1,2,{{\"data\":\"x\"}}]}}}}");
        var (service, _) = Service(_ => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StreamContent(new TrickleStream(Encoding.UTF8.GetBytes(json), pieceSize)),
        }, new ExportOptions { SpillThreshold = 10_000 });

        var results = await service.ExportBatchAsync(Mailbox, new[] { "one", "two" }, CancellationToken.None);

        Assert.Equal(first, results[0].Data!.ReadAllBytes());
        Assert.False(results[0].Data!.IsInMemory);
        Assert.Equal("ck-1", results[0].ChangeKey);
        Assert.Equal(second, results[1].Data!.ReadAllBytes());
        foreach (var result in results) result.Data!.Dispose();
    }

    [Fact]
    public async Task Items_above_the_threshold_spill_to_temp_files_and_the_per_call_budget_spills_the_rest()
    {
        TempFile.CountOnlyThisFlow();
        var before = TempFile.LiveCount;
        var big = FtsTestMessages.Pattern(50_000);
        var small = FtsTestMessages.Pattern(600);
        var (service, _) = Service(_ => RoutingHandler.Json(HttpStatusCode.OK,
                ExportAnswer(Exported("big", big), Exported("s1", small), Exported("s2", small))),
            new ExportOptions { SpillThreshold = 10_000, MaxInMemoryBytesPerCall = 1000 });

        var results = await service.ExportBatchAsync(Mailbox, new[] { "big", "s1", "s2" }, CancellationToken.None);

        Assert.False(results[0].Data!.IsInMemory);
        Assert.True(results[1].Data!.IsInMemory);
        Assert.False(results[2].Data!.IsInMemory);
        Assert.Equal(small, results[2].Data!.ReadAllBytes());
        Assert.Equal(before + 2, TempFile.LiveCount);
        foreach (var result in results) result.Data!.Dispose();
        Assert.Equal(before, TempFile.LiveCount);
    }

    [Fact]
    public async Task An_answer_cut_short_fails_the_call_and_deletes_what_was_spilled()
    {
        TempFile.CountOnlyThisFlow();
        var before = TempFile.LiveCount;
        var json = ExportAnswer(Exported("one", FtsTestMessages.Pattern(50_000)), Exported("two", FtsTestMessages.Pattern(50_000)));
        var (service, _) = Service(_ => RoutingHandler.Json(HttpStatusCode.OK, json.Substring(0, json.Length - 5000)),
            new ExportOptions { SpillThreshold = 0 });

        var e = await Assert.ThrowsAsync<GraphException>(() => service.ExportBatchAsync(Mailbox, new[] { "one", "two" }, CancellationToken.None));

        Assert.Equal("InvalidResponse", e.Code);
        Assert.Equal(before, TempFile.LiveCount);
    }

    [Fact]
    public async Task Data_that_is_not_base64_fails_only_its_item()
    {
        var good = Blob();
        var (service, _) = Service(_ => RoutingHandler.Json(HttpStatusCode.OK,
            ExportAnswer("{\"itemId\":\"bad\",\"data\":\"AAAA*AAA\"}", Exported("good", good))));

        var results = await service.ExportBatchAsync(Mailbox, new[] { "bad", "good" }, CancellationToken.None);

        Assert.Equal("InvalidExportData", results[0].ErrorCode);
        Assert.Contains("base64", results[0].ErrorMessage);
        Assert.Equal(good, results[1].Data!.ReadAllBytes());
    }
}

/// <summary>A stream that hands out at most a few bytes per read, as a slow network does.</summary>
internal sealed class TrickleStream : MemoryStream
{
    private readonly int _pieceSize;

    public TrickleStream(byte[] bytes, int pieceSize) : base(bytes, writable: false) => _pieceSize = pieceSize;

    public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, _pieceSize));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        base.ReadAsync(buffer, offset, Math.Min(count, _pieceSize), cancellationToken);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        base.ReadAsync(buffer.Slice(0, Math.Min(buffer.Length, _pieceSize)), cancellationToken);
}
