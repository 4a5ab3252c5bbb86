using System.Buffers;
using System.Text.Json;

namespace MailboxImportExport.Engine.Transfer;

/// <summary>
/// Reads an exportItems answer, <c>{"value":[{"itemId","changeKey","data"|"error"}...]}</c>, as it arrives.
/// Everything but <c>data</c> goes through <see cref="Utf8JsonReader"/> over a small buffer; a <c>data</c> string
/// is scanned by hand and base64-decoded straight into an <see cref="FtsDataBuilder"/>, so the base64 text is never
/// held whole (Utf8JsonReader needs a whole string token in its buffer, which for a 100 MB item is 133 MB).
/// Once the string is consumed the reader resumes as if the value had been <c>""</c>.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Private to ReadAsync, which disposes the pending item when reading fails.")]
internal sealed class ExportResponseReader
{
    private const int InitialBufferSize = 64 * 1024;

    private readonly Stream _stream;
    private readonly ExportOptions _options;
    private readonly List<ExportItemResult> _results = new();
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(InitialBufferSize);
    private int _start, _end;
    private bool _endOfStream;
    private JsonReaderState _state;

    // Where the parse stands: the root property being read, whether we are inside "value", the item being read.
    private string? _rootProperty;
    private bool _inValue, _rootClosed;
    private PendingItem? _item;
    private long _inMemoryBytes;

    private ExportResponseReader(Stream stream, ExportOptions options)
    {
        _stream = stream;
        _options = options;
    }

    /// <summary>The items in the order the service answered; on failure every item decoded so far is disposed.</summary>
    public static async Task<List<ExportItemResult>> ReadAsync(Stream stream, ExportOptions options, CancellationToken ct)
    {
        var reader = new ExportResponseReader(stream, options);
        try
        {
            await reader.ReadAllAsync(ct).ConfigureAwait(false);
            return reader._results;
        }
        catch
        {
            reader._item?.Dispose();
            foreach (var result in reader._results) result.Data?.Dispose();
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(reader._buffer);
        }
    }

    private enum Step { NeedMoreData, DataValue, Done }

    private async Task ReadAllAsync(CancellationToken ct)
    {
        while (true)
        {
            switch (ParseBuffered())
            {
                case Step.Done:
                    return;
                case Step.NeedMoreData:
                    await FillAsync(ct).ConfigureAwait(false);
                    break;
                case Step.DataValue:
                    await ReadDataValueAsync(ct).ConfigureAwait(false);
                    break;
            }
        }
    }

    private Step ParseBuffered()
    {
        var reader = new Utf8JsonReader(new ReadOnlySpan<byte>(_buffer, _start, _end - _start), _endOfStream, _state);
        var step = Step.NeedMoreData;
        while (step == Step.NeedMoreData && reader.Read())
        {
            if (OnToken(ref reader)) step = Step.DataValue;
            else if (_rootClosed) step = Step.Done;
        }
        _start += (int)reader.BytesConsumed;
        _state = reader.CurrentState;
        if (step == Step.NeedMoreData && _endOfStream) throw new JsonException("The response ended before its JSON was complete.");
        return step;
    }

    /// <summary>Follows the token stream; returns true when the reader stands just after <c>"data":</c> of an item.</summary>
    private bool OnToken(ref Utf8JsonReader reader)
    {
        var depth = reader.CurrentDepth;
        switch (reader.TokenType)
        {
            case JsonTokenType.PropertyName when depth == 1:
                _rootProperty = reader.GetString();
                break;
            case JsonTokenType.StartArray when depth == 1 && Is(_rootProperty, "value"):
                _inValue = true;
                break;
            case JsonTokenType.EndArray when depth == 1:
                _inValue = false;
                break;
            case JsonTokenType.StartObject when depth == 2 && _inValue:
                _item = new PendingItem();
                break;
            case JsonTokenType.EndObject when depth == 2 && _item is not null:
                _results.Add(_item.ToResult());
                _item = null;
                break;
            case JsonTokenType.EndObject when depth == 0:
                _rootClosed = true;
                break;
            case JsonTokenType.PropertyName when _item is not null:
                return _item.OnPropertyName(depth, reader.GetString());
            case JsonTokenType.String when _item is not null:
                _item.OnString(depth, reader.GetString());
                break;
        }
        return false;
    }

