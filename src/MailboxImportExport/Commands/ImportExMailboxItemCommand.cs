using System.Management.Automation;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Models;
using MailboxImportExport.Engine.Services;
using MailboxImportExport.Engine.Transfer;

namespace MailboxImportExport.Commands;

/// <summary>
/// Imports exported items into a mailbox: from the pipeline (Export-ExMailboxItem) or from an export folder
/// (-Path). A few imports run at once; sessions are created, cached and renewed as needed; with
/// -PreserveFolderStructure the source folder paths are recreated under a target root.
/// </summary>
[Cmdlet(VerbsData.Import, "ExMailboxItem", DefaultParameterSetName = PipelineSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ExImportResult))]
public sealed class ImportExMailboxItemCommand : ExCmdlet
{
    private const string PipelineSet = "Pipeline";
    private const string PathSet = "Path";
    private const int MaxInFlight = 4;

    private readonly List<(Task<ExImportResult> Task, ExExportedItem Item)> _inFlight = new();
    private ImportService _imports = null!;
    private FolderMapper? _mapper;
    private string _targetMailboxId = null!;
    private string? _fixedFolderId;
    private TransferProgress _progress = null!;

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

    /// <summary>Update mode: the current ChangeKey of the item to overwrite; defaults to the exported item's.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TargetChangeKey { get; set; }

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
        _imports = new ImportService(connection.Client);
        _fixedFolderId = TargetFolder?.Id ?? TargetFolderId ?? TargetWellKnownName;
        if (PreserveFolderStructure) _mapper = new FolderMapper(new FolderService(connection.Client), TargetRootPath);
        _progress = new TransferProgress(this, $"Importing items into {_targetMailboxId}", 2);
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
        foreach (var record in ExportStore.Read(folder))
        {
            if (record.Succeeded) Import(record.Item!);
            else
            {
                _progress.Failure(record.FileName);
                WriteError(new ErrorRecord(new InvalidDataException(record.Error), "ExportFolderItemUnreadable", ErrorCategory.ReadError, record.FileName ?? Path)
                {
                    ErrorDetails = new ErrorDetails($"Line {record.LineNumber} of the export folder's manifest: {record.Error}")
                    {
                        RecommendedAction = "Export that item again into the folder (Export-ExMailboxItem -Path ... -Force); the other items are imported.",
                    },
                });
            }
        }
    }

    protected override void EndProcessing()
    {
        while (_inFlight.Count > 0) WriteNextFinished();
        _progress.Complete();
        Verbose($"Import: {_progress.Summary}");
    }

    private void Import(ExExportedItem item)
    {
        if (_mapper is not null && string.IsNullOrEmpty(item.SourceFolderPath))
        {
            _progress.Failure(item.ToString());
            WriteError(new ErrorRecord(new ArgumentException($"Item {item.ItemId} carries no source folder path, so its folder cannot be recreated."),
                "SourceFolderPathUnknown", ErrorCategory.InvalidData, item)
            {
                ErrorDetails = new ErrorDetails($"Item {item.ItemId} carries no source folder path.")
                {
                    RecommendedAction = "List items from folders (Get-ExMailboxFolder | Get-ExMailboxItem) so they carry their path, or import with -TargetFolderId.",
                },
            });
            return;
        }
        // Asked before anything is created, so -WhatIf and a "No" leave the mailbox untouched, folders included.
        if (!ShouldProcess($"'{item.Subject}' ({item.Type}, {item.Size:N0} bytes, item {item.ItemId}) into {TargetDescription(item)} of mailbox {_targetMailboxId}",
                Mode == ImportMode.Create ? "Import item" : "Overwrite item")) return;

        string folderId;
        try
        {
            folderId = TargetFolderFor(item);
        }
        catch (Exception e) when (IsServiceFailure(e) || e is ArgumentException)
        {
            _progress.Failure(item.ToString());
            WriteError(ErrorFor(e, "TargetFolderUnavailable", item));
            return;
        }
        ImportRequest request;
        try
        {
            request = RequestFor(item, folderId);
            request.Validate();
        }
        catch (ArgumentException e)
        {
            _progress.Failure(item.ToString());
            WriteError(ErrorFor(e, "ImportRequestInvalid", item));
            return;
        }
        while (_inFlight.Count >= MaxInFlight) WriteNextFinished();
        var task = Start(ct => _imports.ImportAsync(request, ct));
        _inFlight.Add((task, item));
    }

    private string TargetDescription(ExExportedItem item) =>
        _mapper is null ? $"folder {_fixedFolderId}"
        : $"folder {FolderPath.Join(FolderPath.Split(TargetRootPath).Concat(FolderPath.Split(item.SourceFolderPath!)))} (created if missing)";

    /// <summary>The fixed target folder, or the source path recreated under the target root.</summary>
    private string TargetFolderFor(ExExportedItem item)
    {
        if (_mapper is null) return _fixedFolderId!;
        var folder = Await(ct => _mapper.MapAsync(_targetMailboxId, item.SourceFolderPath!, FolderTypeFor(item.Type ?? item.MessageClass), ct));
        return folder.Id;
    }

    private ImportRequest RequestFor(ExExportedItem item, string folderId) => new(_targetMailboxId, folderId, item.Data)
    {
        Mode = Mode,
        ItemId = Mode == ImportMode.Update ? TargetItemId ?? item.ItemId : null,
        ChangeKey = Mode == ImportMode.Update ? TargetChangeKey ?? item.ChangeKey : null,
        Session = Session,
        SourceMailboxId = item.SourceMailboxId,
        SourceFolderId = item.SourceFolderId,
        SourceItemId = item.ItemId,
        Subject = item.Subject,
    };

    /// <summary>A recreated folder gets the class that holds items of this kind (calendar items in a calendar folder …).</summary>
    internal static string FolderTypeFor(string? messageClass)
    {
        foreach (var (prefix, folderType) in new[] { ("IPM.Appointment", "IPF.Appointment"), ("IPM.Schedule", "IPF.Appointment"),
                     ("IPM.Contact", "IPF.Contact"), ("IPM.DistList", "IPF.Contact"), ("IPM.Task", "IPF.Task"), ("IPM.StickyNote", "IPF.StickyNote") })
            if (messageClass?.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) == true) return folderType;
        return FolderMapper.DefaultFolderType;
    }

    private void WriteNextFinished()
    {
        AwaitAny(_inFlight.Select(f => f.Task).ToList());
        foreach (var (task, item) in _inFlight.Where(f => f.Task.IsCompleted).ToList())
        {
            _inFlight.RemoveAll(f => f.Task == task);
            try
            {
                var result = ResultOf(task);
                _progress.Success(result.Size, item.ToString());
                WriteObject(result);
            }
            catch (Exception e) when (IsServiceFailure(e) || e is ArgumentException)
            {
                _progress.Failure(item.ToString());
                WriteError(ErrorFor(e, e is GraphException g ? g.Code : "ImportFailed", item));
            }
        }
    }
}
