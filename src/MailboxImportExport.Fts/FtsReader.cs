namespace MailboxImportExport.Fts;

/// <summary>What an export blob says about its item, read without keeping attachment data.</summary>
public sealed class FtsSummary
{
    /// <summary>The TellPartnerVersion of the exporting server, e.g. "15.20.4566.6022".</summary>
    public string? ServerVersion { get; internal set; }
    public string? MessageClass { get; internal set; }
    public string? Subject { get; internal set; }
    public string? SenderName { get; internal set; }
    /// <summary>The sender's SMTP address when the stream has one, else its email address of any type.</summary>
    public string? SenderAddress { get; internal set; }
    public DateTime? ClientSubmitTime { get; internal set; }
    public DateTime? MessageDeliveryTime { get; internal set; }
    /// <summary>Recipients of the item itself (not of embedded messages).</summary>
    public int RecipientCount { get; internal set; }
    /// <summary>Top-level attachments (not those of embedded messages).</summary>
    public int AttachmentCount { get; internal set; }
    public bool HasAttachments { get; internal set; }
    /// <summary>PidTagMessageFlags of the item itself (0x1 read, 0x8 unsent, 0x10 has attachments …), when the stream has it.</summary>
    public int? MessageFlags { get; internal set; }
}

/// <summary>Tolerant reading of export blobs: never throws on bad input, says what went wrong instead.</summary>
public static class FtsReader
{
    private const int MessageFlagHasAttachments = 0x10;

    /// <summary>Reads a whole blob held in memory; attachment data is skipped by seeking, never copied.</summary>
    public static FtsSummary? TryReadSummary(byte[] blob, out string? problem)
    {
        if (blob is null) throw new ArgumentNullException(nameof(blob));
        return TryReadSummary(new MemoryStream(blob, writable: false), out problem);
    }

    /// <summary>Reads a blob from a span. Copies the span once; prefer the byte[] or Stream overloads for large items.</summary>
    public static FtsSummary? TryReadSummary(ReadOnlySpan<byte> blob, out string? problem) =>
        TryReadSummary(blob.ToArray(), out problem);

    /// <summary>
    /// Reads a blob from a stream, front to back, keeping only small values in memory (suits 100 MB items).
    /// Returns null when nothing usable was found (not an export envelope); otherwise the summary, with
    /// <paramref name="problem"/> set when the stream ended early or held something unreadable (the offset is named).
    /// </summary>
    public static FtsSummary? TryReadSummary(Stream blob, out string? problem)
    {
        if (blob is null) throw new ArgumentNullException(nameof(blob));
        FtsPayloadStream payload;
        try
        {
            payload = FtsPayloadStream.Open(blob);
        }
        catch (Exception e) when (e is FtsFormatException or IOException)
        {
            problem = e.Message;
            return null;
        }

        var builder = new SummaryBuilder(payload.Header.ServerVersion?.ToString());
        problem = null;
        try
        {
            // Only the values the summary shows are read into memory; bodies and attachments stream past.
            var tokenizer = new FtsTokenizer(payload) { KeepValue = builder.Wants };
            while (tokenizer.Read() is { } element) builder.Add(element);
            if (payload.TransferBufferCount == 0) problem = "The envelope has no TransferBuffer record: the item stream is empty";
            else if (builder.Depth != 0) problem = $"The stream ended inside a recipient, attachment or embedded message (at offset {tokenizer.Position})";
        }
        catch (Exception e) when (e is FtsFormatException or IOException)
        {
            problem = e.Message;
        }
        return builder.Build();
    }

    /// <summary>Follows the messageContent grammar far enough to know which properties belong to the item itself.</summary>
    private sealed class SummaryBuilder
    {
        private readonly FtsSummary _summary;
        private string? _senderSmtp, _senderEmail, _senderAddressType, _sentRepresentingSmtp, _sentRepresentingEmail, _sentRepresentingName;
        private bool _hasAttachmentsProperty;
        private int? _messageFlags;

