using System.Globalization;
using System.Runtime.InteropServices;
using MailboxImportExport.Emulator.Storage;
using MailboxImportExport.Engine.Auth;
using MailboxImportExport.Fts;
using Person = MailboxImportExport.Emulator.Seeding.DemoMessages.Person;

namespace MailboxImportExport.Emulator.Seeding;

/// <summary>What item sizes a scale tenant has.</summary>
internal enum ScaleProfile
{
    /// <summary>
    /// Like a real mailbox: three in four messages are text only (1–45 KB), about one in four carries an attachment of
    /// 10–400 KB, one in fifty one of 0.5–8 MB; about 90 KB an item on average, a median near 30 KB.
    /// </summary>
    Mixed = 1,

    /// <summary>
    /// Text only, bodies of 60 to 1,500 words (1–23 KB, about 13 KB on average): the request rate, not the upload
    /// budget, bounds a copy.
    /// </summary>
    Small = 2,
}

/// <summary><c>scale:MxN[:mixed|small]</c>: M mailboxes of N items each.</summary>
internal readonly record struct ScaleSpec(int Mailboxes, int ItemsPerMailbox, ScaleProfile Profile)
{
    public override string ToString() =>
        $"{ScaleSeed.Prefix}{Mailboxes}x{ItemsPerMailbox}{(Profile == ScaleProfile.Mixed ? "" : ":" + Profile.ToString().ToLowerInvariant())}";
}

/// <summary>
/// The <c>--seed scale:MxN</c> tenant: users user0001…userM@contoso.test, each with a primary mailbox of N items spread
/// over Inbox (and Inbox/Projects), Sent Items, Archive, Deleted Items, Drafts, Calendar, Contacts and Tasks, of the
/// classes those folders hold. Every item is made from its own recipe (profile, mailbox, index) by a random seeded
/// with it, so the tenant is the same at every start, and items are stored as recipes: their blobs are generated
/// when read. Seeding only measures each item (its attachment data is not even generated for that), so 20,000 items
/// seed in a few seconds and take no memory for their content.
/// </summary>
internal static class ScaleSeed
{
    public const string Prefix = "scale:";

    private const int MaxMailboxes = 100_000;
    private const int MaxItemsPerMailbox = 1_000_000;

    private static readonly DateTimeOffset Earliest = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly double SpanSeconds = (new DateTimeOffset(2026, 6, 30, 0, 0, 0, TimeSpan.Zero) - Earliest).TotalSeconds;

    private enum Kind
    {
        Received,
        Sent,
        Appointment,
        Contact,
        Task,
    }

    // Where items go, out of 100: (well-known folder, or "inbox/Projects"; what it holds; share).
    private static readonly (string Folder, Kind Kind, int Share)[] Slots =
    {
        ("inbox", Kind.Received, 40), ("inbox/Projects", Kind.Received, 10), ("sentitems", Kind.Sent, 18), ("archive", Kind.Received, 8),
        ("deleteditems", Kind.Received, 4), ("drafts", Kind.Sent, 1), ("calendar", Kind.Appointment, 9), ("contacts", Kind.Contact, 5),
        ("tasks", Kind.Task, 5),
    };

    public static bool IsScale(string? seed) => seed?.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>Parses <c>scale:MxN</c> or <c>scale:MxN:small</c>; throws <see cref="FormatException"/> naming the problem.</summary>
    public static ScaleSpec Parse(string seed)
    {
        var parts = seed.Substring(Prefix.Length).Split(':');
        var size = parts[0].Split('x', 'X');
        var profile = parts.Length == 1 ? ScaleProfile.Mixed
            : parts.Length == 2 && Enum.TryParse<ScaleProfile>(parts[1], ignoreCase: true, out var named) && Enum.IsDefined(named) && !int.TryParse(parts[1], out _) ? named
            : throw new FormatException($"--seed {seed}: the size profile is 'mixed' (the default) or 'small'.");
        if (size.Length != 2
            || !int.TryParse(size[0], NumberStyles.None, CultureInfo.InvariantCulture, out var mailboxes) || mailboxes is < 1 or > MaxMailboxes
            || !int.TryParse(size[1], NumberStyles.None, CultureInfo.InvariantCulture, out var items) || items is < 0 or > MaxItemsPerMailbox)
        {
            throw new FormatException($"--seed {seed}: write scale:MxN, M mailboxes (1 to {MaxMailboxes:N0}) of N items (0 to {MaxItemsPerMailbox:N0}), e.g. scale:50x2000.");
        }
        return new ScaleSpec(mailboxes, items, profile);
    }

