using MailboxImportExport.Emulator.Storage;
using MailboxImportExport.Engine.Auth;
using Person = MailboxImportExport.Emulator.Seeding.DemoMessages.Person;

namespace MailboxImportExport.Emulator.Seeding;

/// <summary>
/// The <c>--seed demo</c> data set: alice (primary + archive, a few hundred items), bob (primary, a few items) and
/// carol (no mailbox). Alice's archive has auto-expanded: its folder "Old Mail" lives in an auxiliary archive, so
/// requests for it are answered with the archive redirects of the real service (308, ErrorArchiveFolderMovedPermanently). Built from a fixed random seed, so every start gives the same ids, dates and bytes. It is
/// built once per process and shared, because tests start many emulators.
/// </summary>
internal static class DemoSeed
{
    public const string Name = "demo";
    public const string AliceUpn = "alice@contoso.test";
    public const string BobUpn = "bob@contoso.test";
    public const string CarolUpn = "carol@contoso.test";

    private const int RandomSeed = 20260214;

    private static readonly DateTimeOffset Earliest = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Latest = new(2026, 6, 30, 0, 0, 0, TimeSpan.Zero);

    private static readonly Lazy<Demo> Data = new(Build);

    public static void Apply(MailboxStore store)
    {
        var demo = Data.Value;
        store.Seed(demo.Data);
        var archive = store.FindMailbox(demo.AliceArchive)!;
        store.MoveFolderTree(store.GetFolder(archive.Id, demo.OldMail)!, store.AuxiliaryArchiveOf(archive, () => demo.AuxiliaryArchive));
    }

    private sealed record Demo(SeedData Data, string AliceArchive, string OldMail, string AuxiliaryArchive);

    private static Demo Build()
    {
        var random = new Random(RandomSeed);
        var ids = IdFactory.Deterministic(RandomSeed);
        var builder = new Builder(random, ids);

        var alice = builder.User(AliceUpn, "Alice Anders");
        var bob = builder.User(BobUpn, "Bob Berg");
        builder.User(CarolUpn, "Carol Chen");

        var aliceMailbox = builder.Mailbox(alice, isArchive: false);
        builder.Notes(aliceMailbox, "inbox", 120, alice, budgetEvery: 10, budgetOffset: 3, attachmentEvery: 6, forwardFirst: true);
        var projects = builder.Folder(aliceMailbox, "inbox", "Projects", "IPF.Note");
        builder.Notes(aliceMailbox, projects, 40, alice, budgetEvery: 8, budgetOffset: 0, attachmentEvery: 4);
        var projects2026 = builder.Folder(aliceMailbox, projects, "2026", "IPF.Note");
        builder.Notes(aliceMailbox, projects2026, 25, alice, budgetEvery: 0, budgetOffset: 0, attachmentEvery: 5);
        var receipts = builder.Folder(aliceMailbox, "inbox", "Receipts", "IPF.Note");
        builder.Notes(aliceMailbox, receipts, 30, alice, budgetEvery: 0, budgetOffset: 0, attachmentEvery: 2);
        builder.Notes(aliceMailbox, "sentitems", 40, alice, budgetEvery: 10, budgetOffset: 5, attachmentEvery: 8, fromOwner: true);
        builder.Notes(aliceMailbox, "drafts", 5, alice, budgetEvery: 0, budgetOffset: 0, attachmentEvery: 0, fromOwner: true);
        builder.Notes(aliceMailbox, "deleteditems", 10, alice, budgetEvery: 0, budgetOffset: 0, attachmentEvery: 0);
        builder.Notes(aliceMailbox, "junkemail", 5, alice, budgetEvery: 0, budgetOffset: 0, attachmentEvery: 0);
        builder.Notes(aliceMailbox, "archive", 10, alice, budgetEvery: 0, budgetOffset: 0, attachmentEvery: 0);
        var archive2025 = builder.Folder(aliceMailbox, "archive", "2025", "IPF.Note");
        builder.Notes(aliceMailbox, archive2025, 20, alice, budgetEvery: 0, budgetOffset: 0, attachmentEvery: 5);
        builder.Appointments(aliceMailbox, "calendar", 25, alice);
        var teamEvents = builder.Folder(aliceMailbox, "calendar", "Team Events", "IPF.Appointment");
        builder.Appointments(aliceMailbox, teamEvents, 10, alice);
        builder.Contacts(aliceMailbox, "contacts", 20, alice);
        builder.Tasks(aliceMailbox, "tasks", 12, alice);
        builder.Notes(aliceMailbox, WellKnownFolders.RecoverableItemsDeletions, 3, alice, budgetEvery: 0, budgetOffset: 0, attachmentEvery: 0);
        // The handful of large items (1.2–4.9 MB), carried by attachments, in folders a test can page through quickly.
        builder.LargeNotes(aliceMailbox, receipts, alice, 1_200_000, 1_700_000);
        builder.LargeNotes(aliceMailbox, projects, alice, 2_500_000);
        builder.LargeNotes(aliceMailbox, archive2025, alice, 3_400_000, 4_900_000);

        var aliceArchive = builder.Mailbox(alice, isArchive: true);
        builder.Notes(aliceArchive, "inbox", 20, alice, budgetEvery: 10, budgetOffset: 1, attachmentEvery: 5);
        var oldMail = builder.Folder(aliceArchive, WellKnownFolders.MsgFolderRoot, "Old Mail", "IPF.Note");
        builder.Notes(aliceArchive, oldMail, 10, alice, budgetEvery: 0, budgetOffset: 0, attachmentEvery: 0);

        var bobMailbox = builder.Mailbox(bob, isArchive: false);
        builder.Notes(bobMailbox, "inbox", 8, bob, budgetEvery: 4, budgetOffset: 2, attachmentEvery: 3);
        builder.Notes(bobMailbox, "sentitems", 3, bob, budgetEvery: 0, budgetOffset: 0, attachmentEvery: 0, fromOwner: true);
        builder.Appointments(bobMailbox, "calendar", 2, bob);

        var auxiliaryArchive = $"MBX:{ids.NewGuid()}@{EmulatorDefaults.TenantId}";
        return new Demo(builder.ToSeedData(), aliceArchive, oldMail, auxiliaryArchive);
    }