        public SummaryBuilder(string? serverVersion) => _summary = new FtsSummary { ServerVersion = serverVersion };

        /// <summary>Nesting below the item: each open recipient, attachment and embedded message adds one.</summary>
        public int Depth { get; private set; }

        /// <summary>Whether <see cref="Add"/> reads this element's value: a property of the item itself that the summary shows.</summary>
        public bool Wants(FtsElement element) =>
            Depth == 0 && element.Kind == FtsElementKind.Property && element.Named is null && element.PropertyId is
                FtsPropertyId.MessageClass or FtsPropertyId.Subject or FtsPropertyId.SenderName or FtsPropertyId.SentRepresentingName
                or FtsPropertyId.SenderSmtpAddress or FtsPropertyId.SenderEmailAddress or FtsPropertyId.SenderAddressType
                or FtsPropertyId.SentRepresentingSmtpAddress or FtsPropertyId.SentRepresentingEmailAddress;

        public void Add(FtsElement element)
        {
            if (element.Kind == FtsElementKind.Marker)
            {
                OnMarker(element.Tag);
                return;
            }
            if (Depth != 0 || element.Kind != FtsElementKind.Property || element.Named is not null) return;
            switch (element.PropertyId)
            {
                case FtsPropertyId.MessageClass: _summary.MessageClass = element.GetString(); break;
                case FtsPropertyId.Subject: _summary.Subject = element.GetString(); break;
                case FtsPropertyId.SenderName: _summary.SenderName = element.GetString(); break;
                case FtsPropertyId.SentRepresentingName: _sentRepresentingName = element.GetString(); break;
                case FtsPropertyId.SenderSmtpAddress: _senderSmtp = element.GetString(); break;
                case FtsPropertyId.SenderEmailAddress: _senderEmail = element.GetString(); break;
                case FtsPropertyId.SenderAddressType: _senderAddressType = element.GetString(); break;
                case FtsPropertyId.SentRepresentingSmtpAddress: _sentRepresentingSmtp = element.GetString(); break;
                case FtsPropertyId.SentRepresentingEmailAddress: _sentRepresentingEmail = element.GetString(); break;
                case FtsPropertyId.ClientSubmitTime: _summary.ClientSubmitTime = element.GetTime(); break;
                case FtsPropertyId.MessageDeliveryTime: _summary.MessageDeliveryTime = element.GetTime(); break;
                case FtsPropertyId.HasAttachments: _hasAttachmentsProperty = element.GetBoolean() ?? false; break;
                case FtsPropertyId.MessageFlags: _messageFlags = element.GetInt32(); break;
            }
        }

        private void OnMarker(uint tag)
        {
            switch (tag)
            {
                case FtsMarker.StartRecip:
                    if (Depth == 0) _summary.RecipientCount++;
                    Depth++;
                    break;
                case FtsMarker.NewAttach:
                    if (Depth == 0) _summary.AttachmentCount++;
                    Depth++;
                    break;
                case FtsMarker.StartEmbed:
                    Depth++;
                    break;
                case FtsMarker.EndToRecip or FtsMarker.EndAttach or FtsMarker.EndEmbed:
                    Depth = Math.Max(0, Depth - 1);
                    break;
            }
        }

        public FtsSummary? Build()
        {
            _summary.SenderName ??= _sentRepresentingName;
            _summary.SenderAddress = _senderSmtp
                ?? (string.Equals(_senderAddressType, "SMTP", StringComparison.OrdinalIgnoreCase) ? _senderEmail : null)
                ?? _sentRepresentingSmtp
                ?? _senderEmail
                ?? _sentRepresentingEmail;
            _summary.HasAttachments = _summary.AttachmentCount > 0 || _hasAttachmentsProperty
                || ((_messageFlags ?? 0) & MessageFlagHasAttachments) != 0;
            _summary.MessageFlags = _messageFlags;
            return _summary.ServerVersion is null && _summary.MessageClass is null && _summary.Subject is null
                ? null
                : _summary;
        }
    }
}