    public static string UserPrincipalName(int mailbox) => $"user{mailbox + 1:D4}@contoso.test";

    public static void Apply(MailboxStore store, ScaleSpec spec) => store.Seed(Build(spec));

    /// <summary>The blob of a generated item, from its recipe: byte for byte what was measured when it was seeded.</summary>
    public static byte[] Generate(long recipe)
    {
        var profile = (ScaleProfile)(recipe >> 56);
        var mailbox = (int)((recipe >> 32) & 0xFFFFFF);
        var index = (int)(recipe & 0xFFFFFFFF);
        return Make(profile, mailbox, index, withAttachmentData: true).Blob;
    }

    private static long Recipe(ScaleProfile profile, int mailbox, int index) => ((long)profile << 56) | ((long)mailbox << 32) | (uint)index;

    private static SeedData Build(ScaleSpec spec)
    {
        var ids = IdFactory.Deterministic(unchecked(spec.Mailboxes * 7919 + spec.ItemsPerMailbox * 31 + (int)spec.Profile));
        var users = new List<UserRecord>();
        var mailboxes = new List<MailboxRecord>();
        var folders = new List<NewFolder>();
        var folderIds = new List<string[]>();
        for (var m = 0; m < spec.Mailboxes; m++)
        {
            var user = new UserRecord(ids.NewGuid().ToString(), UserPrincipalName(m), $"User {m + 1:D4}");
            var mailbox = new MailboxRecord($"MBX:{ids.NewGuid()}@{EmulatorDefaults.TenantId}", user.ObjectId, IsArchive: false);
            var wellKnown = WellKnownFolders.CreateFor(mailbox.Id, ids).ToList();
            var inbox = wellKnown.First(f => f.WellKnownName == "inbox");
            var projects = new NewFolder(ids.NewFolderId(), mailbox.Id, inbox.Id, "Projects", "IPF.Note", null);
            users.Add(user);
            mailboxes.Add(mailbox);
            folders.AddRange(wellKnown);
            folders.Add(projects);
            folderIds.Add(Slots.Select(slot => slot.Folder == "inbox/Projects" ? projects.Id : wellKnown.First(f => f.WellKnownName == slot.Folder).Id).ToArray());
        }

        // Measuring is the work: spread it over the cores, then name the items in order so ids stay deterministic.
        var total = spec.Mailboxes * spec.ItemsPerMailbox;
        var measured = new (int Slot, string Type, long Size, DateTimeOffset Created, DateTimeOffset Modified)[total];
        Parallel.For(0, total, n =>
        {
            var made = Make(spec.Profile, n / spec.ItemsPerMailbox, n % spec.ItemsPerMailbox, withAttachmentData: false);
            measured[n] = (made.Slot, made.Type, SizeWithAttachmentData(made.Blob, made.AttachmentBytes), made.Created, made.Modified);
        });
        var items = new List<(ItemRecord, long)>(total);
        for (var n = 0; n < total; n++)
        {
            var (slot, type, size, created, modified) = measured[n];
            var m = n / spec.ItemsPerMailbox;
            var item = new ItemRecord(ids.NewItemId(), mailboxes[m].Id, folderIds[m][slot], ids.NewChangeKey(), type, size, created, modified);
            items.Add((item, Recipe(spec.Profile, m, n % spec.ItemsPerMailbox)));
        }
        return new SeedData(users, mailboxes, folders, Array.Empty<(ItemRecord, byte[])>()) { GeneratedItems = items };
    }

