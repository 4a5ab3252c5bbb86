using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using MailboxImportExport.Engine.Auth;
using MailboxImportExport.Fts;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Services;
using MailboxImportExport.Engine.Transfer;

// How much memory one large item costs on its way through the engine. The fake service below generates the
// exportItems answer and swallows the import body on the fly, so the only large buffers are the engine's own.
var mib = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100;
const string Mailbox = "MBX:bench@tenant";
var blob = LargeMessage(mib * 1024 * 1024);
long size = blob.Length;
using var graph = new GraphClient(new GraphClientOptions { GraphRoot = new Uri("https://graph.bench.test/") },
    new StaticTokenProvider("bench-token"), new FakeService(blob));

Console.WriteLine($"A message with a {mib} MiB attachment: {size:N0} bytes as FTS, {Base64Length(size):N0} as base64.");
Console.WriteLine($"{"Step",-46} {"peak live heap",16} {"allocated",16} {"seconds",8}");

FtsData? exported = null;
await Measure("export (default 8 MiB spill threshold)", async () =>
{
    var result = (await new ExportService(graph).ExportBatchAsync(Mailbox, new[] { "big" }, CancellationToken.None))[0];
    exported = result.Data ?? throw new InvalidOperationException($"{result.ErrorCode}: {result.ErrorMessage}");
});
Check(exported!, blob);
var import = new ImportService(graph);
await Measure("import from the spilled temp file", () => import.ImportAsync(new ImportRequest(Mailbox, "inbox", exported!), CancellationToken.None));
exported!.Dispose();

ExportOutcome? outcome = null;
await Measure("export via ExportBatcher (+ summary read)", async () =>
{
    using var batcher = new ExportBatcher(new ExportService(graph));
    await batcher.AddAsync(new ExportRequest(Mailbox, "big"), CancellationToken.None);
    await batcher.CompleteAsync(CancellationToken.None);
    batcher.TryTake(out outcome);
});
Console.WriteLine($"{"",4}summary read from the stream: subject '{outcome!.Item!.Subject}', {outcome.Item.AttachmentCount} attachment(s)");
outcome.Item.Data.Dispose();

FtsData? inMemory = null;
await Measure("export held in memory (spill threshold raised)", async () =>
{
    var options = new ExportOptions { SpillThreshold = long.MaxValue, MaxInMemoryBytesPerCall = long.MaxValue };
    inMemory = (await new ExportService(graph, options).ExportBatchAsync(Mailbox, new[] { "big" }, CancellationToken.None))[0].Data;
});
Check(inMemory!, blob);
await Measure("import from memory", () => import.ImportAsync(new ImportRequest(Mailbox, "inbox", inMemory!), CancellationToken.None));
GC.KeepAlive(inMemory);

// Listing streams page by page: the memory it holds must not grow with the folder.
var items = new ItemService(graph);
foreach (var count in new[] { 10_000, 100_000, 300_000 })
{
    long listed = 0;
    await Measure($"list a folder of {count:N0} items, 100 a page", async () =>
    {
        await foreach (var _ in items.ListAsync(Mailbox, $"list-{count}", "/Bench", new ItemQuery { PageSize = 100 }, null, CancellationToken.None))
            listed++;
    });
    if (listed != count) throw new InvalidOperationException($"Listed {listed:N0} of {count:N0} items.");
}

static long Base64Length(long bytes) => (bytes + 2) / 3 * 4;

static byte[] LargeMessage(int attachmentBytes)
{
    var content = new byte[attachmentBytes];
    new Random(42).NextBytes(content);
    var message = new FtsMessage();
    message.Properties.Add(FtsProperty.String(FtsPropertyId.MessageClass, "IPM.Note"));
    message.Properties.Add(FtsProperty.String(FtsPropertyId.Subject, "Scanned archive"));
    var attachment = new FtsAttachment();
    attachment.Properties.Add(FtsProperty.Int32(FtsPropertyId.AttachMethod, 1));
    attachment.Properties.Add(FtsProperty.String(FtsPropertyId.AttachLongFilename, "archive.bin"));
    attachment.Properties.Add(FtsProperty.Binary(FtsPropertyId.AttachDataBinary, content));
    message.Attachments.Add(attachment);
    return new FtsWriter().Write(message);
}

static void Check(FtsData data, byte[] blob)
{
    using var stream = data.OpenRead();
    var expected = new MemoryStream(blob, writable: false);
    var a = new byte[81920];
    var b = new byte[81920];
    int n;
    while ((n = stream.Read(a, 0, a.Length)) > 0)
    {
        expected.ReadExactly(b, 0, n);
        if (!a.AsSpan(0, n).SequenceEqual(b.AsSpan(0, n))) throw new InvalidOperationException("The exported bytes differ from what the service sent.");
    }
}

// Peak live heap: the managed heap after a full collection, sampled every 20 ms while the step runs, above what was
// live before it. It shows how many copies of the item are alive at once (what the memory bound is about).
// Allocated counts everything allocated, garbage included (the fake service's own chunks are part of it).
static async Task Measure(string step, Func<Task> action)
{
    GC.Collect();
    GC.WaitForPendingFinalizers();
    GC.Collect();
    var baseline = GC.GetTotalMemory(forceFullCollection: true);
    var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
    long peak = 0;
    using var stop = new CancellationTokenSource();
    var sampler = Task.Run(async () =>
    {
        while (!stop.IsCancellationRequested)
        {
            peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - baseline);
            await Task.Delay(20);
        }
    });
    var clock = Stopwatch.StartNew();
    await action();
    clock.Stop();
    stop.Cancel();
    await sampler;
    var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
    Console.WriteLine($"{step,-46} {Mib(peak),16} {Mib(allocated),16} {clock.Elapsed.TotalSeconds,8:0.00}");
}

