using System.Diagnostics;
using System.Management.Automation;
using MailboxImportExport.Engine.Journal;
using MailboxImportExport.Engine.Models;
using MailboxImportExport.Engine.Outside;
using MailboxImportExport.Engine.Services;
using MailboxImportExport.Engine.Transfer;

namespace MailboxImportExport.Commands;

/// <summary>
/// Brings .eml and .msg files (or folders of them) into a folder of a primary, shared or archive mailbox as the mail
/// they were: not drafts, with their sender, recipients, times, read state, bodies and attachments. With -JournalPath
/// a re-run skips the files already imported, and a file changed since updates its copy instead of adding another.
/// </summary>
[Cmdlet(VerbsData.Import, "ExMailMessage", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ExMailMessageImportResult))]
public sealed class ImportExMailMessageCommand : ExCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
    private static readonly string[] MessageExtensions = { ".eml", ".msg" };

    private MailMessageImporter _importer = null!;
    private MailImportTarget _target = null!;
    private string _targetDescription = null!;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private JournalRun? _run;
    private ITransferJournal? _preview;
    private int _files, _known;

    /// <summary>Files or folders (wildcards allowed); a folder gives its .eml and .msg files.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true)]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = null!;

    /// <summary>Files or folders taken literally; binds the FullName of Get-ChildItem's output.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "FullName")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = null!;

    /// <summary>With a folder: its subfolders' files too.</summary>
    [Parameter]
    public SwitchParameter Recurse { get; set; }

    [Parameter]
    [ValidateNotNull]
    public ExMailbox? TargetMailbox { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TargetMailboxId { get; set; }

    [Parameter]
    [ValidateNotNull]
    public ExMailboxFolder? TargetFolder { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TargetFolderId { get; set; }

    [Parameter]
    [ValidateSet("inbox", "drafts", "sentitems", "deleteditems", "junkemail", "archive", IgnoreCase = true)]
    public string? TargetWellKnownName { get; set; }

    /// <summary>
    /// The user whose mailbox holds the short-lived staging drafts (UPN or id). Defaults to the user of -TargetMailbox;
    /// needed with -TargetMailboxId. A dedicated service mailbox keeps the drafts out of the target user's mailbox.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? StagingUserId { get; set; }

    /// <summary>
    /// The job's journal (a file; created if missing): a re-run skips the files already imported into the target
    /// mailbox, imports the new ones, and updates the copy of a file whose content changed. Files are known by their
    /// full path.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? JournalPath { get; set; }

    protected override void BeginProcessing()
    {
        var connection = RequireConnection();
        if ((TargetMailbox is null) == (TargetMailboxId is null))
            ThrowInvalidCombination("TargetMailboxRequired", "Say where to import with exactly one of -TargetMailbox or -TargetMailboxId.");
        if (new object?[] { TargetFolder, TargetFolderId, TargetWellKnownName }.Count(f => f is not null) != 1)
            ThrowInvalidCombination("TargetFolderRequired", "Say which folder with exactly one of -TargetFolder, -TargetFolderId or -TargetWellKnownName.");
        var stagingUser = StagingUserId ?? TargetMailbox?.UserId;
        if (stagingUser is null)
            ThrowInvalidCombination("StagingUserRequired",
                "With -TargetMailboxId, say whose mailbox holds the staging drafts with -StagingUserId (a UPN), or pass the mailbox object with -TargetMailbox.");
        var targetMailboxId = TargetMailbox?.MailboxId ?? TargetMailboxId!;
        if (TargetFolder is not null && !string.Equals(TargetFolder.MailboxId, targetMailboxId, StringComparison.OrdinalIgnoreCase))
            ThrowInvalidCombination("TargetFolderInOtherMailbox", $"-TargetFolder belongs to mailbox {TargetFolder.MailboxId}, not to the target mailbox {targetMailboxId}.");

        // Both checked before the first file: a wrong folder or staging user would fail every file the same way.
        ExMailboxFolder folder;
        string stagingMailboxId;
        try
        {
            folder = TargetFolder ?? Await(ct => new FolderService(connection.Client).GetAsync(targetMailboxId, TargetFolderId ?? TargetWellKnownName!, ct));
            stagingMailboxId = Await(ct => new MailboxService(connection.Client).GetMailboxAsync(stagingUser!, MailboxKind.Primary, ct))?.MailboxId
                ?? throw new InvalidOperationException($"{stagingUser} has no primary mailbox to hold the staging drafts.");
        }
        catch (Exception e) when (IsServiceFailure(e) || e is InvalidOperationException)
        {
            ThrowTerminatingError(ErrorFor(e, "TargetUnavailable", targetMailboxId,
                "Check -TargetMailbox/-TargetMailboxId, the folder and -StagingUserId; nothing was imported."));
            return;
        }
        _target = new MailImportTarget(targetMailboxId, folder.Id, stagingUser!, stagingMailboxId);
        _targetDescription = $"folder {folder} of mailbox {targetMailboxId}";

        // -WhatIf reads the journal without taking the job (nothing is recorded); a real run joins it.
        ITransferJournal? journal = null;
        TransferCounters counters;
        if (JournalPath is not null && IsWhatIf())
        {
            journal = _preview = ReadOnlyTransferJournal.Open(SessionState.Path.GetUnresolvedProviderPathFromPSPath(JournalPath));
            counters = new TransferCounters();
        }
        else if (JournalPath is not null)
        {
            _run = JoinJournal(JournalPath, "Import-ExMailMessage");
            journal = _run.Journal;
            counters = _run.Counters;
        }
        else
        {
            counters = new TransferCounters();
        }
        UseMeter(counters.Meter);
        _importer = new MailMessageImporter(connection.Client, new ImportService(connection.Client)) { Journal = journal, Counters = counters };
    }

    protected override void ProcessRecord()
    {
        var literal = ParameterSetName == LiteralPathSet;
        // The files of this input are known before the first is imported: the progress bar has a real percentage.
        var files = (literal ? LiteralPath : Path).SelectMany(given => Files(given, literal)).ToList();
        _known += files.Count;
        foreach (var file in files) ImportFile(file);
    }

    protected override void EndProcessing()
    {
        WriteProgress(new ProgressRecord(0, Activity, "Done") { RecordType = ProgressRecordType.Completed });
        var counters = _importer.Counters;
        var summary = new ExMailImportSummary(_files, counters.Copied, counters.Updated, counters.Skipped, counters.Failed, counters.Bytes, _clock.Elapsed);
        _run?.Leave("Completed", out _);
        _run = null;
        Verbose($"Import-ExMailMessage: {summary}");
        // The summary goes to the information stream, tagged, so the pipeline carries only the per-file results.
        WriteInformation(new InformationRecord(summary, MyInvocation.InvocationName) { Tags = { "Summary" } });
    }

    private string Activity => $"Importing mail into {_targetDescription}";

    /// <summary>The message files a path names: a file, or the .eml/.msg files of a folder. Unknown paths are errors.</summary>
    private IEnumerable<string> Files(string given, bool literal)
    {
        IEnumerable<string> resolved;
        try
        {
            resolved = literal ? new[] { SessionState.Path.GetUnresolvedProviderPathFromPSPath(given) } : GetResolvedProviderPathFromPSPath(given, out _);
        }
        catch (Exception e) when (e is ItemNotFoundException or System.Management.Automation.DriveNotFoundException or ProviderNotFoundException)
        {
            NotFound(given, e);
            return Array.Empty<string>();
        }
        var files = new List<string>();
        foreach (var path in resolved)
        {
            if (Directory.Exists(path))
                files.AddRange(Directory.EnumerateFiles(path, "*", Recurse ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly)
                    .Where(f => MessageExtensions.Contains(System.IO.Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                    .OrderBy(f => f, StringComparer.Ordinal));
            else if (File.Exists(path)) files.Add(path);
            else NotFound(given, null);
        }
        return files;
    }

    private void NotFound(string given, Exception? inner) =>
        WriteError(new ErrorRecord(new FileNotFoundException($"No file or folder at '{given}'.", given, inner), "PathNotFound", ErrorCategory.ObjectNotFound, given)
        {
            ErrorDetails = new ErrorDetails($"No file or folder at '{given}'.") { RecommendedAction = "Check the path; the other files are imported." },
        });

    private void ImportFile(string file)
    {
        _files++;
        var counters = _importer.Counters;
        WriteProgress(new ProgressRecord(0, Activity, $"File {_files} of {_known}: {counters.Copied + counters.Updated} imported, {counters.Skipped} skipped, {counters.Failed} failed")
        {
            CurrentOperation = file,
            PercentComplete = (int)((_files - 1) * 100L / Math.Max(_known, 1)),
        });
        const string unreadable = "Give .eml (MIME) or .msg (Outlook) files; the other files are imported.";
        MailFileState state;
        try
        {
            state = _importer.Inspect(file, _target.TargetMailboxId);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            counters.Record(TransferItemResult.Failed, MailMessageImporter.FilesSourceId, System.IO.Path.GetDirectoryName(file), 0);
            WriteError(ErrorFor(e, "NotAMessage", file, unreadable));
            return;
        }
        if (state.Action == MailFileAction.Skip)
        {
            // Decided before the file is read: a re-run costs no request for what it imported already.
            _importer.RecordSkipped(state);
            var skipped = $"{file} was imported already, unchanged since (item {state.Row!.TargetItemId} of {_targetDescription}); skipped.";
            if (IsWhatIf()) ShouldProcess(skipped, "Skip mail message");
            else Verbose(skipped);
            return;
        }
        OutsideMessage message;
        try
        {
            message = OutsideMessage.Load(file);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            Fail(e, state, "NotAMessage", file, unreadable);
            return;
        }
        var action = state.Action == MailFileAction.Update ? "Update mail message (the file changed since it was imported)" : "Import mail message";
        if (!ShouldProcess($"{message} into {_targetDescription}", action)) return;
        try
        {
            var result = Await(ct => _importer.ImportAsync(message, _target, state, ct));
            // Skipped here: an earlier run's import, in doubt when it stopped, proved to have landed.
            if (result.Result == TransferItemResult.Skipped) Verbose($"{file} had been imported by an earlier run that stopped (item {result.ItemId}); skipped.");
            else WriteObject(result);
        }
        catch (InvalidDataException e)
        {
            WriteError(ErrorFor(e, "MessageTooLarge", file, "Share files above 150 MB through OneDrive or SharePoint; the other files are imported."));
        }
        catch (Exception e) when (IsServiceFailure(e) || e is Engine.Attachments.UploadSessionGoneException or ArgumentException or InvalidOperationException)
        {
            WriteError(ErrorFor(e, e is Engine.Http.GraphException g ? g.Code : "ImportFailed", file, null));
        }
    }

    /// <summary>A file that could not be read: counted (and recorded in the journal), reported, and the others go on.</summary>
    private void Fail(Exception e, MailFileState state, string errorId, string file, string? recommendedAction)
    {
        _importer.RecordFailed(state, _target.TargetMailboxId, e);
        WriteError(ErrorFor(e, errorId, file, recommendedAction));
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _run?.Leave("Stopped", out _);
            _run = null;
            _preview?.Dispose();
            _preview = null;
        }
        base.Dispose(disposing);
    }
}

/// <summary>What an Import-ExMailMessage run did, written to the information stream (tag Summary) at its end.</summary>
public sealed class ExMailImportSummary
{
    public ExMailImportSummary(int files, int imported, int updated, int skipped, int failed, long bytes, TimeSpan duration)
    {
        Files = files;
        Imported = imported;
        Updated = updated;
        Skipped = skipped;
        Failed = failed;
        Bytes = bytes;
        Duration = duration;
    }

    public int Files { get; }
    /// <summary>New items.</summary>
    public int Imported { get; }
    /// <summary>Files changed since an earlier run imported them (-JournalPath): their copies were overwritten.</summary>
    public int Updated { get; }
    /// <summary>Files an earlier run imported in the same version (-JournalPath): nothing was sent.</summary>
    public int Skipped { get; }
    public int Failed { get; }
    public long Bytes { get; }
    public TimeSpan Duration { get; }

    public override string ToString() =>
        $"{Imported} of {Files} files imported, {Updated} updated, {Skipped} skipped (imported before), {Failed} failed, {Bytes:N0} bytes in {Duration.TotalSeconds:0.0} s.";
}
