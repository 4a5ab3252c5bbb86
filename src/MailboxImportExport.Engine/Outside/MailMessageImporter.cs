using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Serialization;
using MailboxImportExport.Engine.Attachments;
using MailboxImportExport.Engine.Diagnostics;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Journal;
using MailboxImportExport.Engine.Models;
using MailboxImportExport.Engine.Transfer;
using MailboxImportExport.Fts;

namespace MailboxImportExport.Engine.Outside;

/// <summary>
/// Where outside mail goes: the folder and mailbox of the target, and the user whose mailbox holds the staging
/// drafts (the target's own user for primary and shared mailboxes; the owner's primary mailbox for an archive).
/// </summary>
public sealed class MailImportTarget
{
    public MailImportTarget(string targetMailboxId, string targetFolderId, string stagingUserId, string stagingMailboxId)
    {
        TargetMailboxId = targetMailboxId;
        TargetFolderId = targetFolderId;
        StagingUserId = stagingUserId;
        StagingMailboxId = stagingMailboxId;
    }

    public string TargetMailboxId { get; }
    public string TargetFolderId { get; }
    public string StagingUserId { get; }
    public string StagingMailboxId { get; }
}

/// <summary>
/// Brings a message from outside into a mailbox folder as the mail it was, the way the service allows
/// (outside-mail-notes §3): the service turns the MIME into a draft of the staging mailbox; attachments too large for
/// that request are added to the draft (upload sessions above 3 MB); the draft is exported; its stream gets the flags of
/// a received message (not unsent, read or unread) and the received time; it is imported into the target folder; the
/// draft is purged, also when a step fails.
/// </summary>
public sealed class MailMessageImporter
{
    private const int FlagRead = 0x1;
    private const int FlagSubmit = 0x4;
    private const int FlagUnsent = 0x8;

    private readonly GraphClient _graph;
    private readonly ExportService _exports;
    private readonly ImportService _imports;
    private readonly AttachmentService _attachments;

    public MailMessageImporter(GraphClient graph, ImportService imports, AttachmentService? attachments = null, ExportService? exports = null)
    {
        _graph = graph ?? throw new ArgumentNullException(nameof(graph));
        _imports = imports ?? throw new ArgumentNullException(nameof(imports));
        _attachments = attachments ?? new AttachmentService(graph);
        _exports = exports ?? new ExportService(graph);
    }

    /// <summary>How much of the MIME goes in the create request; the rest is added to the draft afterwards.</summary>
    public long MimeBudget { get; set; } = Outside.MimeBudget.DefaultBudget;

    /// <summary>
    /// The job's journal (Import-ExMailMessage -JournalPath): a file imported in the same version is skipped, a changed
    /// one updates its copy, and every import post is recorded "sending" first. Null: no memory beyond the command.
    /// </summary>
    public ITransferJournal? Journal { get; init; }

    /// <summary>Where the run counts what it did (imported, updated, skipped, failed, bytes).</summary>
    public TransferCounters Counters { get; init; } = new();

    /// <summary>The import step's options (the settle delay before an import of unknown outcome is looked for).</summary>
    public ImportBatcherOptions ImportOptions { get; init; } = new();

