using System.Buffers.Binary;

namespace MailboxImportExport.Fts;

/// <summary>
/// Writes an item export blob: the envelope header (Config, IsInterfaceOk, TellPartnerVersion) and the
/// messageContent FastTransfer stream split into TransferBuffer records. The same model always gives the same bytes.
/// </summary>
public sealed class FtsWriter
{
    private static readonly uint MessageRecipientsTag = ((uint)FtsPropertyId.MessageRecipients << 16) | FtsPropertyType.Object;
    private static readonly uint MessageAttachmentsTag = ((uint)FtsPropertyId.MessageAttachments << 16) | FtsPropertyType.Object;

    public FtsWriter(FtsServerVersion? serverVersion = null, int chunkSize = FtsEnvelope.DefaultChunkSize)
    {
        if (chunkSize <= 0) throw new ArgumentOutOfRangeException(nameof(chunkSize));
        ServerVersion = serverVersion ?? FtsServerVersion.ExchangeOnlineDefault;
        ChunkSize = chunkSize;
    }

    public FtsServerVersion ServerVersion { get; }

    /// <summary>Largest TransferBuffer payload; Exchange Online uses 31,680 bytes.</summary>
    public int ChunkSize { get; }

    public byte[] Write(FtsMessage message)
    {
        var output = new MemoryStream();
        Write(message, output);
        return output.ToArray();
    }

    public void Write(FtsMessage message, Stream output)
    {
        if (message is null) throw new ArgumentNullException(nameof(message));
        var fts = new MemoryStream();
        WriteMessageContent(fts, message);
        FtsEnvelope.WriteHeader(output, ServerVersion);
        FtsEnvelope.WriteTransferBuffers(output, fts.GetBuffer(), (int)fts.Length, ChunkSize);
    }

    // messageContent = propList [FXDelProp] *recipient [FXDelProp] *attachment (MS-OXCFXICS §2.2.4.3).
    private static void WriteMessageContent(Stream fts, FtsMessage message)
    {
        WriteProperties(fts, message.Properties);
        WriteDelProp(fts, MessageRecipientsTag);
        foreach (var recipient in message.Recipients)
        {
            WriteTag(fts, FtsMarker.StartRecip);
            WriteProperties(fts, recipient.Properties);
            WriteTag(fts, FtsMarker.EndToRecip);
        }
        WriteDelProp(fts, MessageAttachmentsTag);
        for (var number = 0; number < message.Attachments.Count; number++)
        {
            var attachment = message.Attachments[number];
            WriteTag(fts, FtsMarker.NewAttach);
            WriteProperty(fts, FtsProperty.Int32(FtsPropertyId.AttachNumber, number));
            WriteProperties(fts, attachment.Properties);
            if (attachment.EmbeddedMessage is not null)
            {
                WriteTag(fts, FtsMarker.StartEmbed);
                WriteMessageContent(fts, attachment.EmbeddedMessage);
                WriteTag(fts, FtsMarker.EndEmbed);
            }
            WriteTag(fts, FtsMarker.EndAttach);
        }
    }

    private static void WriteDelProp(Stream fts, uint collectionTag)
    {
        WriteTag(fts, FtsMarker.MetaTagFxDelProp);
        WriteTag(fts, collectionTag);
    }

    private static void WriteProperties(Stream fts, List<FtsProperty> properties)
    {
        foreach (var property in properties) WriteProperty(fts, property);
    }

    private static void WriteProperty(Stream fts, FtsProperty property)
    {
        WriteTag(fts, property.Tag);
        if (property.Named is { } named)
        {
            fts.Write(named.PropertySet.ToByteArray(), 0, 16);
            if (named.Name is null)
            {
                fts.WriteByte(0);
                WriteTag(fts, named.Lid!.Value);
            }
            else
            {
                fts.WriteByte(1);
                var name = System.Text.Encoding.Unicode.GetBytes(named.Name + "\0");
                fts.Write(name, 0, name.Length);
            }
        }
        else if (property.PropertyId >= FtsPropertyId.FirstNamed)
        {
            throw new InvalidOperationException($"Property 0x{property.Tag:X8} is in the named range but has no name; use WithName.");
        }
        fts.Write(property.WireValue, 0, property.WireValue.Length);
    }

    private static void WriteTag(Stream fts, uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        fts.Write(bytes, 0, 4);
    }
}
