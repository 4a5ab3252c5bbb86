using System.Net;
using System.Text.Json;
using MailboxImportExport.Engine.Services;
using MailboxImportExport.Engine.Transfer;
using static MailboxImportExport.Engine.Tests.Transfer.TransferTestData;

namespace MailboxImportExport.Engine.Tests.Transfer;

public class FolderMapperTests
{
    /// <summary>A mailbox's folder tree behind the folders, childFolders, msgfolderroot and create-folder calls.</summary>
    private sealed class FakeFolders
    {
        private const string RootId = "root-id";
        private readonly object _gate = new();
        private readonly List<(string Id, string Parent, string Name, string Type)> _folders = new()
        {
            ("inbox-id", RootId, "Inbox", "IPF.Note"), ("calendar-id", RootId, "Calendar", "IPF.Appointment"), ("team-id", "calendar-id", "Team Events", "IPF.Appointment"),
        };
        private int _next;

        /// <summary>Folder names whose creation answers 409 after another client "created" them first.</summary>
        public HashSet<string> CreatedByOthers { get; } = new();

        public RoutingHandler Handler { get; }

        public FakeFolders() => Handler = new RoutingHandler((request, body) => Task.FromResult(Answer(request, body)));

        public List<(string Name, string Type)> Created => Handler.Requests.Where(r => r.Method == HttpMethod.Post)
            .Select(r => JsonDocument.Parse(r.Body!).RootElement)
            .Select(b => (b.GetProperty("displayName").GetString()!, b.GetProperty("type").GetString()!)).ToList();

        private HttpResponseMessage Answer(HttpRequestMessage request, string? body)
        {
            var segments = request.RequestUri!.AbsolutePath.Split('/');
            var parent = segments[^1] == "childFolders" ? Uri.UnescapeDataString(segments[^2]) : RootId;
            lock (_gate)
            {
                if (request.Method == HttpMethod.Get && segments[^1] == "msgfolderroot")
                    return RoutingHandler.Json(HttpStatusCode.OK, JsonSerializer.Serialize(new { id = RootId, displayName = "Top of Information Store" }));
                if (request.Method == HttpMethod.Get && segments[^2] == "folders")
                {
                    var one = _folders.SingleOrDefault(f => f.Id == Uri.UnescapeDataString(segments[^1]));
                    return one.Id is null
                        ? RoutingHandler.Json(HttpStatusCode.NotFound, """{"error":{"code":"ErrorItemNotFound","message":"The specified object was not found in the store."}}""")
                        : RoutingHandler.Json(HttpStatusCode.OK, JsonSerializer.Serialize(Dto(one)));
                }
                if (request.Method == HttpMethod.Get)
                    return RoutingHandler.Json(HttpStatusCode.OK, JsonSerializer.Serialize(new { value = _folders.Where(f => f.Parent == parent).Select(Dto) }));
                var created = JsonDocument.Parse(body!).RootElement;
                var name = created.GetProperty("displayName").GetString()!;
                var folder = ("folder-" + ++_next, parent, name, created.GetProperty("type").GetString()!);
                _folders.Add(folder);
                return CreatedByOthers.Contains(name)
                    ? RoutingHandler.Json(HttpStatusCode.Conflict, """{"error":{"code":"ErrorFolderExists","message":"A folder with the specified name already exists."}}""")
                    : RoutingHandler.Json(HttpStatusCode.Created, JsonSerializer.Serialize(Dto(folder)));
            }
        }

        private static object Dto((string Id, string Parent, string Name, string Type) f) =>
            new { id = f.Id, parentFolderId = f.Parent, displayName = f.Name, type = f.Type, childFolderCount = 0 };
    }

