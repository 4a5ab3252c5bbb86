using System.Management.Automation;
using System.Net;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Journal;
using MailboxImportExport.Engine.Models;
using MailboxImportExport.Engine.Services;
using MailboxImportExport.Engine.Transfer;

namespace MailboxImportExport.Commands;

/// <summary>
/// Imports exported items into a mailbox: from the pipeline (Export-ExMailboxItem) or from an export folder
/// (-Path). The engine's ImportBatcher does the work (as many imports at once as the target mailbox's lane allows,
/// each landing exactly once); this cmdlet checks the target, asks ShouldProcess, and writes outcomes. With
/// -JournalPath a re-run skips what is already copied and updates what changed, and the run ends with a summary.
/// </summary>
[Cmdlet(VerbsData.Import, "ExMailboxItem", DefaultParameterSetName = PipelineSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ExImportResult), typeof(ExTransferSummary))]
public sealed class ImportExMailboxItemCommand : ExCmdlet
{
    private const string PipelineSet = "Pipeline";
    private const string PathSet = "Path";

    private ImportBatcher? _batcher;
    private JournalRun? _run;
    private TransferProgress _progress = null!;
    private string _targetMailboxId = null!;
    private string? _folderId;
    private string _folderDescription = "";
    private bool _yesToAll, _noToAll;

    [Parameter(Mandatory = true, ParameterSetName = PipelineSet, ValueFromPipeline = true)]
    [ValidateNotNull]
    public ExExportedItem InputObject { get; set; } = null!;

    /// <summary>A folder written by Export-ExMailboxItem -Path.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = null!;

