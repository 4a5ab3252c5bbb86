using System.Buffers;
using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace MailboxImportExport.Engine.Transfer;

/// <summary>
/// The body of an import-URL post, <c>{"FolderId":..,"Mode":..,["ItemId":..,"ChangeKey":..,]"Data":"&lt;base64&gt;"}</c>,
/// written straight to the network: the data is read from its <see cref="FtsData"/> and base64-encoded chunk by
/// chunk, so a 100 MB item is never turned into a 133 MB string. The length is known up front (Content-Length,
/// no chunked encoding). Each attempt needs a fresh instance, as GraphClient rebuilds requests.
/// </summary>
internal sealed class ImportItemContent : HttpContent
{
    // A multiple of 3, so every chunk but the last encodes without padding.
    private const int RawChunkSize = 48 * 1024;
    private static readonly byte[] Tail = { (byte)'"', (byte)'}' };

    private readonly byte[] _head;
    private readonly FtsData _data;

    public ImportItemContent(ImportRequest request)
    {
        _data = request.Data;
        _head = Head(request);
        Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
    }

    /// <summary>Everything before the base64 text: the small fields, then <c>"Data":"</c>.</summary>
    private static byte[] Head(ImportRequest request)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            // The object is left open: the data string and the closing brace are written while sending.
            json.WriteStartObject();
            json.WriteString("FolderId", request.TargetFolderId);
            json.WriteString("Mode", request.Mode == ImportMode.Update ? "update" : "create");
            if (request.Mode == ImportMode.Update)
            {
                json.WriteString("ItemId", request.ItemId);
                json.WriteString("ChangeKey", request.ChangeKey);
            }
            json.WritePropertyName("Data");
        }
        buffer.WriteByte((byte)'"');
        return buffer.ToArray();
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        await stream.WriteAsync(_head, 0, _head.Length).ConfigureAwait(false);
        // Pooled: a copy posts thousands of items, and these buffers live only while one is written.
        var raw = ArrayPool<byte>.Shared.Rent(RawChunkSize);
        var encoded = ArrayPool<byte>.Shared.Rent(RawChunkSize / 3 * 4);
        try
        {
            using var source = _data.OpenRead();
            int count;
            while ((count = await ReadChunkAsync(source, raw).ConfigureAwait(false)) > 0)
            {
                Base64.EncodeToUtf8(new ReadOnlySpan<byte>(raw, 0, count), encoded, out _, out var written);
                await stream.WriteAsync(encoded, 0, written).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(raw);
            ArrayPool<byte>.Shared.Return(encoded);
        }
        await stream.WriteAsync(Tail, 0, Tail.Length).ConfigureAwait(false);
    }

    /// <summary>Fills a chunk unless the data ends first, so only the last chunk can be short.</summary>
    private static async Task<int> ReadChunkAsync(Stream source, byte[] buffer)
    {
        var filled = 0;
        int read;
        while (filled < RawChunkSize && (read = await source.ReadAsync(buffer, filled, RawChunkSize - filled).ConfigureAwait(false)) > 0)
            filled += read;
        return filled;
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _head.Length + (_data.Length + 2) / 3 * 4 + Tail.Length;
        return true;
    }
}
