using System.Buffers.Binary;

namespace MailboxImportExport.Fts;

/// <summary>
/// Reads an export envelope from a stream and serves the FastTransfer stream inside it: the TransferBuffer payloads
/// back to back, so elements that straddle two records read as one. Forward-only; skipping seeks the underlying
/// stream when it can, so large attachment data is never copied.
/// </summary>
public sealed class FtsPayloadStream : Stream
{
    private readonly Stream _envelope;
    private readonly byte[] _recordHeader = new byte[FtsEnvelope.RecordHeaderSize];
    private long _envelopeOffset;
    private long _recordRemaining;
    private long _position;
    private bool _ended;

    private FtsPayloadStream(Stream envelope, FtsEnvelopeHeader header)
    {
        _envelope = envelope;
        Header = header;
    }

    /// <summary>What the header records said.</summary>
    public FtsEnvelopeHeader Header { get; }

    /// <summary>How many TransferBuffer records have been entered so far.</summary>
    public int TransferBufferCount { get; private set; }

    /// <summary>
    /// Reads the header records up to the first TransferBuffer. Throws <see cref="FtsFormatException"/> when the
    /// bytes are not an export envelope.
    /// </summary>
    public static FtsPayloadStream Open(Stream envelope)
    {
        var reader = new FtsPayloadStream(envelope, new FtsEnvelopeHeader());
        reader.ReadHeaderRecords();
        return reader;
    }

    private void ReadHeaderRecords()
    {
        var recordIndex = 0;
        while (TryReadRecordHeader(out var opcode, out var length))
        {
            if (recordIndex == 0 && opcode != FtsOpcode.Config)
            {
                throw new FtsFormatException($"Not an export envelope: the first record has opcode {(uint)opcode}, not Config (1)", 0);
            }
            if (opcode == FtsOpcode.TransferBuffer)
            {
                EnterTransferBuffer(length);
                return;
            }
            ReadHeaderRecord(opcode, length);
            recordIndex++;
        }
        if (recordIndex == 0)
        {
            throw new FtsFormatException("Not an export envelope: no records", 0);
        }
        _ended = true;
    }

    private void ReadHeaderRecord(FtsOpcode opcode, uint length)
    {
        var recordOffset = _envelopeOffset - FtsEnvelope.RecordHeaderSize;
        int expected = opcode switch
        {
            FtsOpcode.Config => 8,
            FtsOpcode.IsInterfaceOk => 24,
            FtsOpcode.TellPartnerVersion => 6,
            _ => -1,
        };
        if (expected < 0)
        {
            // The other FxProxy calls never occur in item exports; their payloads are not needed to read the item.
            if (!Enum.IsDefined(typeof(FtsOpcode), opcode) || opcode == FtsOpcode.None)
            {
                throw new FtsFormatException($"Not an export envelope: unknown record opcode {(uint)opcode}", recordOffset);
            }
            SkipEnvelopeBytes(length, recordOffset);
            return;
        }
        if (length != expected)
        {
            throw new FtsFormatException($"Not an export envelope: {opcode} record has length {length}, expected {expected}", recordOffset);
        }
        var payload = new byte[expected];
        ReadEnvelopeBytes(payload, expected, recordOffset);
        switch (opcode)
        {
            case FtsOpcode.Config:
                Header.HasConfig = true;
                Header.ConfigFlags = BinaryPrimitives.ReadUInt32LittleEndian(payload);
                Header.ConfigTransferMethod = BinaryPrimitives.ReadUInt32LittleEndian(payload.AsSpan(4));
                break;
            case FtsOpcode.IsInterfaceOk:
                Header.HasInterface = true;
                var iid = new byte[16];
                Array.Copy(payload, 4, iid, 0, 16);
                Header.InterfaceId = new Guid(iid);
                Header.InterfaceFlags = BinaryPrimitives.ReadUInt32LittleEndian(payload.AsSpan(20));
                break;
            default:
                Header.ServerVersion = FtsServerVersion.FromWords(
                    BinaryPrimitives.ReadUInt16LittleEndian(payload),
                    BinaryPrimitives.ReadUInt16LittleEndian(payload.AsSpan(2)),
                    BinaryPrimitives.ReadUInt16LittleEndian(payload.AsSpan(4)));
                break;
        }
    }

    private bool TryReadRecordHeader(out FtsOpcode opcode, out uint length)
    {
        var read = _envelope.ReadUpTo(_recordHeader, 0, FtsEnvelope.RecordHeaderSize);
        _envelopeOffset += read;
        if (read == 0)
        {
            opcode = FtsOpcode.None;
            length = 0;
            return false;
        }
        if (read < FtsEnvelope.RecordHeaderSize)
        {
            throw new FtsFormatException("Envelope truncated inside a record header", _envelopeOffset - read);
        }
        opcode = (FtsOpcode)BinaryPrimitives.ReadUInt32LittleEndian(_recordHeader);
        length = BinaryPrimitives.ReadUInt32LittleEndian(_recordHeader.AsSpan(4));
        return true;
    }

    private void EnterTransferBuffer(uint length)
    {
        TransferBufferCount++;
        _recordRemaining = length;
    }

    /// <summary>Moves to the next TransferBuffer record; false at the end of the envelope.</summary>
    private bool AdvanceRecord()
    {
        while (_recordRemaining == 0)
        {
            if (_ended || !TryReadRecordHeader(out var opcode, out var length))
            {
                _ended = true;
                return false;
            }
            if (opcode != FtsOpcode.TransferBuffer)
            {
                throw new FtsFormatException(
                    $"Unexpected envelope record opcode {(uint)opcode} after the TransferBuffers began",
                    _envelopeOffset - FtsEnvelope.RecordHeaderSize);
            }
            EnterTransferBuffer(length);
        }
        return true;
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (count == 0 || !AdvanceRecord()) return 0;
        var wanted = (int)Math.Min(count, _recordRemaining);
        var read = _envelope.Read(buffer, offset, wanted);
        if (read == 0)
        {
            // Offsets past the header are FTS offsets, like the tokenizer's, so one problem string reads one way.
            throw new FtsFormatException(
                $"Envelope truncated: a TransferBuffer record is missing {_recordRemaining} bytes", _position);
        }
        _recordRemaining -= read;
        _envelopeOffset += read;
        _position += read;
        return read;
    }

    /// <summary>Skips <paramref name="count"/> FTS bytes, across records, without copying them where the input can seek.</summary>
    public void Skip(long count)
    {
        while (count > 0)
        {
            if (!AdvanceRecord())
            {
                throw new FtsFormatException($"Stream truncated: {count} more bytes expected", _position);
            }
            var step = Math.Min(count, _recordRemaining);
            SkipEnvelopeBytes(step, _position);
            _recordRemaining -= step;
            _position += step;
            count -= step;
        }
    }

    private void SkipEnvelopeBytes(long count, long errorOffset)
    {
        var skipped = _envelope.SkipBytes(count);
        _envelopeOffset += skipped;
        if (skipped < count) throw new FtsFormatException($"Envelope truncated: {count - skipped} more bytes expected", errorOffset);
    }

    private void ReadEnvelopeBytes(byte[] target, int count, long errorOffset)
    {
        var read = _envelope.ReadUpTo(target, 0, count);
        _envelopeOffset += read;
        if (read < count) throw new FtsFormatException("Envelope truncated inside a header record", errorOffset);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _position; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