    [Parameter]
    [ValidateNotNull]
    public ExImportSession? Session { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TargetMailboxId { get; set; }

    [Parameter]
    [ValidateNotNull]
    public ExMailbox? TargetMailbox { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TargetFolderId { get; set; }

    [Parameter]
    [ValidateNotNull]
    public ExMailboxFolder? TargetFolder { get; set; }

    [Parameter]
    [ValidateSet("inbox", "drafts", "sentitems", "deleteditems", "junkemail", "archive", "calendar", "contacts", "tasks", IgnoreCase = true)]
    public string? TargetWellKnownName { get; set; }

    /// <summary>Recreate each item's source folder path (under -TargetRootPath) and import it there.</summary>
    [Parameter]
    public SwitchParameter PreserveFolderStructure { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string TargetRootPath { get; set; } = "/";

    [Parameter]
    public ImportMode Mode { get; set; } = ImportMode.Create;

    /// <summary>Update mode: the item to overwrite; defaults to the exported item's own id (a restore in place).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TargetItemId { get; set; }

    /// <summary>Update mode: the current ChangeKey of the item to overwrite; by default taken per item from the journal or the item itself.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TargetChangeKey { get; set; }

    /// <summary>The copy job's journal (shared with Export-ExMailboxItem -JournalPath): skip what is copied, update what changed.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? JournalPath { get; set; }

    /// <summary>With -JournalPath: also write each imported item (the run's summary is written either way).</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Overwrite (-Mode Update) without asking for confirmation.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void BeginProcessing()
    {
        var connection = RequireConnection();
        var targets = new object?[] { Session, TargetMailboxId, TargetMailbox }.Count(t => t is not null);
        if (targets != 1)
            ThrowInvalidCombination("TargetMailboxRequired", "Say where to import with exactly one of -Session, -TargetMailboxId or -TargetMailbox.");
        var folderChoices = new object?[] { TargetFolderId, TargetFolder, TargetWellKnownName }.Count(f => f is not null) + (PreserveFolderStructure ? 1 : 0);
        if (folderChoices != 1)
            ThrowInvalidCombination("TargetFolderRequired",
                "Say which folder with exactly one of -TargetFolderId, -TargetFolder, -TargetWellKnownName or -PreserveFolderStructure.");
        if (MyInvocation.BoundParameters.ContainsKey(nameof(TargetRootPath)) && !PreserveFolderStructure)
            ThrowInvalidCombination("TargetRootPathWithoutPreserve", "-TargetRootPath goes with -PreserveFolderStructure.");
        if (Mode == ImportMode.Create && (TargetItemId is not null || TargetChangeKey is not null))
            ThrowInvalidCombination("CreateWithItemId", "-TargetItemId and -TargetChangeKey are for -Mode Update; a create makes a new item.");
        if (PassThru && JournalPath is null)
            ThrowInvalidCombination("PassThruWithoutJournal", "-PassThru goes with -JournalPath: without a journal every imported item is written anyway.");

        try
        {
            _targetMailboxId = Session?.MailboxId ?? TargetMailbox?.MailboxId ?? ResolveMailboxId(TargetMailboxId!);
        }
        catch (Exception e) when (IsServiceFailure(e))
        {
            ThrowTerminatingError(ErrorFor(e, "TargetMailboxNotFound", TargetMailboxId));
        }
        if (TargetFolder is not null && !string.Equals(TargetFolder.MailboxId, _targetMailboxId, StringComparison.OrdinalIgnoreCase))
            ThrowInvalidCombination("TargetFolderInOtherMailbox", $"-TargetFolder belongs to mailbox {TargetFolder.MailboxId}, not to the target mailbox {_targetMailboxId}.");

        FolderMapper? mapper = null;
        if (PreserveFolderStructure)
        {
            mapper = new FolderMapper(new FolderService(connection.Client), TargetRootPath);
            _folderDescription = $"under {TargetRootPath}";
        }
        else
        {
            _folderId = CheckTargetFolder(connection.Client);
        }

        TransferCounters counters;
        if (JournalPath is not null)
        {
            _run = JoinJournal(JournalPath, "Import-ExMailboxItem");
            counters = _run.Counters;
        }
        else
        {
            counters = new TransferCounters();
        }
        UseMeter(counters.Meter);
        _progress = new TransferProgress(this, $"Importing items into {_targetMailboxId}", 2, counters);
        var plan = new ImportPlan(_targetMailboxId)
        {
            FolderId = _folderId,
            Folders = mapper,
            Mode = Mode,
            TargetItemId = TargetItemId,
            TargetChangeKey = TargetChangeKey,
            Session = Session,
        };
        _batcher = new ImportBatcher(connection.Client, new ImportService(connection.Client), plan, _run?.Journal, counters,
            cancellationToken: StopToken);
    }

    /// <summary>
    /// The target folder's id, checked before any item is sent: a well-known name is resolved once, and a folder
    /// that does not exist stops the command with an error naming it and the parameter that gave it.
    /// </summary>
    private string CheckTargetFolder(GraphClient client)
    {
        var (given, parameter) = TargetFolder is not null ? (TargetFolder.Id, "-TargetFolder")
            : TargetFolderId is not null ? (TargetFolderId, "-TargetFolderId")
            : (TargetWellKnownName!, "-TargetWellKnownName");
        try
        {
            var folder = Await(ct => new FolderService(client).GetAsync(_targetMailboxId, given, ct));
            _folderDescription = string.IsNullOrEmpty(folder.Path) ? $"folder {folder.Id}" : $"folder {folder.Path}";
            return folder.Id;
        }
        catch (GraphException e) when (e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest)
        {
            ThrowTerminatingError(new ErrorRecord(
                new ArgumentException($"The target folder '{given}' given with {parameter} does not exist in mailbox {_targetMailboxId}: {e.ServiceMessage}", e),
                "TargetFolderNotFound", ErrorCategory.ObjectNotFound, given)
            {
                ErrorDetails = new ErrorDetails($"The target folder '{given}' given with {parameter} does not exist in mailbox {_targetMailboxId}.")
                {
                    RecommendedAction = "Find the folder with Get-ExMailboxFolder on the target mailbox and pass its Id (or the folder object with -TargetFolder).",
                },
            });
            return null!;
        }
    }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == PipelineSet)
        {
            Import(InputObject);
            return;
        }
        var folder = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        if (!File.Exists(System.IO.Path.Combine(folder, ExportStore.ManifestFileName)))
            ThrowTerminatingError(new ErrorRecord(new FileNotFoundException($"'{folder}' is not an export folder: it has no {ExportStore.ManifestFileName}."),
                "ExportFolderNotFound", ErrorCategory.ObjectNotFound, Path)
            {
                ErrorDetails = new ErrorDetails($"'{folder}' is not an export folder: it has no {ExportStore.ManifestFileName}.")
                {
                    RecommendedAction = "Give the folder that Export-ExMailboxItem -Path wrote.",
                },
            });
        var records = ExportStore.Read(folder).ToList();
        _progress.Counters.Expect(records.Count, records.Sum(r => r.Item?.Data.Length ?? 0));
        foreach (var record in records)
        {
            if (record.Succeeded)
            {
                Import(record.Item!);
                continue;
            }
            _progress.Counters.Record(TransferItemResult.Failed, "", null, 0);
            WriteError(new ErrorRecord(new InvalidDataException(record.Error), record.LineNumber == 0 ? "ExportFolderFileNotInManifest" : "ExportFolderItemUnreadable",
                ErrorCategory.ReadError, record.FileName ?? Path)
            {
                ErrorDetails = new ErrorDetails(record.LineNumber == 0 ? record.Error : $"Line {record.LineNumber} of the export folder's manifest: {record.Error}")
                {
                    RecommendedAction = record.LineNumber == 0
                        ? "The file is not part of the export (its manifest line was lost, or it was copied in). Export the item again with Export-ExMailboxItem -Path, or remove the file."
                        : "Export that item again into the folder (Export-ExMailboxItem -Path ... -Force); the other items are imported.",
                },
            });
        }
    }

    protected override void EndProcessing()
    {
        Await(ct => _batcher!.CompleteAsync(ct));
        WriteFinished();
        _progress.Complete();
        Verbose($"Import: {_progress.Counters.Summary("Completed", JournalPath)}");
        // The last command of the pipeline on this journal writes the run's summary (it covers what Export skipped).
        if (_run is not null && _run.Leave("Completed", out var summary)) WriteObject(summary);
        _run = null;
    }

    protected override void OnWaiting()
    {
        if (_batcher is null) return;
        WriteFinished();
        _progress.Show();
    }

    private void Import(ExExportedItem item)
    {
        // Asked before anything is created, so -WhatIf and a "No" leave the mailbox untouched, folders included.
        var overwrite = Mode == ImportMode.Update;
        var description = $"'{item.Subject}' ({item.Type}, {item.Size:N0} bytes, item {item.ItemId}) into {TargetDescription(item)} of mailbox {_targetMailboxId}";
        if (!ShouldProcess(description, overwrite ? "Overwrite item" : "Import item")) return;
        if (overwrite && !ConfirmOverwrite(description)) return;
        Await(ct => _batcher!.AddAsync(item, ct));
        WriteFinished();
    }

    /// <summary>
    /// An overwrite is a High-impact change: with the default $ConfirmPreference it is confirmed (once for all with
    /// "Yes to All"), unless -Force or -Confirm:$false.
    /// </summary>
    private bool ConfirmOverwrite(string description)
    {
        if (Force || MyInvocation.BoundParameters.ContainsKey("Confirm")) return true;
        var preference = GetVariableValue("ConfirmPreference") is ConfirmImpact impact ? impact : ConfirmImpact.High;
        if (preference == ConfirmImpact.None || preference > ConfirmImpact.High) return true;
        return ShouldContinue($"Overwrite {description}? Its current content is replaced.", "Confirm overwrite", ref _yesToAll, ref _noToAll);
    }

    private string TargetDescription(ExExportedItem item) =>
        _folderId is not null ? _folderDescription
        : $"folder {FolderPath.Join(FolderPath.Split(TargetRootPath).Concat(FolderPath.Split(item.SourceFolderPath ?? "")))} (created if missing)";

    private void WriteFinished()
    {
        while (_batcher!.TryTake(out var outcome))
        {
            switch (outcome.Result)
            {
                case TransferItemResult.Failed:
                    WriteError(ErrorFor(outcome.Error!, outcome.ErrorId ?? "ImportFailed", outcome.Item));
                    break;
                case TransferItemResult.Skipped:
                    Verbose($"Skipped {outcome.Item}: its copy in {_targetMailboxId} is up to date (journal).");
                    break;
                default:
                    if (_run is null || PassThru) WriteObject(outcome.Imported);
                    break;
            }
            _progress.Show(outcome.Item.ToString());
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _batcher?.Dispose();
            // Stopped (Ctrl+C, an error upstream): the run is recorded as such; rows in flight stay "sending" for the next run.
            _run?.Leave("Stopped", out _);
        }
        base.Dispose(disposing);
    }
}
