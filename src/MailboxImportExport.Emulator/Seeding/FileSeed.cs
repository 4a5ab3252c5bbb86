using System.Globalization;
using System.Text;
using System.Text.Json;
using MailboxImportExport.Emulator.Storage;
using MailboxImportExport.Engine.Auth;
using Person = MailboxImportExport.Emulator.Seeding.DemoMessages.Person;

namespace MailboxImportExport.Emulator.Seeding;

/// <summary>
/// <c>--seed FILE.json</c>: a tenant an admin writes for a test (users, their mailbox and archive, folders by path,
/// items with subject, size and attachments). Every mistake is refused before the emulator starts, with the file,
/// the line and the field: "seed.json, line 12: users[0].mailbox.folders[1].items[2].size: …".
/// The format is in docs/emulator.md (Seed files).
/// </summary>
internal static class FileSeed
{
    public const int MaxItemSize = 150 * 1024 * 1024;
    private const int MaxCount = 10_000;
    private static readonly DateTimeOffset DefaultReceived = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);
    private static readonly Person DefaultSender = new("Dana Diaz", "dana@contoso.test");

    /// <summary>Whether a --seed value names a seed file rather than a built-in seed.</summary>
    public static bool IsFile(string? seed) => seed is not null && seed.EndsWith(".json", StringComparison.OrdinalIgnoreCase);

    /// <exception cref="FormatException">The file is missing, not JSON, or not a valid seed; the message names the line and field.</exception>
    public static SeedData Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FormatException($"The seed file '{path}' cannot be read: {e.Message}");
        }
        var name = Path.GetFileName(path);
        Node root;
        try
        {
            root = Node.Parse(bytes);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{name}, line {(e.LineNumber ?? 0) + 1}: not valid JSON: {e.Message.Split(" Path:")[0]}");
        }
        return new Builder(name).Build(root);
    }

    /// <summary>A JSON value with the line it starts on, so a mistake found after parsing can still name its line.</summary>
    private sealed class Node
    {
        public JsonValueKind Kind { get; private init; }
        public int Line { get; private init; }
        public string Path { get; private init; } = "";
        public string? Text { get; private init; }
        public List<(string Name, Node Value)>? Properties { get; private init; }
        public List<Node>? Elements { get; private init; }

        public static Node Parse(byte[] utf8)
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (!reader.Read()) throw new JsonException("The file is empty.", null, 0, 0);
            var lineStarts = new List<int> { 0 };
            for (var i = 0; i < utf8.Length; i++) if (utf8[i] == '\n') lineStarts.Add(i + 1);
            return Read(ref reader, lineStarts, "");
        }

        private static Node Read(ref Utf8JsonReader reader, List<int> lineStarts, string path)
        {
            var index = lineStarts.BinarySearch((int)reader.TokenStartIndex);
            var line = (index >= 0 ? index : ~index - 1) + 1;
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    var properties = new List<(string, Node)>();
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var name = reader.GetString()!;
                        reader.Read();
                        properties.Add((name, Read(ref reader, lineStarts, path.Length == 0 ? name : $"{path}.{name}")));
                    }
                    return new Node { Kind = JsonValueKind.Object, Line = line, Path = path, Properties = properties };
                case JsonTokenType.StartArray:
                    var elements = new List<Node>();
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        elements.Add(Read(ref reader, lineStarts, $"{path}[{elements.Count}]"));
                    }
                    return new Node { Kind = JsonValueKind.Array, Line = line, Path = path, Elements = elements };
                case JsonTokenType.String:
                    return new Node { Kind = JsonValueKind.String, Line = line, Path = path, Text = reader.GetString() };
                case JsonTokenType.Number:
                    return new Node { Kind = JsonValueKind.Number, Line = line, Path = path, Text = Encoding.UTF8.GetString(reader.ValueSpan) };
                case JsonTokenType.True or JsonTokenType.False:
                    return new Node { Kind = reader.TokenType == JsonTokenType.True ? JsonValueKind.True : JsonValueKind.False, Line = line, Path = path };
                default:
                    return new Node { Kind = JsonValueKind.Null, Line = line, Path = path };
            }
        }
    }

    private sealed class Builder(string fileName)
    {
        private readonly IdFactory _ids = IdFactory.Deterministic(20261205);
        private readonly DemoMessages _messages = new(new Random(20261205));
        private readonly List<UserRecord> _users = new();
        private readonly List<MailboxRecord> _mailboxes = new();
        private readonly List<NewFolder> _folders = new();
        private readonly List<(ItemRecord, byte[])> _items = new();

        public SeedData Build(Node root)
        {
            var fields = Object(root, "users", "$schema");
            var users = Required(root, fields, "users");
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var user in Array(users))
            {
                var userFields = Object(user, "userPrincipalName", "displayName", "mailbox", "archive");
                var upnNode = Required(user, userFields, "userPrincipalName");
                var upn = String(upnNode);
                if (upn.Count(c => c == '@') != 1 || upn.StartsWith('@') || upn.EndsWith('@') || upn.Any(char.IsWhiteSpace))
                    throw Fail(upnNode, $"'{upn}' is not a user principal name like dave@contoso.test.");
                if (!seen.Add(upn)) throw Fail(upnNode, $"the user '{upn}' is already in the file (each user once, with both mailboxes).");
                var displayName = userFields.TryGetValue("displayName", out var nameNode) ? String(nameNode) : upn.Split('@')[0];
                var record = new UserRecord(_ids.NewGuid().ToString(), upn, displayName);
                _users.Add(record);
                var owner = new Person(displayName, upn);
                if (userFields.TryGetValue("archive", out var archive) && !userFields.ContainsKey("mailbox"))
                    throw Fail(archive, "an archive needs a primary mailbox: add \"mailbox\": {} to this user.");
                if (userFields.TryGetValue("mailbox", out var mailbox)) Mailbox(mailbox, record, owner, isArchive: false);
                if (archive is not null) Mailbox(archive, record, owner, isArchive: true);
            }
            return new SeedData(_users, _mailboxes, _folders, _items);
        }

        private void Mailbox(Node node, UserRecord user, Person owner, bool isArchive)
        {
            var fields = Object(node, "folders");
            var mailbox = new MailboxRecord($"MBX:{_ids.NewGuid()}@{EmulatorDefaults.TenantId}", user.ObjectId, isArchive);
            _mailboxes.Add(mailbox);
            var folders = WellKnownFolders.CreateFor(mailbox.Id, _ids).ToList();
            _folders.AddRange(folders);
            var root = folders.Single(f => f.WellKnownName == WellKnownFolders.MsgFolderRoot);
            if (!fields.TryGetValue("folders", out var list)) return;
            foreach (var folder in Array(list))
            {
                var folderFields = Object(folder, "path", "items");
                var pathNode = Required(folder, folderFields, "path");
                var target = FolderFor(mailbox.Id, root, pathNode);
                if (folderFields.TryGetValue("items", out var items))
                {
                    foreach (var item in Array(items)) Items(item, mailbox.Id, target, owner);
                }
            }
        }

        /// <summary>The folder at a path such as /Inbox/Projects, created with its parents where missing.</summary>
        private NewFolder FolderFor(string mailboxId, NewFolder root, Node pathNode)
        {
            var path = String(pathNode);
            var names = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (!path.StartsWith('/') || names.Length == 0 || names.Any(name => name.Trim().Length == 0))
                throw Fail(pathNode, $"'{path}' is not a folder path like /Inbox or /Inbox/Projects/2026.");
            var current = root;
            foreach (var name in names)
            {
                var parent = current;
                current = _folders.FirstOrDefault(f => f.MailboxId == mailboxId && f.ParentId == parent.Id && string.Equals(f.DisplayName, name, StringComparison.OrdinalIgnoreCase))
                    ?? Add(new NewFolder(_ids.NewFolderId(), mailboxId, parent.Id, name, parent == root ? "IPF.Note" : parent.Type, null));
            }
            return current;
        }

        private NewFolder Add(NewFolder folder)
        {
            _folders.Add(folder);
            return folder;
        }

        private void Items(Node node, string mailboxId, NewFolder folder, Person owner)
        {
            var fields = Object(node, "subject", "from", "received", "size", "attachments", "count");
            var subject = String(Required(node, fields, "subject"));
            var sender = fields.TryGetValue("from", out var from) ? Address(from) : DefaultSender;
            var received = fields.TryGetValue("received", out var date) ? Date(date) : DefaultReceived;
            var count = fields.TryGetValue("count", out var countNode) ? Number(countNode, 1, MaxCount) : 1;
            var attachments = new List<(string, int, string)>();
            if (fields.TryGetValue("attachments", out var list))
            {
                foreach (var attachment in Array(list))
                {
                    var attachmentFields = Object(attachment, "name", "size", "contentType");
                    attachments.Add((
                        String(Required(attachment, attachmentFields, "name")),
                        Number(Required(attachment, attachmentFields, "size"), 0, MaxItemSize),
                        attachmentFields.TryGetValue("contentType", out var type) ? String(type) : "application/octet-stream"));
                }
            }
            var messageClass = folder.Type switch
            {
                "IPF.Appointment" => "IPM.Appointment",
                "IPF.Contact" => "IPM.Contact",
                "IPF.Task" => "IPM.Task",
                _ => "IPM.Note",
            };
            for (var i = 0; i < count; i++)
            {
                var itemSubject = count > 1 ? $"{subject} {i + 1}" : subject;
                var created = received.AddMinutes(i);
                byte[] Write(string body) => _messages.Custom(messageClass, itemSubject, sender, [owner], created, created, body, attachments);
                var data = Write("");
                if (fields.TryGetValue("size", out var sizeNode))
                {
                    var size = Number(sizeNode, 1, MaxItemSize);
                    if (size < data.Length)
                        throw Fail(sizeNode, $"{size} bytes is less than this item needs without a body ({data.Length} bytes, with its attachments): give a larger size, or none.");
                    data = Padded(Write, data.Length, size);
                }
                var item = new ItemRecord(_ids.NewItemId(), mailboxId, folder.Id, _ids.NewChangeKey(), messageClass, data.Length, created, created);
                _items.Add((item, data));
            }
        }

        /// <summary>The item with a body that brings it to about <paramref name="size"/> bytes (within a few bytes:
        /// the stream's buffer headers and the drawn keyword round it).</summary>
        private static byte[] Padded(Func<string, byte[]> write, int emptySize, int size)
        {
            var chars = size - emptySize;
            var data = write(new string('x', chars));
            for (var attempt = 0; attempt < 3 && chars > 0 && Math.Abs(data.Length - size) > 16; attempt++)
            {
                var bytesPerChar = (double)(data.Length - emptySize) / chars;
                chars = Math.Max(0, (int)((size - emptySize) / bytesPerChar));
                data = write(new string('x', chars));
            }
            return data;
        }

        private Person Address(Node node)
        {
            var address = String(node);
            if (address.Count(c => c == '@') != 1 || address.Any(char.IsWhiteSpace))
                throw Fail(node, $"'{address}' is not an email address like dana@contoso.test.");
            return new Person(address.Split('@')[0], address);
        }

        private DateTimeOffset Date(Node node) =>
            DateTimeOffset.TryParse(String(node), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
                ? date.ToUniversalTime()
                : throw Fail(node, $"'{node.Text}' is not a date like 2026-03-01 or 2026-03-01T09:30:00Z.");

        private Dictionary<string, Node> Object(Node node, params string[] allowed)
        {
            if (node.Kind != JsonValueKind.Object) throw Fail(node, $"expected an object {{ … }} with {string.Join(", ", allowed.Where(a => a != "$schema"))}, found {Describe(node)}.");
            var fields = new Dictionary<string, Node>(StringComparer.Ordinal);
            foreach (var (name, value) in node.Properties!)
            {
                var known = allowed.FirstOrDefault(a => a.Equals(name, StringComparison.OrdinalIgnoreCase))
                    ?? throw Fail(value, $"unknown field '{name}'; {(node.Path.Length == 0 ? "the file" : node.Path)} takes {string.Join(", ", allowed.Where(a => a != "$schema"))}.");
                if (!fields.TryAdd(known, value)) throw Fail(value, $"'{known}' is given twice.");
            }
            return fields;
        }

        private Node Required(Node parent, Dictionary<string, Node> fields, string name) =>
            fields.TryGetValue(name, out var value) ? value : throw Fail(parent, $"'{name}' is missing.", parent.Path.Length == 0 ? name : $"{parent.Path}.{name}");

        private List<Node> Array(Node node) =>
            node.Kind == JsonValueKind.Array ? node.Elements! : throw Fail(node, $"expected a list [ … ], found {Describe(node)}.");

        private string String(Node node) =>
            node.Kind == JsonValueKind.String && !string.IsNullOrWhiteSpace(node.Text) ? node.Text : throw Fail(node, $"expected a text in quotes, found {Describe(node)}.");

        private int Number(Node node, int min, int max) =>
            node.Kind == JsonValueKind.Number && int.TryParse(node.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
                ? value
                : throw Fail(node, $"expected a whole number from {min} to {max}, found {Describe(node)}.");

        private static string Describe(Node node) => node.Kind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "a list",
            JsonValueKind.String => $"\"{node.Text}\"",
            JsonValueKind.Number => node.Text!,
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => "null",
        };

        private FormatException Fail(Node node, string problem, string? path = null) =>
            new($"{fileName}, line {node.Line}: {path ?? (node.Path.Length == 0 ? "the file" : node.Path)}: {problem}");
    }
}
