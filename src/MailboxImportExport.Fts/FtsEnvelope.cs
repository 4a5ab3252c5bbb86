using System.Buffers.Binary;

namespace MailboxImportExport.Fts;

/// <summary>Record opcodes of the export envelope (Exchange's FxProxy call replay; fts-notes §1).</summary>
public enum FtsOpcode : uint
{
    None = 0,
    Config = 1,
    TransferBuffer = 2,
    IsInterfaceOk = 3,
    TellPartnerVersion = 4,
    StartMdbEventsImport = 11,
    FinishMdbEventsImport = 12,
    AddMdbEvents = 13,
    SetWatermarks = 14,
    SetReceiveFolder = 15,
    SetPerUser = 16,
    SetProps = 17,
}

/// <summary>What the records before the first TransferBuffer said.</summary>
public sealed class FtsEnvelopeHeader
{
    public bool HasConfig { get; internal set; }
    public uint ConfigFlags { get; internal set; }
    public uint ConfigTransferMethod { get; internal set; }
    public bool HasInterface { get; internal set; }
    public Guid InterfaceId { get; internal set; }
    public uint InterfaceFlags { get; internal set; }
    public FtsServerVersion? ServerVersion { get; internal set; }

    /// <summary>True when the header is the one every item export carries: Config, then IsInterfaceOk for IMessage.</summary>
    public bool IsMessageExport => HasConfig && HasInterface && InterfaceId == FtsEnvelope.IidIMessage;
}

/// <summary>
/// The envelope around an exported item: records of <c>uint32 opcode | uint32 length | payload</c>. Every export
/// has Config(0, CopyTo), IsInterfaceOk(CopyTo, IID_IMessage, 0x80002400), TellPartnerVersion, then TransferBuffers
/// whose concatenated payloads are the FastTransfer stream.
/// </summary>
public static class FtsEnvelope
{
    public static readonly Guid IidIMessage = new("00020307-0000-0000-C000-000000000046");

    /// <summary>FastTransfer "CopyTo": makes the root of the stream a messageContent.</summary>
    public const uint CopyToTransferMethod = 1;

    /// <summary>Undocumented copy flags every export carries on IsInterfaceOk; copied as-is.</summary>
    public const uint MessageCopyFlags = 0x80002400;

    /// <summary>The TransferBuffer size seen in Exchange Online exports (0x7BC0).</summary>
    public const int DefaultChunkSize = 31680;

    internal const int RecordHeaderSize = 8;

    /// <summary>Writes the three header records every item export starts with.</summary>
    public static void WriteHeader(Stream output, FtsServerVersion version)
    {
        var config = new byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(config.AsSpan(4), CopyToTransferMethod);
        WriteRecord(output, FtsOpcode.Config, config, 0, config.Length);

        var iface = new byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(iface, CopyToTransferMethod);
        IidIMessage.ToByteArray().CopyTo(iface, 4);
        BinaryPrimitives.WriteUInt32LittleEndian(iface.AsSpan(20), MessageCopyFlags);
        WriteRecord(output, FtsOpcode.IsInterfaceOk, iface, 0, iface.Length);

        version.ToWords(out var w0, out var w1, out var w2);
        var words = new byte[6];
        BinaryPrimitives.WriteUInt16LittleEndian(words, w0);
        BinaryPrimitives.WriteUInt16LittleEndian(words.AsSpan(2), w1);
        BinaryPrimitives.WriteUInt16LittleEndian(words.AsSpan(4), w2);
        WriteRecord(output, FtsOpcode.TellPartnerVersion, words, 0, words.Length);
    }

    /// <summary>Writes <paramref name="fts"/> as TransferBuffer records of at most <paramref name="chunkSize"/> bytes.</summary>
    public static void WriteTransferBuffers(Stream output, byte[] fts, int ftsLength, int chunkSize = DefaultChunkSize)
    {
        if (chunkSize <= 0) throw new ArgumentOutOfRangeException(nameof(chunkSize));
        for (var offset = 0; offset < ftsLength; offset += chunkSize)
        {
            WriteRecord(output, FtsOpcode.TransferBuffer, fts, offset, Math.Min(chunkSize, ftsLength - offset));
        }
    }

    private static void WriteRecord(Stream output, FtsOpcode opcode, byte[] payload, int offset, int count)
    {
        var header = new byte[RecordHeaderSize];
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)opcode);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), (uint)count);
        output.Write(header, 0, header.Length);
        output.Write(payload, offset, count);
    }
}
