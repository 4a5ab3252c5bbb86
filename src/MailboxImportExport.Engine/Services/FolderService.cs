using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Models;

namespace MailboxImportExport.Engine.Services;

/// <summary>Folders of a mailbox: listing (with paths), lookup by id, well-known name or path, and changes.</summary>
public sealed class FolderService
{
    /// <summary>The top of the user-visible folder tree; its children are what the folders collection lists.</summary>
    public const string RootName = "msgfolderroot";

    private readonly GraphClient _graph;
    private readonly ConcurrentDictionary<string, string> _rootIds = new(StringComparer.Ordinal);

    public FolderService(GraphClient graph) => _graph = graph;

    /// <summary>
    /// Streams the folders under <paramref name="parent"/> (the root when null), depth first, each with its path.
    /// With <paramref name="recurse"/> every descendant follows its parent.
    /// The docs leave open whether <c>/folders</c> (and <c>childFolders</c>) list a folder's children or the whole
    /// tree flat, so only the folders whose parentFolderId is the folder asked about are taken, each once: the walk
    /// is the same either way.
    /// </summary>
    public async IAsyncEnumerable<ExMailboxFolder> ListAsync(string mailboxId, ExMailboxFolder? parent, bool recurse,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var parentId = parent?.Id ?? await RootIdAsync(mailboxId, ct).ConfigureAwait(false);
        await foreach (var folder in ListAsync(mailboxId, parent, parentId, recurse, new HashSet<string>(StringComparer.Ordinal), ct).ConfigureAwait(false))
            yield return folder;
    }

    private async IAsyncEnumerable<ExMailboxFolder> ListAsync(string mailboxId, ExMailboxFolder? parent, string parentId, bool recurse,
        HashSet<string> seen, [EnumeratorCancellation] CancellationToken ct)
    {
        var url = parent is null
            ? $"{GraphPath.Mailbox(mailboxId)}/folders?$top=100"
            : $"{FolderUrl(mailboxId, parent.Id)}/childFolders?$top=100";
        await foreach (var dto in _graph.GetAllAsync<FolderDto>(url, ct).ConfigureAwait(false))
        {
            if (dto.ParentFolderId is { } listedParent && listedParent != parentId) continue; // deeper in a flat listing
            if (dto.Id is null || !seen.Add(dto.Id)) continue;
            var folder = dto.ToModel(mailboxId, parent?.Path ?? "", (parent?.Depth ?? 0) + 1);
            yield return folder;
            if (recurse && folder.ChildFolderCount > 0)
                await foreach (var child in ListAsync(mailboxId, folder, folder.Id, recurse: true, seen, ct).ConfigureAwait(false))
                    yield return child;
        }
    }

    /// <summary>A folder by id or well-known name, with its path worked out by walking up to the root.</summary>
    public async Task<ExMailboxFolder> GetAsync(string mailboxId, string folderIdOrWellKnownName, CancellationToken ct)
    {
        var chain = await GetWithAncestorsAsync(mailboxId, folderIdOrWellKnownName, ct).ConfigureAwait(false);
        return chain[chain.Count - 1];
    }

    /// <summary>
    /// A folder and the folders above it, from the top level down to it, each with its path and class (the root
    /// alone for the root). Paths are empty when the walk does not reach the root (Recoverable Items).
    /// </summary>
    public async Task<IReadOnlyList<ExMailboxFolder>> GetWithAncestorsAsync(string mailboxId, string folderIdOrWellKnownName, CancellationToken ct)
    {
        var dto = await _graph.GetAsync<FolderDto>(FolderUrl(mailboxId, folderIdOrWellKnownName), ct).ConfigureAwait(false);
        var rootId = await RootIdAsync(mailboxId, ct).ConfigureAwait(false);
        if (dto.Id == rootId) return new[] { dto.ToModel(mailboxId, "", 0) };

        var chain = new List<FolderDto> { dto };
        var parentId = dto.ParentFolderId;
        // Bounded, in case a service ever reports a cycle.
        for (var hops = 0; parentId is not null && parentId != rootId && hops < 64; hops++)
        {
            var parent = await _graph.GetAsync<FolderDto>(FolderUrl(mailboxId, parentId), ct).ConfigureAwait(false);
            chain.Insert(0, parent);
            parentId = parent.ParentFolderId;
        }
        var folders = new List<ExMailboxFolder>(chain.Count);
        foreach (var link in chain)
            folders.Add(link.ToModel(mailboxId, folders.Count == 0 ? "" : folders[folders.Count - 1].Path, folders.Count + 1, knownPath: parentId == rootId));
        return folders;
    }

    /// <summary>The folder at a path such as <c>/Inbox/Projects</c> (names match case-insensitively), or null.</summary>
    public async Task<ExMailboxFolder?> FindByPathAsync(string mailboxId, string path, CancellationToken ct)
    {
        var matchers = FolderPath.Split(path).Select(name => (Func<string, bool>)(candidate => string.Equals(candidate, name, StringComparison.OrdinalIgnoreCase)));
        var found = await FindAsync(mailboxId, matchers.ToList(), ct).ConfigureAwait(false);
        return found.Count > 0 ? found[0] : null;
    }

