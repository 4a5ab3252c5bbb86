using MailboxImportExport.Emulator.Outlook;
using MailboxImportExport.Fts;

namespace MailboxImportExport.Emulator.Seeding;

/// <summary>
/// Builds the demo items' FastTransfer streams with the shape of real exports (fts-notes §1–§6): code-page strings,
/// two-byte booleans, FILETIMEs, sender and recipients, FXDelProp before the collections, attachments with
/// PidTagAttachNumber first, and named properties.
/// </summary>
internal sealed class DemoMessages
{
    private static readonly Guid PsetidAddress = new("00062004-0000-0000-C000-000000000046");
    private static readonly Guid PsetidTask = new("00062003-0000-0000-C000-000000000046");

    private static readonly string[] Words =
    {
        "quarterly", "review", "plan", "meeting", "notes", "follow-up", "draft", "proposal", "update", "team",
        "schedule", "contract", "invoice", "design", "release", "customer", "feedback", "roadmap", "status", "travel",
    };

    public const int DefaultMaxBodyWords = 3000;

    private readonly Random _random;
    private readonly Func<int, byte[]>? _attachmentContent;
    private readonly int _maxBodyWords;
    private readonly FtsWriter _writer = new();

    /// <param name="attachmentContent">
    /// The bytes of a file attachment of the given size; null draws them from <paramref name="random"/> (the demo
    /// tenant). The scale tenant fills them without touching <paramref name="random"/>, so an item is the same
    /// whether its attachment is generated or left empty to measure the rest.
    /// </param>
    /// <param name="maxBodyWords">Bodies have 60 words up to this many (3,000: about 1 KB to 45 KB).</param>
    public DemoMessages(Random random, Func<int, byte[]>? attachmentContent = null, int maxBodyWords = DefaultMaxBodyWords)
    {
        _random = random;
        _attachmentContent = attachmentContent;
        _maxBodyWords = maxBodyWords;
    }

    public sealed record Person(string Name, string Address);

    public byte[] Note(string subject, Person sender, IReadOnlyList<Person> to, DateTimeOffset created, DateTimeOffset modified,
        int attachmentBytes, bool embedMessage)
    {
        var message = Envelope("IPM.Note", subject, sender, created, modified);
        foreach (var (person, index) in to.Select((p, i) => (p, i))) message.Recipients.Add(Recipient(person, index == 2 ? 2 : 1));
        if (attachmentBytes > 0) message.Attachments.Add(FileAttachment(subject, attachmentBytes, created));
        if (embedMessage)
        {
            var originalSubject = subject.Replace("FW: ", "");
            var original = Envelope("IPM.Note", originalSubject, to[0], created.AddDays(-2), created.AddDays(-2));
            original.Recipients.Add(Recipient(sender, 1));
            var attachment = new FtsAttachment { EmbeddedMessage = original };
            attachment.Properties.Add(FtsProperty.Int32(FtsPropertyId.AttachMethod, 5));
            attachment.Properties.Add(FtsProperty.String(FtsPropertyId.AttachMimeTag, "message/rfc822"));
            attachment.Properties.Add(FtsProperty.String(FtsPropertyId.DisplayName, originalSubject));
            message.Attachments.Add(attachment);
        }
        SetHasAttachments(message);
        return _writer.Write(message);
    }

    public byte[] Appointment(string subject, Person organizer, DateTimeOffset created, DateTimeOffset modified, DateTimeOffset start)
    {
        var message = Envelope("IPM.Appointment", subject, organizer, created, modified);
        message.Properties.Add(FtsProperty.Time(0x8001, start.UtcDateTime).WithName(OutlookEvents.StartName));
        message.Properties.Add(FtsProperty.Time(0x8002, start.AddHours(1).UtcDateTime).WithName(OutlookEvents.EndName));
        message.Properties.Add(FtsProperty.String(0x8003, "Conference room 4").WithName(OutlookEvents.LocationName));
        message.Recipients.Add(Recipient(organizer, 1));
        SetHasAttachments(message);
        return _writer.Write(message);
    }

    public byte[] Contact(Person person, Person owner, DateTimeOffset created, DateTimeOffset modified)
    {
        var message = Envelope("IPM.Contact", person.Name, owner, created, modified);
        message.Properties.Add(FtsProperty.String(0x8001, person.Address).WithName(new FtsNamedProperty(PsetidAddress, 0x8083)));
        message.Properties.Add(FtsProperty.String(0x8002, person.Name).WithName(new FtsNamedProperty(PsetidAddress, 0x8080)));
        SetHasAttachments(message);
        return _writer.Write(message);
    }

    public byte[] Task(string subject, Person owner, DateTimeOffset created, DateTimeOffset modified, bool complete)
    {
        var message = Envelope("IPM.Task", subject, owner, created, modified);
        message.Properties.Add(FtsProperty.Boolean(0x8001, complete).WithName(new FtsNamedProperty(PsetidTask, 0x811C)));
        message.Properties.Add(FtsProperty.Time(0x8002, created.AddDays(7).UtcDateTime).WithName(new FtsNamedProperty(PsetidTask, 0x8105)));
        SetHasAttachments(message);
        return _writer.Write(message);
    }

    public string Phrase(int words) =>
        string.Join(" ", Enumerable.Range(0, words).Select(_ => Words[_random.Next(Words.Length)]));

    private const ushort SearchKeyId = 0x300B;