    /// <summary>Accumulates the data set; folder arguments are a well-known name or an id returned by <see cref="Folder"/>.</summary>
    private sealed class Builder(Random random, IdFactory ids)
    {
        private static readonly Person[] Colleagues =
        {
            new("Dana Diaz", "dana@contoso.test"), new("Evan Ek", "evan@contoso.test"), new("Fatima Farouk", "fatima@fabrikam.test"),
            new("Gus Grant", "gus@fabrikam.test"), new("Hana Ito", "hana@contoso.test"), new("Ivan Ivanov", "ivan@northwind.test"),
        };

        private readonly DemoMessages _messages = new(random);
        private readonly List<UserRecord> _users = new();
        private readonly List<MailboxRecord> _mailboxes = new();
        private readonly List<NewFolder> _folders = new();
        private readonly List<(ItemRecord, byte[])> _items = new();
        private readonly Dictionary<string, Person> _people = new();

        public SeedData ToSeedData() => new(_users, _mailboxes, _folders, _items);

        public UserRecord User(string upn, string displayName)
        {
            var user = new UserRecord(ids.NewGuid().ToString(), upn, displayName);
            _users.Add(user);
            _people[user.ObjectId] = new Person(displayName, upn);
            return user;
        }

        public string Mailbox(UserRecord owner, bool isArchive)
        {
            var mailbox = new MailboxRecord($"MBX:{ids.NewGuid()}@{EmulatorDefaults.TenantId}", owner.ObjectId, isArchive);
            _mailboxes.Add(mailbox);
            _folders.AddRange(WellKnownFolders.CreateFor(mailbox.Id, ids));
            return mailbox.Id;
        }

        public string Folder(string mailboxId, string parent, string displayName, string type)
        {
            var folder = new NewFolder(ids.NewFolderId(), mailboxId, Resolve(mailboxId, parent), displayName, type, null);
            _folders.Add(folder);
            return folder.Id;
        }