    /// <summary>
    /// The folders whose path matches, one matcher per level from the top (the caller decides: exact names, or
    /// wildcards); no matchers means the top of the information store itself.
    /// </summary>
    public async Task<IReadOnlyList<ExMailboxFolder>> FindAsync(string mailboxId, IReadOnlyList<Func<string, bool>> matchers, CancellationToken ct)
    {
        if (matchers.Count == 0) return new[] { await GetAsync(mailboxId, RootName, ct).ConfigureAwait(false) };
        var level = new List<ExMailboxFolder?> { null };
        foreach (var matches in matchers)
        {
            var next = new List<ExMailboxFolder?>();
            foreach (var parent in level)
                await foreach (var folder in ListAsync(mailboxId, parent, recurse: false, ct).ConfigureAwait(false))
                    if (matches(folder.DisplayName)) next.Add(folder);
            if (next.Count == 0) return Array.Empty<ExMailboxFolder>();
            level = next;
        }
        return level.Select(f => f!).ToList();
    }

    public async Task<ExMailboxFolder?> FindChildAsync(string mailboxId, ExMailboxFolder? parent, string displayName, CancellationToken ct)
    {
        await foreach (var folder in ListAsync(mailboxId, parent, recurse: false, ct).ConfigureAwait(false))
            if (string.Equals(folder.DisplayName, displayName, StringComparison.OrdinalIgnoreCase))
                return folder;
        return null;
    }

    public async Task<ExMailboxFolder> CreateAsync(string mailboxId, ExMailboxFolder? parent, string displayName, string type, CancellationToken ct)
    {
        var url = parent is null ? $"{GraphPath.Mailbox(mailboxId)}/folders" : $"{FolderUrl(mailboxId, parent.Id)}/childFolders";
        var dto = await _graph.PostAsync<FolderDto>(url, new { displayName, type }, ct).ConfigureAwait(false);
        return dto.ToModel(mailboxId, parent?.Path ?? "", (parent?.Depth ?? 0) + 1);
    }

    public async Task<ExMailboxFolder> RenameAsync(ExMailboxFolder folder, string newName, CancellationToken ct)
    {
        var dto = await _graph.PatchAsync<FolderDto>(FolderUrl(folder.MailboxId, folder.Id), new { displayName = newName }, ct).ConfigureAwait(false);
        return dto.ToModel(folder.MailboxId, FolderPath.Parent(folder.Path), folder.Depth, knownPath: folder.Path.Length > 0);
    }

    /// <summary>Folders changed (or, flagged, removed) since <paramref name="deltaToken"/>; all folders when it is null.</summary>
    public IAsyncEnumerable<ExMailboxFolder> DeltaAsync(string mailboxId, string? deltaToken, DeltaCursor cursor, int? maxPageSize, CancellationToken ct) =>
        cursor.ReadAsync<FolderDto, ExMailboxFolder>(_graph,
            deltaToken is null ? $"{GraphPath.Mailbox(mailboxId)}/folders/delta" : DeltaCursor.Validate(deltaToken),
            maxPageSize, dto => dto.ToModel(mailboxId, "", 0, knownPath: false), ct);

    /// <summary>Deletes a folder through the documented <c>DELETE …/folders/{id}/$ref</c>.</summary>
    public Task DeleteAsync(string mailboxId, string folderId, CancellationToken ct) =>
        _graph.DeleteAsync(FolderUrl(mailboxId, folderId) + "/$ref", ct);

    private async Task<string> RootIdAsync(string mailboxId, CancellationToken ct)
    {
        if (_rootIds.TryGetValue(mailboxId, out var id)) return id;
        var root = await _graph.GetAsync<FolderDto>(FolderUrl(mailboxId, RootName), ct).ConfigureAwait(false);
        return _rootIds[mailboxId] = root.Id ?? RootName;
    }

    internal static string FolderUrl(string mailboxId, string folderId) => $"{GraphPath.Mailbox(mailboxId)}/folders/{GraphPath.Segment(folderId)}";

    internal sealed class FolderDto
    {
        [JsonPropertyName("id")] public string? Id { get; set; }
        [JsonPropertyName("displayName")] public string? DisplayName { get; set; }
        [JsonPropertyName("parentFolderId")] public string? ParentFolderId { get; set; }
        [JsonPropertyName("childFolderCount")] public int ChildFolderCount { get; set; }
        [JsonPropertyName("totalItemCount")] public int TotalItemCount { get; set; }
        [JsonPropertyName("type")] public string? Type { get; set; }
        [JsonPropertyName("wellKnownName")] public string? WellKnownName { get; set; }
        [JsonPropertyName("@removed")] public object? Removed { get; set; }

        public ExMailboxFolder ToModel(string mailboxId, string parentPath, int depth, bool knownPath = true) => new()
        {
            MailboxId = mailboxId,
            Id = Id ?? "",
            ParentFolderId = ParentFolderId,
            DisplayName = DisplayName ?? "",
            Path = knownPath && depth > 0 ? FolderPath.Child(parentPath, DisplayName ?? "") : "",
            Depth = depth,
            Type = Type,
            WellKnownName = WellKnownName,
            ChildFolderCount = ChildFolderCount,
            TotalItemCount = TotalItemCount,
            IsRemoved = Removed is not null,
        };
    }
}