    /// <summary>A message of a seed file: the given class, body and file attachments (name, size, MIME type); an
    /// appointment also gets a start an hour after <paramref name="created"/> and an end an hour later.</summary>
    public byte[] Custom(string messageClass, string subject, Person sender, IReadOnlyList<Person> to, DateTimeOffset created,
        DateTimeOffset modified, string body, IReadOnlyList<(string Name, int Size, string ContentType)> attachments)
    {
        var message = Envelope(messageClass, subject, sender, created, modified, body);
        if (messageClass == "IPM.Appointment")
        {
            message.Properties.Add(FtsProperty.Time(0x8001, created.AddHours(1).UtcDateTime).WithName(OutlookEvents.StartName));
            message.Properties.Add(FtsProperty.Time(0x8002, created.AddHours(2).UtcDateTime).WithName(OutlookEvents.EndName));
        }
        foreach (var person in to) message.Recipients.Add(Recipient(person, 1));
        foreach (var (name, size, contentType) in attachments) message.Attachments.Add(FileAttachment(name, size, contentType, created));
        SetHasAttachments(message);
        return _writer.Write(message);
    }

    private FtsMessage Envelope(string messageClass, string subject, Person sender, DateTimeOffset created, DateTimeOffset modified, string? body = null)
    {
        var message = new FtsMessage();
        var p = message.Properties;
        p.Add(FtsProperty.Int32(FtsPropertyId.Importance, 1));
        p.Add(FtsProperty.String(FtsPropertyId.MessageClass, messageClass));
        p.Add(FtsProperty.Int32(FtsPropertyId.Priority, 0));
        p.Add(FtsProperty.Int32(FtsPropertyId.Sensitivity, 0));
        p.Add(FtsProperty.String(FtsPropertyId.Subject, subject));
        p.Add(FtsProperty.Time(FtsPropertyId.ClientSubmitTime, created.UtcDateTime.AddMinutes(-2)));
        p.Add(FtsProperty.String(FtsPropertyId.SentRepresentingName, sender.Name));
        p.Add(FtsProperty.String(FtsPropertyId.SenderName, sender.Name));
        p.Add(FtsProperty.String(FtsPropertyId.SenderAddressType, "SMTP"));
        p.Add(FtsProperty.String(FtsPropertyId.SenderEmailAddress, sender.Address));
        p.Add(FtsProperty.Time(FtsPropertyId.MessageDeliveryTime, created.UtcDateTime));
        p.Add(FtsProperty.Int32(FtsPropertyId.MessageFlags, 1));
        p.Add(FtsProperty.String(FtsPropertyId.Body, body ?? Body()));
        var messageId = $"<{_random.Next():x8}.{_random.Next():x8}@contoso.test>";
        p.Add(FtsProperty.String(FtsPropertyId.InternetMessageId, messageId));
        p.Add(FtsProperty.Time(FtsPropertyId.CreationTime, created.UtcDateTime));
        p.Add(FtsProperty.Time(FtsPropertyId.LastModificationTime, modified.UtcDateTime));
        // PidTagSearchKey, which copies keep: derived from the message id, so the demo stays the same at every start.
        p.Add(FtsProperty.Binary(SearchKeyId, System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(messageId)).AsSpan(0, 16).ToArray()));
        p.Add(FtsProperty.String(FtsPropertyId.SenderSmtpAddress, sender.Address));
        p.Add(FtsProperty.String(FtsPropertyId.SentRepresentingSmtpAddress, sender.Address));
        // A string-named property on every item, like the categories/keywords Outlook writes.
        p.Add(FtsProperty.String(0x8010, Words[_random.Next(Words.Length)])
            .WithName(new FtsNamedProperty(FtsNamedProperty.PsPublicStrings, "Keywords")));
        return message;
    }

    private string Body()
    {
        // 60 to 3,000 words by default: UTF-16 bodies of roughly 1 KB to 40 KB, so item sizes spread like a real mailbox.
        var words = _random.Next(60, _maxBodyWords);
        return Phrase(words);
    }

    private static FtsRecipient Recipient(Person person, int type) => MapiAddresses.Recipient(type, person.Name, person.Address);

    private FtsAttachment FileAttachment(string subject, int bytes, DateTimeOffset created)
    {
        var name = subject.Split(' ').Last().Trim(':') + (bytes > 1_000_000 ? ".zip" : ".pdf");
        return FileAttachment(name, bytes, bytes > 1_000_000 ? "application/zip" : "application/pdf", created);
    }

    private FtsAttachment FileAttachment(string name, int bytes, string contentType, DateTimeOffset created)
    {
        byte[] data;
        if (_attachmentContent is null)
        {
            data = new byte[bytes];
            _random.NextBytes(data);
        }
        else
        {
            data = _attachmentContent(bytes);
        }
        var attachment = new FtsAttachment();
        attachment.Properties.Add(FtsProperty.Int32(FtsPropertyId.AttachMethod, 1));
        attachment.Properties.Add(FtsProperty.String(FtsPropertyId.AttachLongFilename, name));
        attachment.Properties.Add(FtsProperty.String(FtsPropertyId.DisplayName, name));
        attachment.Properties.Add(FtsProperty.String(FtsPropertyId.AttachMimeTag, contentType));
        attachment.Properties.Add(FtsProperty.Int32(FtsPropertyId.RenderingPosition, -1));
        attachment.Properties.Add(FtsProperty.Int32(FtsPropertyId.AttachSize, bytes));
        attachment.Properties.Add(FtsProperty.Time(FtsPropertyId.CreationTime, created.UtcDateTime));
        attachment.Properties.Add(FtsProperty.Binary(FtsPropertyId.AttachDataBinary, data));
        return attachment;
    }

    private static void SetHasAttachments(FtsMessage message) =>
        message.Properties.Add(FtsProperty.Boolean(FtsPropertyId.HasAttachments, message.Attachments.Count > 0));
}