    /// <summary>
    /// One item from its own random. Without attachment data the attachment property is written empty (its size
    /// property still says the real size); everything else is identical, because the data never comes from the random.
    /// </summary>
    private static (byte[] Blob, int AttachmentBytes, int Slot, string Type, DateTimeOffset Created, DateTimeOffset Modified) Make(
        ScaleProfile profile, int mailbox, int index, bool withAttachmentData)
    {
        var recipe = Recipe(profile, mailbox, index);
        var random = new Random(unchecked((int)(recipe ^ (recipe >> 29) ^ 0x5CA1E5EED)));
        var slot = SlotFor(random.Next(100));
        var created = Earliest.AddSeconds(Math.Floor(random.NextDouble() * SpanSeconds));
        var modified = created.AddMinutes(random.Next(0, 600));
        var attachmentBytes = 0;
        var kind = Slots[slot].Kind;
        if (kind is Kind.Received or Kind.Sent && profile == ScaleProfile.Mixed)
        {
            var roll = random.NextDouble();
            attachmentBytes = roll < 0.75 ? 0 : roll < 0.98 ? LogUniform(random, 10_000, 400_000) : LogUniform(random, 500_000, 8_000_000);
        }
        var fill = unchecked((ulong)recipe * 0x9E3779B97F4A7C15UL);
        var messages = new DemoMessages(random, bytes => withAttachmentData ? Fill(bytes, fill) : Array.Empty<byte>(),
            maxBodyWords: profile == ScaleProfile.Small ? 1500 : DemoMessages.DefaultMaxBodyWords);
        var owner = new Person($"User {mailbox + 1:D4}", UserPrincipalName(mailbox));
        var other = Correspondent(random);
        var subject = Capitalized(messages.Phrase(random.Next(2, 6)));
        var (blob, type) = kind switch
        {
            Kind.Received => (messages.Note(subject, other, new[] { owner, Correspondent(random) }, created, modified, attachmentBytes, embedMessage: false), "IPM.Note"),
            Kind.Sent => (messages.Note(subject, owner, new[] { other }, created, modified, attachmentBytes, embedMessage: false), "IPM.Note"),
            Kind.Appointment => (messages.Appointment(subject, owner, created, modified, created.AddDays(random.Next(1, 30))), "IPM.Appointment"),
            Kind.Contact => (messages.Contact(other, owner, created, modified), "IPM.Contact"),
            _ => (messages.Task(subject, owner, created, modified, random.Next(3) == 0), "IPM.Task"),
        };
        return (blob, attachmentBytes, slot, type, created, modified);
    }

    private static int SlotFor(int percent)
    {
        for (var slot = 0; slot < Slots.Length; slot++)
        {
            if (percent < Slots[slot].Share) return slot;
            percent -= Slots[slot].Share;
        }
        return 0;
    }

    private static Person Correspondent(Random random)
    {
        var n = random.Next(1000);
        return n < 700
            ? new Person($"Colleague {n:D3}", $"colleague{n:D3}@contoso.test")
            : new Person($"Partner {n:D3}", $"partner{n:D3}@fabrikam.test");
    }

    private static string Capitalized(string phrase) => char.ToUpperInvariant(phrase[0]) + phrase.Substring(1);

    private static int LogUniform(Random random, int min, int max) => (int)Math.Round(min * Math.Pow((double)max / min, random.NextDouble()));

    /// <summary>Attachment bytes from a SplitMix64 stream: fast, and incompressible like real attachments.</summary>
    private static byte[] Fill(int bytes, ulong state)
    {
        var data = new byte[bytes];
        var words = MemoryMarshal.Cast<byte, ulong>(data.AsSpan(0, bytes - bytes % 8));
        for (var i = 0; i < words.Length; i++) words[i] = Next(ref state);
        for (var i = words.Length * 8; i < bytes; i++) data[i] = (byte)Next(ref state);
        return data;

        static ulong Next(ref ulong s)
        {
            var z = s += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    /// <summary>
    /// The length the blob will have once its attachment holds <paramref name="attachmentBytes"/> bytes: the stream
    /// grows by that much, and the envelope splits it into TransferBuffer records of the writer's chunk size.
    /// </summary>
    private static long SizeWithAttachmentData(byte[] blob, int attachmentBytes)
    {
        if (attachmentBytes == 0) return blob.Length;
        const int recordHeader = 8;
        long stream = 0, records = 0;
        foreach (var (_, _, length) in ItemBlobProperties.TransferBuffers(blob))
        {
            stream += length;
            records++;
        }
        var header = blob.Length - stream - recordHeader * records;
        var grown = stream + attachmentBytes;
        return header + grown + recordHeader * ((grown + FtsEnvelope.DefaultChunkSize - 1) / FtsEnvelope.DefaultChunkSize);
    }
}