    /// <summary>Reads the value of <c>data</c>. Anything but a string (null) is left to the JSON reader.</summary>
    private async Task ReadDataValueAsync(CancellationToken ct)
    {
        while (true)
        {
            if (_start == _end) await FillAsync(ct).ConfigureAwait(false);
            else if (IsJsonWhitespace(_buffer[_start])) _start++;
            else break;
        }
        if (_buffer[_start] != (byte)'"') return;
        _start++;

        var budget = _options.MaxInMemoryBytesPerCall - _inMemoryBytes;
        var value = new DataValue(Math.Min(_options.SpillThreshold, Math.Max(0, budget)), _options.PooledData);
        try
        {
            while (!ScanDataString(value)) await FillAsync(ct).ConfigureAwait(false);
            _item!.SetData(value.Complete(), value.Problem);
        }
        catch
        {
            value.Dispose();
            throw;
        }
        if (_item.Data is { IsInMemory: true } data) _inMemoryBytes += data.Length;
        ResumeAsEmptyString();
    }

    /// <summary>
    /// Feeds the buffered part of the string to <paramref name="value"/>; true once the closing quote is reached
    /// (left unconsumed). An escape cut by the buffer's end waits for more data.
    /// </summary>
    private bool ScanDataString(DataValue value)
    {
        while (_start < _end)
        {
            var span = new ReadOnlySpan<byte>(_buffer, _start, _end - _start);
            var special = span.IndexOfAny((byte)'"', (byte)'\\');
            var plain = special < 0 ? span.Length : special;
            value.Feed(span.Slice(0, plain));
            _start += plain;
            if (special < 0) return false;
            if (span[special] == (byte)'"') return true;
            if (!TryUnescape(span.Slice(special), out var c, out var length)) return false;
            value.Feed(c);
            _start += length;
        }
        return false;
    }

    /// <summary>JSON escapes that can stand for base64 characters: \/ and \uXXXX (some writers escape '+' as \u002B).</summary>
    private static bool TryUnescape(ReadOnlySpan<byte> escape, out byte c, out int length)
    {
        c = 0;
        length = 0;
        if (escape.Length < 2) return false;
        if (escape[1] != (byte)'u')
        {
            length = 2;
            c = escape[1] switch { (byte)'n' => (byte)'\n', (byte)'r' => (byte)'\r', (byte)'t' => (byte)'\t', var other => other };
            return true;
        }
        if (escape.Length < 6) return false;
        var code = 0;
        for (var i = 2; i < 6; i++) code = code * 16 + HexValue(escape[i]);
        length = 6;
        // Anything outside ASCII cannot be base64; 0xFF makes the decoder report it.
        c = code is >= 0 and < 0x80 ? (byte)code : (byte)0xFF;
        return true;
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -0x10000,
    };

    /// <summary>
    /// The buffer stands at the closing quote of the consumed string; an opening quote in front of it makes the
    /// JSON reader, whose state still expects the value of <c>data</c>, read <c>""</c> and carry on.
    /// </summary>
    private void ResumeAsEmptyString()
    {
        if (_start == 0)
        {
            if (_end == _buffer.Length) Grow();
            Buffer.BlockCopy(_buffer, 0, _buffer, 1, _end);
            _start++;
            _end++;
        }
        _buffer[--_start] = (byte)'"';
    }