    /// <summary>
    /// What the journal knows of a file: a file is known by its full path, its version by the SHA-256 of its bytes.
    /// Without a journal every file is to be imported.
    /// </summary>
    public MailFileState Inspect(string path, string targetMailboxId)
    {
        var full = Path.GetFullPath(path);
        if (Journal is null) return new MailFileState(full, null, null);
        string sha256;
        using (var file = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 81920))
        using (var sha = System.Security.Cryptography.SHA256.Create())
            sha256 = FtsData.Hex(sha.ComputeHash(file));
        return new MailFileState(full, sha256, Journal.Find(FilesSourceId, full, targetMailboxId));
    }

    /// <summary>Counts a file the journal has imported in this version (nothing is sent).</summary>
    public void RecordSkipped(MailFileState file) =>
        Counters.Record(TransferItemResult.Skipped, FilesSourceId, Path.GetDirectoryName(file.Path), 0);

    /// <summary>Counts (and, with a journal, records for the statistics and the next run) a file that could not be imported.</summary>
    public void RecordFailed(MailFileState file, string targetMailboxId, Exception error)
    {
        if (Journal is not null && file.Sha256 is not null)
        {
            // A copy made earlier stays recorded (TargetItemId): the next run updates it rather than make another.
            var row = file.Row ?? new JournalItem(FilesSourceId, file.Path, targetMailboxId) { SourceChangeKey = file.Sha256 };
            row.SourceFolderPath = Path.GetDirectoryName(file.Path);
            row.State = JournalItemState.Failed;
            row.ErrorCode = error is GraphException g ? g.Code : error.GetType().Name;
            row.ErrorMessage = error.Message;
            Journal.Save(row);
        }
        Counters.Record(TransferItemResult.Failed, FilesSourceId, Path.GetDirectoryName(file.Path), 0);
    }

    /// <summary>The source mailbox id under which a journal records message files (their full paths are the item ids).</summary>
    public const string FilesSourceId = "Files";

    /// <exception cref="InvalidDataException">The message cannot be brought in (an attachment above the service's limit, a body too large).</exception>
    public Task<ExMailMessageImportResult> ImportAsync(OutsideMessage message, MailImportTarget target, CancellationToken ct) =>
        ImportAsync(message, target, null, ct);

    /// <summary>
    /// Imports one message file, as the journal says (<paramref name="file"/> from <see cref="Inspect"/>): a new copy, or
    /// an update of the copy an earlier run made of a file that changed since. The import post goes through an
    /// <see cref="ImportBatcher"/>, so it lands exactly once: recorded "sending" first, and an outcome lost to a 5xx, a
    /// dropped connection or a kill is looked for in the target before anything is sent again.
    /// </summary>
    /// <exception cref="InvalidDataException">The message cannot be brought in (an attachment above the service's limit, a body too large).</exception>
    public async Task<ExMailMessageImportResult> ImportAsync(OutsideMessage message, MailImportTarget target, MailFileState? file, CancellationToken ct)
    {
        if (message is null) throw new ArgumentNullException(nameof(message));
        if (target is null) throw new ArgumentNullException(nameof(target));
        file ??= Journal is null ? new MailFileState(Path.GetFullPath(message.Path), null, null) : Inspect(message.Path, target.TargetMailboxId);
        ImportOutcome outcome;
        var staged = false;
        var addedSeparately = 0;
        try
        {
            // Everything that makes a file impossible to bring in is found here, before anything is created in the mailbox.
            var (mime, setAside) = Outside.MimeBudget.Split(message.Mime, MimeBudget, AttachmentService.MaxAttachmentSize);
            var mimeBytes = setAside.Count == 0 && message.OriginalMime is { } original ? original : Serialize(mime);
            addedSeparately = setAside.Count;

            var draftId = await CreateDraftAsync(target.StagingUserId, mimeBytes, ct).ConfigureAwait(false);
            try
            {
                foreach (var part in setAside)
                {
                    var attachment = new AttachmentFile(target.StagingUserId, ExItemKind.Message, draftId, part.Name, part.Data.LongLength, part.ContentType,
                        part.IsInline, part.ContentId, SourcePath: null, SourceLastWriteUtc: null);
                    await _attachments.AddAsync(attachment, () => new MemoryStream(part.Data, writable: false), resumeFile: null, progress: null, ct).ConfigureAwait(false);
                }
                using var exported = await ExportDraftAsync(target.StagingMailboxId, draftId, ct).ConfigureAwait(false);
                using var patched = Patch(exported, message);
                staged = true;
                outcome = await ImportOnceAsync(file, message, target, patched, ct).ConfigureAwait(false);
            }
            finally
            {
                await PurgeDraftAsync(target.StagingUserId, draftId).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (!staged && e is not OperationCanceledException)
        {
            // The import step records its own failures; these are the staging steps'.
            RecordFailed(file, target.TargetMailboxId, e);
            throw;
        }
        if (outcome.Result == TransferItemResult.Failed) throw outcome.Error ?? new InvalidOperationException($"{message} was not imported.");

        // Skipped: an earlier run's post, in doubt when it stopped, proved to have landed.
        var row = outcome.Imported is null ? Journal?.Find(FilesSourceId, file.Path, target.TargetMailboxId) : null;
        return new ExMailMessageImportResult
        {
            Path = message.Path,
            Subject = message.Subject,
            From = message.From,
            SentDateTime = message.SentDateTime,
            ReceivedDateTime = message.ReceivedDateTime,
            IsRead = message.IsRead,
            AttachmentCount = message.Mime.Attachments.Count() + message.Mime.BodyParts.Count(p => !p.IsAttachment && p.ContentId is { Length: > 0 }),
            AttachmentsAddedSeparately = addedSeparately,
            Result = outcome.Result,
            TargetMailboxId = target.TargetMailboxId,
            TargetFolderId = outcome.Imported?.TargetFolderId ?? row?.TargetFolderId ?? target.TargetFolderId,
            ItemId = outcome.Imported?.ItemId ?? row?.TargetItemId ?? "",
            ChangeKey = outcome.Imported?.ChangeKey ?? row?.TargetChangeKey,
            Size = outcome.Imported?.Size ?? row?.Size ?? 0,
        };
    }

    /// <summary>The import post of the patched stream, through the exactly-once protocol (and the journal, when there is one).</summary>
    private async Task<ImportOutcome> ImportOnceAsync(MailFileState file, OutsideMessage message, MailImportTarget target, FtsData patched, CancellationToken ct)
    {
        var item = new ExExportedItem
        {
            SourceMailboxId = FilesSourceId,
            SourceFolderPath = Path.GetDirectoryName(file.Path),
            ItemId = file.Path,
            ChangeKey = file.Sha256,
            Type = "IPM.Note",
            Size = patched.Length,
            Subject = message.Subject,
            Data = patched,
        };
        using var batcher = new ImportBatcher(_graph, _imports, new ImportPlan(target.TargetMailboxId) { FolderId = target.TargetFolderId }, Journal, Counters,
            ImportOptions, ct);
        await batcher.AddAsync(item, ct).ConfigureAwait(false);
        await batcher.CompleteAsync(ct).ConfigureAwait(false);
        return batcher.TryTake(out var outcome) ? outcome : throw new OperationCanceledException(ct);
    }

    private static byte[] Serialize(MimeKit.MimeMessage mime)
    {
        var output = new MemoryStream();
        mime.WriteTo(output);
        return output.ToArray();
    }

    /// <summary>POST /users/{id}/messages with the MIME in base64 as text/plain: the service converts it into a draft.</summary>
    private async Task<string> CreateDraftAsync(string stagingUserId, byte[] mime, CancellationToken ct)
    {
        var base64 = Encoding.ASCII.GetBytes(Convert.ToBase64String(mime));
        var draft = await _graph.PostContentAsync<MessageDto>($"{GraphPath.User(stagingUserId)}/messages", () =>
        {
            var content = new ByteArrayContent(base64);
            content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
            return content;
        }, ct).ConfigureAwait(false);
        if (string.IsNullOrEmpty(draft.Id))
            throw new GraphException(System.Net.HttpStatusCode.Created, "InvalidResponse", "The service created the staging draft but did not say its id.");
        EngineLog.Verbose($"Created staging draft {draft.Id} in the mailbox of {stagingUserId}.");
        return draft.Id!;
    }

    private async Task<FtsData> ExportDraftAsync(string stagingMailboxId, string draftId, CancellationToken ct)
    {
        var result = (await _exports.ExportBatchAsync(stagingMailboxId, new[] { draftId }, ct).ConfigureAwait(false)).Single();
        return result.Data ?? throw new GraphException(System.Net.HttpStatusCode.OK, result.ErrorCode ?? "ExportFailed",
            $"The staging draft {draftId} could not be exported from {stagingMailboxId}: {result.ErrorMessage}");
    }

    /// <summary>
    /// The draft's stream as the message it was: the unsent (and submit) flags cleared, read or unread as the file
    /// said, the received time from the file, the sent time when the draft lacks one. Fixed-size edits in place.
    /// </summary>
    private static FtsData Patch(FtsData draft, OutsideMessage message)
    {
        FtsSummary? summary;
        using (var stream = draft.OpenRead()) summary = FtsReader.TryReadSummary(stream, out _);
        var flags = (summary?.MessageFlags ?? 0) & ~(FlagUnsent | FlagSubmit | FlagRead);
        var properties = new List<FtsProperty> { FtsProperty.Int32(FtsPropertyId.MessageFlags, flags | (message.IsRead ? FlagRead : 0)) };
        if (message.ReceivedDateTime is { } received) properties.Add(FtsProperty.Time(FtsPropertyId.MessageDeliveryTime, received.UtcDateTime));
        if (summary?.ClientSubmitTime is null && message.SentDateTime is { } sent) properties.Add(FtsProperty.Time(FtsPropertyId.ClientSubmitTime, sent.UtcDateTime));

        var file = TempFile.Create();
        try
        {
            IReadOnlyList<FtsPatchKind> kinds;
            using (var output = new FileStream(file.Path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920))
                kinds = FtsPatch.Apply(draft.OpenRead, output, properties);
            if (kinds.Any(k => k != FtsPatchKind.InPlace))
                EngineLog.Verbose($"The staging draft of {message} lacked some of {string.Join(", ", properties)}: they were added to its stream, not only overwritten.");
            return FtsData.FromSpilledFile(file, new FileInfo(file.Path).Length);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>POST …/messages/{id}/permanentDelete, whatever happened before: best effort, with a warning naming the draft when it fails.</summary>
    private async Task PurgeDraftAsync(string stagingUserId, string draftId)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            await _graph.PostAsync<NoContent>($"{GraphPath.UserItem(stagingUserId, ExItemKind.Message, draftId)}/permanentDelete", null, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is GraphException or OperationCanceledException)
        {
            EngineLog.Warning($"The staging draft {draftId} in the mailbox of {stagingUserId} could not be purged ({e.Message}); delete it from Drafts.");
        }
    }

    private sealed class MessageDto
    {
        [JsonPropertyName("id")] public string? Id { get; set; }
    }
}

/// <summary>One file brought into a mailbox: where from, what it is, and the item it became.</summary>
public sealed class ExMailMessageImportResult
{
    public string Path { get; internal set; } = "";
    public string Subject { get; internal set; } = "";
    public string? From { get; internal set; }
    public DateTimeOffset? SentDateTime { get; internal set; }
    public DateTimeOffset? ReceivedDateTime { get; internal set; }
    public bool IsRead { get; internal set; }
    public int AttachmentCount { get; internal set; }
    /// <summary>Attachments too large for the create request, added to the draft afterwards (upload sessions from 3 MB).</summary>
    public int AttachmentsAddedSeparately { get; internal set; }
    /// <summary>Copied (a new item), Updated (the copy of an earlier version of the file, overwritten) or Skipped.</summary>
    public TransferItemResult Result { get; internal set; } = TransferItemResult.Copied;
    public string TargetMailboxId { get; internal set; } = "";
    public string TargetFolderId { get; internal set; } = "";
    public string ItemId { get; internal set; } = "";
    public string? ChangeKey { get; internal set; }
    public long Size { get; internal set; }

    public override string ToString() => $"'{Subject}' from {Path} → item {ItemId}";
}

/// <summary>What an import does with a message file, as its journal says.</summary>
public enum MailFileAction
{
    /// <summary>Not imported yet (or a failed or interrupted import): a new item.</summary>
    Import,
    /// <summary>Imported before and changed since: its copy is overwritten, no second item is made.</summary>
    Update,
    /// <summary>Imported in this version: nothing is sent.</summary>
    Skip,
}

/// <summary>A message file as a journal knows it: its full path (the file's identity) and the SHA-256 of its bytes (its version).</summary>
public sealed class MailFileState
{
    internal MailFileState(string path, string? sha256, JournalItem? row)
    {
        Path = path;
        Sha256 = sha256;
        Row = row;
    }

    public string Path { get; }
    /// <summary>Null without a journal.</summary>
    public string? Sha256 { get; }
    /// <summary>The journal's row for the file and target mailbox, if an earlier run made one.</summary>
    public JournalItem? Row { get; }

    public MailFileAction Action =>
        Row is { State: JournalItemState.Done } && Sha256 is not null && Row.SourceChangeKey == Sha256 ? MailFileAction.Skip
        : Row?.TargetItemId is not null ? MailFileAction.Update
        : MailFileAction.Import;

    public override string ToString() => $"{Action} {Path}";
}
