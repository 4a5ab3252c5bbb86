using System.Management.Automation;
using MailboxImportExport.Engine.Models;
using MailboxImportExport.Engine.Transfer;

namespace MailboxImportExport.Commands;

/// <summary>
/// Turns exported items into files people open: .msg (Outlook) or .eml (mail readers), in a folder tree like the
/// mailbox's, named by date and subject. Reads an export folder written by Export-ExMailboxItem -Path, or exported items
/// from the pipeline; needs no connection when it reads a folder.
/// </summary>
[Cmdlet(VerbsData.ConvertTo, "ExMessageFile", DefaultParameterSetName = FolderSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(FileInfo))]
public sealed class ConvertToExMessageFileCommand : ExCmdlet
{
    private const string FolderSet = "Folder";
    private const string PipelineSet = "Pipeline";

    private ExportStore? _store;
    private TransferProgress _progress = null!;

    /// <summary>An export folder written by Export-ExMailboxItem -Path (the default Fts format).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = FolderSet)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = null!;

    [Parameter(Mandatory = true, ParameterSetName = PipelineSet, ValueFromPipeline = true)]
    [ValidateNotNull]
    public ExExportedItem InputObject { get; set; } = null!;

    /// <summary>The folder to write the files to; created if missing.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string Destination { get; set; } = null!;

    /// <summary>Msg (the default: any item) or Eml (messages; other items as .msg).</summary>
    [Parameter]
    [ValidateSet(nameof(ExportFormat.Msg), nameof(ExportFormat.Eml), IgnoreCase = true)]
    public string Format { get; set; } = nameof(ExportFormat.Msg);

    /// <summary>Replace a file written before for an item that has since changed (its ChangeKey differs).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void BeginProcessing()
    {
        var destination = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Destination);
        _progress = new TransferProgress(this, $"Converting items to {Format} files", 3, new TransferCounters());
        if (!ShouldProcess(destination, $"Write {Format} files")) return;
        try
        {
            _store = ExportStore.Open(destination, (ExportFormat)Enum.Parse(typeof(ExportFormat), Format, ignoreCase: true));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(new ErrorRecord(e, e is ExportFormatMismatchException ? "ExportFormatMismatch" : "DestinationUnavailable", ErrorCategory.WriteError, destination)
            {
                ErrorDetails = new ErrorDetails(e.Message) { RecommendedAction = "Give a folder you can write to that holds no other format." },
            });
        }
    }

    protected override void ProcessRecord()
    {
        if (_store is null) return;
        if (ParameterSetName == PipelineSet)
        {
            Convert(InputObject);
            return;
        }
        var folder = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        IEnumerable<ExportStoreRecord> records;
        try
        {
            records = ExportStore.Read(folder);
        }
        catch (FileNotFoundException e)
        {
            ThrowTerminatingError(new ErrorRecord(e, "ExportFolderNotFound", ErrorCategory.ObjectNotFound, Path)
            {
                ErrorDetails = new ErrorDetails(e.Message) { RecommendedAction = "Give the folder that Export-ExMailboxItem -Path wrote." },
            });
            return;
        }
        foreach (var record in records)
        {
            if (record.Item is { } item)
            {
                Convert(item);
                continue;
            }
            Count(TransferItemResult.Failed, null, record.FileName);
            WriteError(new ErrorRecord(new InvalidDataException(record.Error), "ExportFolderItemUnreadable", ErrorCategory.ReadError, record.FileName ?? Path));
        }
    }

    protected override void EndProcessing()
    {
        _progress.Complete();
        Verbose($"ConvertTo-ExMessageFile: {_progress.Counters.Summary(_progress.Counters.Failed > 0 ? "CompletedWithErrors" : "Completed", journalPath: null)}");
    }

    private void Convert(ExExportedItem item)
    {
        try
        {
            var result = _store!.Write(item, Force);
            if (result == ExportStoreWriteResult.Skipped)
            {
                Count(TransferItemResult.Skipped, item, item.ToString());
                Verbose($"Skipped {item}: its file is already in {_store.Directory}.");
                return;
            }
            Count(TransferItemResult.Copied, item, item.ToString(), item.Data.Length);
            WriteObject(new FileInfo(_store.PathOf(item)!));
        }
        catch (ExportStoreConflictException e)
        {
            Count(TransferItemResult.Failed, item, item.ToString());
            WriteError(new ErrorRecord(e, "ExportConflict", ErrorCategory.ResourceExists, item)
            {
                ErrorDetails = new ErrorDetails(e.Message) { RecommendedAction = "Use -Force to replace the file written for the earlier version." },
            });
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            Count(TransferItemResult.Failed, item, item.ToString());
            WriteError(new ErrorRecord(e, "ConversionFailed", ErrorCategory.InvalidData, item));
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _store?.Dispose();
        base.Dispose(disposing);
    }

    private void Count(TransferItemResult result, ExExportedItem? item, string? current, long bytes = 0)
    {
        _progress.Counters.Record(result, item?.SourceMailboxId ?? "", item?.SourceFolderPath, bytes);
        _progress.Show(current);
    }
}
