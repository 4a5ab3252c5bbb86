using System.Collections.Concurrent;
using System.Net;
using MailboxImportExport.Engine.Diagnostics;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Models;
using MailboxImportExport.Engine.Services;
using MailboxImportExport.Engine.Threading;

namespace MailboxImportExport.Engine.Transfer;

/// <summary>
/// Recreates source folder paths under a target root (<c>-PreserveFolderStructure -TargetRootPath /Imported/alice</c>):
/// <c>/Inbox/Projects</c> maps to <c>/Imported/alice/Inbox/Projects</c>, each missing folder created once. Every
/// folder on a path is looked up or created once per mailbox and cached, also when several imports ask at once;
/// a creation that loses a race to another client (409 ErrorFolderExists) is resolved by looking the folder up.
/// Each recreated folder gets the class of its source folder, parents included, whatever order the items arrive
/// in: items are imported many at once and an export call can come back before an earlier one, so the first item
/// to reach <c>/Calendar</c> may well be one of <c>/Calendar/Team Events</c>. The classes come from
/// <see cref="Describe"/> (a copy that listed the source tree) or are read once from the source mailbox
/// (<see cref="LearnSourcePathAsync"/>).
/// </summary>
public sealed class FolderMapper
{
    /// <summary>The class given to folders whose source type is unknown, and to the folders of the root path.</summary>
    public const string DefaultFolderType = "IPF.Note";

    private readonly FolderService _folders;
    private readonly string _targetRootPath;
    private readonly AsyncCache<string, ExMailboxFolder> _resolved = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, (string WellKnownName, bool UnderAnyRoot)> _anchors = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, string> _sourceTypes = new(StringComparer.OrdinalIgnoreCase);
    private readonly AsyncCache<string, bool> _learned = new(StringComparer.Ordinal);
    // Folders this mapper created: their only children are the ones it creates, so none is looked up first.
    private readonly ConcurrentDictionary<string, bool> _created = new(StringComparer.Ordinal);

    /// <param name="targetRootPath">The folder the source tree goes under, e.g. <c>/Imported/alice</c>; empty or <c>/</c> for the top of the mailbox.</param>
    public FolderMapper(FolderService folders, string targetRootPath)
    {
        _folders = folders ?? throw new ArgumentNullException(nameof(folders));
        _targetRootPath = FolderPath.Join(FolderPath.Split(targetRootPath ?? ""));
    }

    /// <summary>
    /// Maps a source folder to the target's folder of the same well-known name, whatever it is called there (an
    /// Inbox is the Inbox in a German mailbox too), with its subfolders below it. Applies when the items go to the
    /// top of the mailbox (root <c>/</c>), or always with <paramref name="underAnyRoot"/> (Recoverable Items go to
    /// their counterparts wherever the rest goes).
    /// </summary>
    public void Anchor(string sourceFolderPath, string wellKnownName, bool underAnyRoot = false)
    {
        if (string.IsNullOrWhiteSpace(wellKnownName)) throw new ArgumentException("The well-known name is empty.", nameof(wellKnownName));
        _anchors[FolderPath.Join(FolderPath.Split(sourceFolderPath ?? ""))] = (wellKnownName, underAnyRoot);
    }

    /// <summary>The class of a source folder: the folder recreated for that path gets it, also when created as a parent on the way.</summary>
    public void Describe(string sourceFolderPath, string? folderType)
    {
        var path = FolderPath.Join(FolderPath.Split(sourceFolderPath ?? ""));
        if (path.Length > 0 && !string.IsNullOrEmpty(folderType)) _sourceTypes[path] = folderType!;
    }