static string Mib(long bytes) => (bytes / 1024.0 / 1024.0).ToString("0.0 MiB", CultureInfo.InvariantCulture);

/// <summary>The service, without a network: answers are generated and request bodies drained chunk by chunk.</summary>
sealed class FakeService(byte[] item) : HttpMessageHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var path = request.RequestUri!.AbsolutePath;
        if (path.Contains("/folders/list-") && path.EndsWith("/items", StringComparison.Ordinal))
            return ItemPage(request.RequestUri);
        if (path.EndsWith("/exportItems", StringComparison.Ordinal))
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new ExportAnswerStream(new MemoryStream(item, writable: false))) };
        if (path.EndsWith("/createImportSession", StringComparison.Ordinal))
            return Json($$"""{"importUrl":"https://outlook.bench.test/api/gv1.0/importItem?authtoken=x","expirationDateTime":"{{DateTimeOffset.UtcNow.AddHours(1):O}}"}""");
        // CopyToAsync makes the content write itself out, as a socket handler does; ReadAsStreamAsync would buffer it.
        var body = new CountingStream();
        await request.Content!.CopyToAsync(body, ct);
        if (body.Length < Base64Length(item.Length)) throw new InvalidOperationException($"The import body had only {body.Length:N0} bytes.");
        return Json("""{"itemId":"imported","changeKey":"ck"}""");
    }

    private static long Base64Length(long bytes) => (bytes + 2) / 3 * 4;

    /// <summary>One page of a folder whose size is in its id ("list-100000"), with a $skip nextLink like Graph's.</summary>
    private static HttpResponseMessage ItemPage(Uri url)
    {
        var segments = url.AbsolutePath.Split('/');
        var total = int.Parse(segments.First(s => s.StartsWith("list-", StringComparison.Ordinal)).Substring(5), CultureInfo.InvariantCulture);
        var query = System.Web.HttpUtility.ParseQueryString(url.Query);
        var skip = int.Parse(query["$skip"] ?? "0", CultureInfo.InvariantCulture);
        var top = int.Parse(query["$top"] ?? "100", CultureInfo.InvariantCulture);
        var page = new StringBuilder("{\"value\":[");
        for (var i = skip; i < Math.Min(total, skip + top); i++)
            page.Append(i == skip ? "" : ",").Append($$"""{"id":"item-{{i}}","changeKey":"ck-{{i}}","type":"IPM.Note","size":{{2048 + i % 100}},"createdDateTime":"2026-01-01T00:00:00Z","lastModifiedDateTime":"2026-01-01T00:00:00Z","categories":[]}""");
        page.Append(']');
        if (skip + top < total)
            page.Append($",\"@odata.nextLink\":\"{url.GetLeftPart(UriPartial.Path)}?$top={top}&$skip={skip + top}\"");
        return Json(page.Append('}').ToString());
    }

    private static HttpResponseMessage Json(string json) =>
        new(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
}

/// <summary>A sink that only counts what is written to it.</summary>
sealed class CountingStream : Stream
{
    private long _length;

    public override void Write(byte[] buffer, int offset, int count) => _length += count;
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) { _length += count; return Task.CompletedTask; }
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default) { _length += buffer.Length; return ValueTask.CompletedTask; }
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => _length;
    public override long Position { get => _length; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}

/// <summary><c>{"value":[{"itemId":"big","changeKey":"ck","data":"…"}]}</c>, the base64 encoded as it is read.</summary>
sealed class ExportAnswerStream(Stream item) : Stream
{
    private readonly Stream _item = item;
    private readonly byte[] _raw = new byte[48 * 1024];
    private readonly Queue<byte[]> _parts = new(new[] { Encoding.UTF8.GetBytes("""{"value":[{"itemId":"big","changeKey":"ck","data":" """.TrimEnd()) });
    private byte[] _current = Array.Empty<byte>();
    private int _offset;
    private bool _tailQueued;

    public override int Read(byte[] buffer, int offset, int count)
    {
        while (_offset == _current.Length)
        {
            if (_parts.Count == 0 && !Refill()) return 0;
            _current = _parts.Dequeue();
            _offset = 0;
        }
        var n = Math.Min(count, _current.Length - _offset);
        Buffer.BlockCopy(_current, _offset, buffer, offset, n);
        _offset += n;
        return n;
    }

    private bool Refill()
    {
        var n = 0;
        int read;
        while (n < _raw.Length && (read = _item.Read(_raw, n, _raw.Length - n)) > 0) n += read;
        if (n > 0)
        {
            var encoded = new byte[(n + 2) / 3 * 4];
            Base64.EncodeToUtf8(_raw.AsSpan(0, n), encoded, out _, out _);
            _parts.Enqueue(encoded);
            return true;
        }
        if (_tailQueued) return false;
        _tailQueued = true;
        _parts.Enqueue(Encoding.UTF8.GetBytes("\"}]}"));
        return true;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
