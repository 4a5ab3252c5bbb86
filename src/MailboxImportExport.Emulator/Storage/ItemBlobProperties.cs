using System.Buffers.Binary;
using MailboxImportExport.Fts;

namespace MailboxImportExport.Emulator.Storage;

/// <summary>
/// The few top-level properties of a stored item blob the store's import semantics need (exactly-once-notes §2, §6.2):
/// PidTagCreationTime, to keep it as createdDateTime, and PidTagSearchKey, to give an imported item a key of its own.
/// </summary>
internal static class ItemBlobProperties
{
    private const ushort SearchKeyId = 0x300B;

    /// <summary>PidTagCreationTime of the item itself, if the blob carries it.</summary>
    public static DateTimeOffset? CreationTime(byte[] blob) =>
        Find(blob, FtsPropertyId.CreationTime, FtsPropertyType.Time) is { } found && found.Element.GetTime() is { } time
            ? new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc))
            : null;

    /// <summary>PidTagSearchKey of the item itself, if the blob carries it.</summary>
    public static byte[]? SearchKey(byte[] blob) => Find(blob, SearchKeyId, FtsPropertyType.Binary)?.Element.Value;

    /// <summary>
    /// A copy of the blob whose search key is <paramref name="key"/>, written over the old value in place (the value
    /// may straddle TransferBuffer records), so the envelope and every other byte stay as they were. A blob without a
    /// search key, or with one of another length, is returned unchanged.
    /// </summary>
    public static byte[] WithSearchKey(byte[] blob, byte[] key)
    {
        if (Find(blob, SearchKeyId, FtsPropertyType.Binary) is not { } found || found.Element.ValueLength != key.Length) return blob;
        var copy = (byte[])blob.Clone();
        var payloadOffset = found.ValueStart;
        var written = 0;
        foreach (var (envelopeOffset, payloadStart, length) in TransferBuffers(blob))
        {
            while (written < key.Length && payloadOffset >= payloadStart && payloadOffset < payloadStart + length)
            {
                copy[envelopeOffset + (payloadOffset - payloadStart)] = key[written++];
                payloadOffset++;
            }
        }
        return copy;
    }

    /// <summary>The property of the item itself (not of a recipient, attachment or embedded message), with where its value starts in the payload.</summary>
    private static (FtsElement Element, long ValueStart)? Find(byte[] blob, ushort propertyId, ushort propertyType)
    {
        try
        {
            var tokenizer = new FtsTokenizer(FtsPayloadStream.Open(new MemoryStream(blob, writable: false)));
            var depth = 0;
            while (tokenizer.Read() is { } element)
            {
                switch (element.Kind)
                {
                    case FtsElementKind.Marker when element.Tag is FtsMarker.StartRecip or FtsMarker.NewAttach or FtsMarker.StartEmbed:
                        depth++;
                        break;
                    case FtsElementKind.Marker when element.Tag is FtsMarker.EndToRecip or FtsMarker.EndAttach or FtsMarker.EndEmbed:
                        depth = Math.Max(0, depth - 1);
                        break;
                    case FtsElementKind.Property when depth == 0 && element.Named is null && element.PropertyId == propertyId
                        && element.PropertyType == propertyType && !element.ValueSkipped:
                        return (element, tokenizer.Position - element.ValueLength);
                }
            }
        }
        catch (Exception e) when (e is FtsFormatException or IOException)
        {
            // Imports were checked readable; a blob added through the test hooks may be anything.
        }
        return null;
    }

    /// <summary>Each TransferBuffer record: where its payload is in the blob, where it starts in the payload, its length.</summary>
    private static IEnumerable<(int EnvelopeOffset, long PayloadStart, int Length)> TransferBuffers(byte[] blob)
    {
        const int recordHeader = 8;
        long payload = 0;
        for (var offset = 0; offset + recordHeader <= blob.Length;)
        {
            var opcode = (FtsOpcode)BinaryPrimitives.ReadUInt32LittleEndian(blob.AsSpan(offset));
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(blob.AsSpan(offset + 4));
            offset += recordHeader;
            if (opcode == FtsOpcode.TransferBuffer)
            {
                yield return (offset, payload, length);
                payload += length;
            }
            offset += length;
        }
    }
}