    /// <summary>Moves unread bytes to the front and reads more; grows the buffer only for a token larger than it.</summary>
    private async Task FillAsync(CancellationToken ct)
    {
        if (_endOfStream) throw new JsonException("The response ended before its JSON was complete.");
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) Grow();
        var read = await _stream.ReadAsync(_buffer, _end, _buffer.Length - _end, ct).ConfigureAwait(false);
        if (read == 0) _endOfStream = true;
        _end += read;
    }

    /// <summary>A pooled buffer twice the size, with what was read.</summary>
    private void Grow()
    {
        var bigger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
        Buffer.BlockCopy(_buffer, 0, bigger, 0, _end);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    private static bool IsJsonWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';

    private static bool Is(string? name, string expected) => string.Equals(name, expected, StringComparison.OrdinalIgnoreCase);

    /// <summary>One element of <c>value</c> while it is read; the service writes <c>error</c> or <c>Error</c>.</summary>
    private sealed class PendingItem : IDisposable
    {
        private string? _property, _errorProperty;
        private string? _itemId, _changeKey, _errorCode, _errorMessage, _dataProblem;

        public FtsData? Data { get; private set; }

        public bool OnPropertyName(int depth, string? name)
        {
            if (depth == 3) _property = name;
            else if (depth == 4 && Is(_property, "error")) _errorProperty = name;
            return depth == 3 && Is(name, "data");
        }

        public void OnString(int depth, string? value)
        {
            if (depth == 3 && Is(_property, "itemId")) _itemId = value;
            else if (depth == 3 && Is(_property, "changeKey")) _changeKey = value;
            else if (depth == 3 && Is(_property, "error")) _errorMessage = value;
            else if (depth == 4 && Is(_property, "error") && Is(_errorProperty, "code")) _errorCode = value;
            else if (depth == 4 && Is(_property, "error") && Is(_errorProperty, "message")) _errorMessage = value;
        }

        public void SetData(FtsData? data, string? problem)
        {
            Data?.Dispose();
            Data = data;
            _dataProblem = problem;
        }

        public ExportItemResult ToResult()
        {
            var itemId = _itemId ?? "";
            if (_errorCode is not null || _errorMessage is not null)
            {
                Dispose();
                return ExportItemResult.Failed(itemId, _errorCode ?? "ExportFailed", _errorMessage ?? "The service reported an error without a message.");
            }
            if (_dataProblem is not null) return ExportItemResult.Failed(itemId, "InvalidExportData", _dataProblem);
            if (Data is null) return ExportItemResult.Failed(itemId, "NoData", "The service answered for the item with neither data nor an error.");
            return ExportItemResult.Success(itemId, _changeKey, Data);
        }

        public void Dispose() => Data?.Dispose();
    }

    /// <summary>The base64 text of one <c>data</c> value; text that is not base64 fails only its item.</summary>
    private sealed class DataValue : IDisposable
    {
        private readonly Base64FtsDataDecoder _decoder;

        public DataValue(long spillThreshold, bool pooled) => _decoder = new Base64FtsDataDecoder(spillThreshold, pooled);

        /// <summary>Why the text could not be decoded; the rest of it is then skipped, not decoded.</summary>
        public string? Problem { get; private set; }

        public void Feed(byte c)
        {
            Span<byte> one = stackalloc byte[1];
            one[0] = c;
            Feed(one);
        }

        public void Feed(ReadOnlySpan<byte> text)
        {
            if (Problem is not null) return;
            try
            {
                _decoder.Write(text);
            }
            catch (FormatException e)
            {
                Problem = e.Message;
            }
        }

        /// <summary>The decoded item, or null when the text was not base64 (what was written is deleted).</summary>
        public FtsData? Complete()
        {
            if (Problem is null)
            {
                try
                {
                    return _decoder.Complete();
                }
                catch (FormatException e)
                {
                    Problem = e.Message;
                }
            }
            _decoder.Dispose();
            return null;
        }

        public void Dispose() => _decoder.Dispose();
    }
}
