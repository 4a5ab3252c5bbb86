namespace MailboxImportExport.Fts;

/// <summary>
/// Reads a whole item export into a <see cref="FtsMessage"/> tree: properties, recipients, attachments (with their
/// data) and embedded messages, at any depth. The counterpart of <see cref="FtsWriter"/>: what it writes reads back
/// into the same tree. Meta-properties (DnPrefix, FXDelProp, EcWarning) and PidTagAttachNumber are not kept, since
/// the writer emits them itself.
/// </summary>
public static class FtsMessageReader
{
    /// <summary>The largest single value read: above the service's 150 MB attachment limit, below what garbage could claim.</summary>
    public const int MaxValueBytes = 160 * 1024 * 1024;

    public static FtsMessage Read(byte[] blob)
    {
        if (blob is null) throw new ArgumentNullException(nameof(blob));
        return Read(new MemoryStream(blob, writable: false));
    }

    /// <exception cref="FtsFormatException">The bytes are not an item export, or the stream is damaged.</exception>
    public static FtsMessage Read(Stream blob)
    {
        if (blob is null) throw new ArgumentNullException(nameof(blob));
        var payload = FtsPayloadStream.Open(blob);
        if (!payload.Header.IsMessageExport) throw new FtsFormatException("Not an item export: the envelope does not describe an IMessage copy", 0);
        var tokenizer = new FtsTokenizer(payload, MaxValueBytes);
        var root = new FtsMessage();
        // What the next property belongs to; attachments and recipients open a level, embedded messages another.
        var open = new Stack<FtsPropertyBag>();
        open.Push(root);
        while (tokenizer.Read() is { } element)
        {
            switch (element.Kind)
            {
                case FtsElementKind.Marker:
                    OnMarker(element, open);
                    break;
                case FtsElementKind.Property:
                    if (element.ValueSkipped) throw new FtsFormatException($"Value of 0x{element.Tag:X8} is larger than {MaxValueBytes:N0} bytes", element.Offset);
                    if (element.PropertyId == FtsPropertyId.AttachNumber && open.Peek() is FtsAttachment) break;
                    open.Peek().Properties.Add(FtsProperty.FromElement(element));
                    break;
            }
        }
        if (payload.TransferBufferCount == 0) throw new FtsFormatException("The envelope has no TransferBuffer record: the item stream is empty", 0);
        if (open.Count != 1) throw new FtsFormatException("The stream ended inside a recipient, attachment or embedded message", tokenizer.Position);
        return root;
    }

    private static void OnMarker(FtsElement element, Stack<FtsPropertyBag> open)
    {
        var current = open.Peek();
        switch (element.Tag)
        {
            case FtsMarker.StartRecip when current is FtsMessage message:
                var recipient = new FtsRecipient();
                message.Recipients.Add(recipient);
                open.Push(recipient);
                break;
            case FtsMarker.NewAttach when current is FtsMessage message:
                var attachment = new FtsAttachment();
                message.Attachments.Add(attachment);
                open.Push(attachment);
                break;
            case FtsMarker.StartEmbed when current is FtsAttachment parent:
                parent.EmbeddedMessage = new FtsMessage();
                open.Push(parent.EmbeddedMessage);
                break;
            case FtsMarker.EndToRecip when current is FtsRecipient:
            case FtsMarker.EndAttach when current is FtsAttachment:
            case FtsMarker.EndEmbed when current is FtsMessage && open.Count > 1:
                open.Pop();
                break;
            default:
                throw new FtsFormatException($"Marker 0x{element.Tag:X8} does not belong where it is in a messageContent", element.Offset);
        }
    }
}