    [Fact]
    public async Task A_source_path_is_recreated_under_the_root_once_even_when_asked_concurrently()
    {
        var fake = new FakeFolders();
        var mapper = new FolderMapper(new FolderService(fake.Handler.Client()), "/Imported/alice");

        var folders = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ =>
            Task.Run(() => mapper.MapAsync(Mailbox, "/Inbox/Projects", "IPF.Note", CancellationToken.None))));
        var calendar = await mapper.MapAsync(Mailbox, "/Inbox/Team\\/Events", "IPF.Appointment", CancellationToken.None);
        var requestsSoFar = fake.Handler.Requests.Count;
        var again = await mapper.MapAsync(Mailbox, "/inbox/projects", null, CancellationToken.None);

        Assert.All(folders, f => Assert.Equal("/Imported/alice/Inbox/Projects", f.Path));
        Assert.Single(folders.Select(f => f.Id).Distinct());
        Assert.Equal(folders[0].Id, again.Id);
        Assert.Equal(requestsSoFar, fake.Handler.Requests.Count);
        Assert.Equal("/Imported/alice/Inbox/Team\\/Events", calendar.Path);
        Assert.Equal(new[]
        {
            ("Imported", "IPF.Note"), ("alice", "IPF.Note"), ("Inbox", "IPF.Note"), ("Projects", "IPF.Note"), ("Team/Events", "IPF.Appointment"),
        }, fake.Created);
    }

    [Fact]
    public async Task Existing_folders_are_used_and_an_empty_root_maps_to_the_top_of_the_mailbox()
    {
        var fake = new FakeFolders();
        var mapper = new FolderMapper(new FolderService(fake.Handler.Client()), "/");

        var inbox = await mapper.MapAsync(Mailbox, "/Inbox", "IPF.Note", CancellationToken.None);

        Assert.Equal("inbox-id", inbox.Id);
        Assert.Empty(fake.Created);
    }

    [Fact]
    public async Task A_folder_another_client_created_first_is_looked_up_after_the_conflict()
    {
        var fake = new FakeFolders();
        fake.CreatedByOthers.Add("Projects");
        var mapper = new FolderMapper(new FolderService(fake.Handler.Client()), "");

        var projects = await mapper.MapAsync(Mailbox, "/Inbox/Projects", "IPF.Note", CancellationToken.None);

        Assert.Equal("/Inbox/Projects", projects.Path);
        Assert.StartsWith("folder-", projects.Id);
        Assert.Single(fake.Created);
    }

    [Fact]
    public async Task A_parent_reached_first_through_its_child_still_gets_its_own_class()
    {
        var fake = new FakeFolders();
        var mapper = new FolderMapper(new FolderService(fake.Handler.Client()), "/Imported/alice");
        mapper.Describe("/Calendar", "IPF.Appointment");

        // An item of the subfolder arrives first (its export call came back first), then one of the calendar itself.
        var teamEvents = await mapper.MapAsync(Mailbox, "/Calendar/Team Events", "IPF.Appointment", CancellationToken.None);
        var calendar = await mapper.MapAsync(Mailbox, "/Calendar", "IPF.Appointment", CancellationToken.None);

        Assert.Equal("/Imported/alice/Calendar", calendar.Path);
        Assert.Equal("/Imported/alice/Calendar/Team Events", teamEvents.Path);
        Assert.Equal(new[] { ("Imported", "IPF.Note"), ("alice", "IPF.Note"), ("Calendar", "IPF.Appointment"), ("Team Events", "IPF.Appointment") }, fake.Created);
    }

    [Fact]
    public async Task The_classes_above_a_source_folder_are_read_once_from_the_source_mailbox()
    {
        var fake = new FakeFolders();
        var mapper = new FolderMapper(new FolderService(fake.Handler.Client()), "/Imported/alice");

        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => mapper.LearnSourcePathAsync("source-mailbox", "team-id", "/Calendar/Team Events", CancellationToken.None))));
        var readsOfTheSource = fake.Handler.To("source-mailbox").Count();
        await mapper.LearnSourcePathAsync("source-mailbox", "team-id", "/Calendar/Team Events", CancellationToken.None);
        // An item piped from another folder whose path is already known reads nothing more.
        await mapper.LearnSourcePathAsync("source-mailbox", "calendar-id", "/Calendar", CancellationToken.None);
        await mapper.MapAsync(Mailbox, "/Calendar/Team Events", null, CancellationToken.None);

        Assert.Equal(3, readsOfTheSource); // Team Events, the root's id, Calendar
        Assert.Equal(readsOfTheSource, fake.Handler.To("source-mailbox").Count());
        Assert.Equal(new[] { ("Imported", "IPF.Note"), ("alice", "IPF.Note"), ("Calendar", "IPF.Appointment"), ("Team Events", "IPF.Appointment") }, fake.Created);
    }

    [Fact]
    public async Task A_source_this_connection_cannot_read_leaves_the_classes_to_the_items()
    {
        var fake = new FakeFolders();
        var mapper = new FolderMapper(new FolderService(fake.Handler.Client()), "/Imported");

        await mapper.LearnSourcePathAsync("other-tenant", "gone-id", "/Calendar/Team Events", CancellationToken.None);
        await mapper.LearnSourcePathAsync("other-tenant", "gone-id", "/Calendar/Team Events", CancellationToken.None);
        await mapper.MapAsync(Mailbox, "/Calendar/Team Events", "IPF.Appointment", CancellationToken.None);

        Assert.Single(fake.Handler.To("gone-id"));
        Assert.Equal(new[] { ("Imported", "IPF.Note"), ("Calendar", "IPF.Note"), ("Team Events", "IPF.Appointment") }, fake.Created);
    }
}