    /// <summary>
    /// Reads the classes of a source folder and the folders above it from the source mailbox, once per folder, unless
    /// every folder of its path has been described. Best effort: a source this connection cannot read (items
    /// imported from files into another tenant) leaves the classes to the items.
    /// </summary>
    public async Task LearnSourcePathAsync(string sourceMailboxId, string? sourceFolderId, string? sourceFolderPath, CancellationToken ct)
    {
        var segments = FolderPath.Split(sourceFolderPath ?? "");
        if (string.IsNullOrEmpty(sourceMailboxId) || string.IsNullOrEmpty(sourceFolderId) || segments.Count == 0) return;
        if (Enumerable.Range(1, segments.Count).All(depth => _sourceTypes.ContainsKey(FolderPath.Join(segments.Take(depth))))) return;
        await _learned.GetAsync(sourceMailboxId + "\n" + sourceFolderId, async _ =>
        {
            try
            {
                foreach (var folder in await _folders.GetWithAncestorsAsync(sourceMailboxId, sourceFolderId!, ct).ConfigureAwait(false))
                    Describe(folder.Path, folder.Type);
                return true;
            }
            catch (GraphException e)
            {
                EngineLog.Verbose($"The classes of the folders above {sourceFolderPath} could not be read from {sourceMailboxId} ({e.Message}); folders created on the way get {DefaultFolderType}.");
                return false;
            }
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// The target folder for items of <paramref name="sourceFolderPath"/>, created (with its parents) when missing.
    /// Each folder of the source path gets its described class; the folder itself, if not described,
    /// <paramref name="sourceFolderType"/> (default IPF.Note); undescribed parents and the root path's folders IPF.Note.
    /// An empty source path maps to the root itself, which must then exist or have a path.
    /// </summary>
    public async Task<ExMailboxFolder> MapAsync(string targetMailboxId, string sourceFolderPath, string? sourceFolderType, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(targetMailboxId)) throw new ArgumentException("The target mailbox id is empty.", nameof(targetMailboxId));
        var sourceSegments = FolderPath.Split(sourceFolderPath ?? "");
        if (AnchorOf(sourceSegments) is { } anchor)
        {
            var anchored = await _resolved.GetAsync(targetMailboxId + "\n#" + anchor.WellKnownName, _ => _folders.GetAsync(targetMailboxId, anchor.WellKnownName, ct)).ConfigureAwait(false);
            for (var depth = anchor.Depth + 1; depth <= sourceSegments.Count; depth++)
            {
                var type = TypeOf(sourceSegments, depth, sourceFolderType);
                var (parent, name) = (anchored, sourceSegments[depth - 1]);
                anchored = await _resolved.GetAsync($"{targetMailboxId}\n#{anchor.WellKnownName}/{FolderPath.Join(sourceSegments.Skip(anchor.Depth).Take(depth - anchor.Depth))}",
                    _ => FindOrCreateAsync(targetMailboxId, parent, name, type, ct)).ConfigureAwait(false);
            }
            return anchored;
        }
        var rootSegments = FolderPath.Split(_targetRootPath);
        var segments = rootSegments.Concat(sourceSegments).ToList();
        if (segments.Count == 0)
            throw new ArgumentException("Neither the target root path nor the source folder path names a folder: there is nowhere to import to.", nameof(sourceFolderPath));

        ExMailboxFolder? folder = null;
        for (var depth = 1; depth <= segments.Count; depth++)
        {
            var type = depth > rootSegments.Count ? TypeOf(sourceSegments, depth - rootSegments.Count, sourceFolderType) : DefaultFolderType;
            folder = await ResolveAsync(targetMailboxId, folder, segments.Take(depth).ToList(), type, ct).ConfigureAwait(false);
        }
        return folder!;
    }

    /// <summary>The class for the source folder at <paramref name="depth"/> of a path: described, else the leaf's given one, else IPF.Note.</summary>
    private string TypeOf(IReadOnlyList<string> sourceSegments, int depth, string? leafType) =>
        _sourceTypes.TryGetValue(FolderPath.Join(sourceSegments.Take(depth)), out var described) ? described
        : depth == sourceSegments.Count ? leafType ?? DefaultFolderType : DefaultFolderType;

    /// <summary>The longest anchored prefix of a source path that applies under this mapper's root, and its depth.</summary>
    private (string WellKnownName, int Depth)? AnchorOf(IReadOnlyList<string> sourceSegments)
    {
        var atTop = FolderPath.Split(_targetRootPath).Count == 0;
        for (var depth = sourceSegments.Count; depth > 0; depth--)
        {
            if (_anchors.TryGetValue(FolderPath.Join(sourceSegments.Take(depth)), out var anchor) && (atTop || anchor.UnderAnyRoot))
                return (anchor.WellKnownName, depth);
        }
        return null;
    }

    /// <summary>A recreated folder gets the class that holds items of this kind (calendar items in a calendar folder …).</summary>
    public static string FolderTypeFor(string? messageClass)
    {
        foreach (var (prefix, folderType) in new[] { ("IPM.Appointment", "IPF.Appointment"), ("IPM.Schedule", "IPF.Appointment"),
                     ("IPM.Contact", "IPF.Contact"), ("IPM.DistList", "IPF.Contact"), ("IPM.Task", "IPF.Task"), ("IPM.StickyNote", "IPF.StickyNote") })
            if (messageClass?.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) == true) return folderType;
        return DefaultFolderType;
    }

    /// <summary>One folder of a path, found or created once; a failure is forgotten so a later call tries again.</summary>
    private Task<ExMailboxFolder> ResolveAsync(string mailboxId, ExMailboxFolder? parent, IReadOnlyList<string> path, string type, CancellationToken ct) =>
        _resolved.GetAsync(mailboxId + "\n" + FolderPath.Join(path), _ => FindOrCreateAsync(mailboxId, parent, path[path.Count - 1], type, ct));

    private async Task<ExMailboxFolder> FindOrCreateAsync(string mailboxId, ExMailboxFolder? parent, string name, string type, CancellationToken ct)
    {
        if (parent is null || !_created.ContainsKey(parent.Id))
        {
            var existing = await _folders.FindChildAsync(mailboxId, parent, name, ct).ConfigureAwait(false);
            if (existing is not null) return existing;
        }
        try
        {
            var created = await _folders.CreateAsync(mailboxId, parent, name, type, ct).ConfigureAwait(false);
            _created[created.Id] = true;
            return created;
        }
        catch (GraphException e) when (e.StatusCode == HttpStatusCode.Conflict || e.Code == "ErrorFolderExists")
        {
            // Created meanwhile by another writer: use theirs; if it is not there either, the conflict stands.
            var created = await _folders.FindChildAsync(mailboxId, parent, name, ct).ConfigureAwait(false);
            if (created is null) throw;
            return created;
        }
    }
}