        public void Notes(string mailboxId, string folder, int count, UserRecord owner, int budgetEvery, int budgetOffset,
            int attachmentEvery, bool fromOwner = false, bool forwardFirst = false)
        {
            var me = _people[owner.ObjectId];
            for (var i = 0; i < count; i++)
            {
                var (created, modified) = Dates();
                var other = Colleagues[random.Next(Colleagues.Length)];
                var forward = forwardFirst && i == 0;
                var topic = budgetEvery > 0 && i % budgetEvery == budgetOffset ? $"{Capitalized()} budget" : Capitalized();
                var subject = forward ? $"FW: {topic}" : topic;
                var attachmentBytes = attachmentEvery > 0 && i % attachmentEvery == 1 ? random.Next(5_000, 200_000) : 0;
                var to = fromOwner ? new[] { other, Colleagues[(i + 1) % Colleagues.Length] } : new[] { me, other, Colleagues[(i + 2) % Colleagues.Length] };
                var data = _messages.Note(subject, fromOwner ? me : other, to, created, modified, attachmentBytes, forward);
                AddItem(mailboxId, folder, "IPM.Note", created, modified, data);
            }
        }

        public void LargeNotes(string mailboxId, string folder, UserRecord owner, params int[] attachmentSizes)
        {
            foreach (var size in attachmentSizes)
            {
                var (created, modified) = Dates();
                var sender = Colleagues[random.Next(Colleagues.Length)];
                var data = _messages.Note($"Large file: {Capitalized()}", sender, new[] { _people[owner.ObjectId] }, created, modified, size, false);
                AddItem(mailboxId, folder, "IPM.Note", created, modified, data);
            }
        }

        public void Appointments(string mailboxId, string folder, int count, UserRecord owner)
        {
            for (var i = 0; i < count; i++)
            {
                var (created, modified) = Dates();
                var data = _messages.Appointment(Capitalized(), _people[owner.ObjectId], created, modified, created.AddDays(random.Next(1, 30)));
                AddItem(mailboxId, folder, "IPM.Appointment", created, modified, data);
            }
        }

        public void Contacts(string mailboxId, string folder, int count, UserRecord owner)
        {
            for (var i = 0; i < count; i++)
            {
                var (created, modified) = Dates();
                var person = new Person($"Contact {i + 1:D2} {_messages.Phrase(1)}", $"contact{i + 1:D2}@example.test");
                AddItem(mailboxId, folder, "IPM.Contact", created, modified, _messages.Contact(person, _people[owner.ObjectId], created, modified));
            }
        }

        public void Tasks(string mailboxId, string folder, int count, UserRecord owner)
        {
            for (var i = 0; i < count; i++)
            {
                var (created, modified) = Dates();
                AddItem(mailboxId, folder, "IPM.Task", created, modified, _messages.Task(Capitalized(), _people[owner.ObjectId], created, modified, i % 3 == 0));
            }
        }

        private void AddItem(string mailboxId, string folder, string type, DateTimeOffset created, DateTimeOffset modified, byte[] data)
        {
            var item = new ItemRecord(ids.NewItemId(), mailboxId, Resolve(mailboxId, folder), ids.NewChangeKey(), type, data.Length, created, modified);
            _items.Add((item, data));
        }

        private string Resolve(string mailboxId, string folder) =>
            _folders.FirstOrDefault(f => f.MailboxId == mailboxId && f.WellKnownName == folder)?.Id ?? folder;

        private (DateTimeOffset Created, DateTimeOffset Modified) Dates()
        {
            var span = (Latest - Earliest).TotalSeconds;
            var created = Earliest.AddSeconds(Math.Floor(random.NextDouble() * span));
            return (created, created.AddMinutes(random.Next(0, 600)));
        }

        private string Capitalized()
        {
            var phrase = _messages.Phrase(random.Next(2, 5));
            return char.ToUpperInvariant(phrase[0]) + phrase.Substring(1);
        }
    }
}
