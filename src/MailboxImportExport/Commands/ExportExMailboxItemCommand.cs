using System.Management.Automation;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Models;
using MailboxImportExport.Engine.Transfer;

namespace MailboxImportExport.Commands;

/// <summary>
/// Exports items in full fidelity (FastTransfer streams). Items are batched 20 to a call as they arrive, with a
/// few calls in flight per mailbox; each exported item comes out as soon as its batch returns, or with -Path is
/// written to a folder that a later Import-ExMailboxItem -Path reads.
/// </summary>
[Cmdlet(VerbsData.Export, "ExMailboxItem", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(ExExportedItem))]
public sealed class ExportExMailboxItemCommand : ExCmdlet
{
    private ExportBatcher? _batcher;
    private ExportStore? _store;
    private TransferProgress _progress = null!;

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string MailboxId { get; set; } = null!;

    /// <summary>Item ids: plain strings from the pipeline, or the Id of piped items.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    [ValidateNotNullOrEmpty]
    public string[] ItemId { get; set; } = null!;

    /// <summary>Carried into the exported item, so an import can recreate the folder structure.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? FolderId { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? FolderPath { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Type { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public long? Size { get; set; }

    /// <summary>A folder to write each item to, as a .fts file plus a line of manifest.jsonl, instead of emitting it.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>
    /// With -Path: what each item becomes. Fts (the default) keeps the full-fidelity stream that Import-ExMailboxItem
    /// reads; Msg writes Outlook files, Eml Internet mail files (other items as .msg), in a folder tree people can browse.
    /// </summary>
    [Parameter]
    public ExportFormat Format { get; set; } = ExportFormat.Fts;

    /// <summary>With -Path: replace an item already in the folder whose ChangeKey differs, instead of reporting a conflict.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void BeginProcessing()
    {
        var connection = RequireConnection();
        _progress = new TransferProgress(this, "Exporting mailbox items", 1);
        if (Path is null && MyInvocation.BoundParameters.ContainsKey(nameof(Format)))
            ThrowInvalidCombination("FormatWithoutPath", "-Format says what the files in an export folder are: it goes with -Path.");
        if (Path is not null)
        {
            var folder = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
            if (!ShouldProcess(folder, "Write exported items to folder")) return;
            try
            {
                _store = ExportStore.Open(folder, Format);
            }
            catch (ExportFormatMismatchException e)
            {
                ThrowTerminatingError(new ErrorRecord(e, "ExportFormatMismatch", ErrorCategory.InvalidArgument, folder)
                {
                    ErrorDetails = new ErrorDetails(e.Message) { RecommendedAction = "Export into another folder, or use the format the folder already holds." },
                });
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Only a sharing violation means another export holds the folder; anything else is the path itself.
                var busy = e is IOException && e.GetType() == typeof(IOException) && Directory.Exists(folder);
                ThrowTerminatingError(new ErrorRecord(e, busy ? "ExportFolderBusy" : "ExportFolderUnavailable",
                    busy ? ErrorCategory.ResourceBusy : ErrorCategory.WriteError, folder)
                {
                    ErrorDetails = new ErrorDetails(e.Message)
                    {
                        RecommendedAction = busy
                            ? "Another export is writing to this folder; wait for it or choose another folder."
                            : "Give a folder path you can write to.",
                    },
                });
            }
        }
        else if (!ShouldProcess("the pipeline", "Export items")) return;
        _batcher = new ExportBatcher(new ExportService(connection.Client), cancellationToken: StopToken);
    }

    protected override void ProcessRecord()
    {
        if (_batcher is null) return;
        if (ResolveMailboxIdOrWriteError(MailboxId) is not { } mailboxId) return;
        foreach (var id in ItemId)
        {
            var request = new ExportRequest(mailboxId, id) { FolderId = FolderId, FolderPath = FolderPath, Type = Type, Size = Size };
            Await(ct => _batcher.AddAsync(request, ct));
            WriteFinished();
        }
    }

    protected override void EndProcessing()
    {
        if (_batcher is null) return;
        // Sends the last partial batches and waits for every call; what finished meanwhile is written after.
        Await(ct => _batcher.CompleteAsync(ct));
        while (Await(ct => _batcher.WaitForOutcomeAsync(ct))) WriteFinished();
        _progress.Complete();
        Verbose($"Export: {_progress.Summary}");
    }

    private void WriteFinished()
    {
        while (_batcher!.TryTake(out var outcome))
        {
            if (!outcome.Succeeded)
            {
                _progress.Failure(outcome.Request.ToString());
                WriteError(ExportError(outcome));
                continue;
            }
            var item = outcome.Item!;
            if (_store is null)
            {
                _progress.Success(item.Data.Length, item.ToString());
                WriteObject(item);
                continue;
            }
            using (item.Data) Store(item);
        }
    }

    private void Store(ExExportedItem item)
    {
        try
        {
            var result = _store!.Write(item, Force);
            if (result == ExportStoreWriteResult.Skipped)
            {
                _progress.Skip(item.ToString());
                Verbose($"Skipped {item}: already in the folder with the same ChangeKey.");
            }
            else
            {
                _progress.Success(item.Data.Length, item.ToString());
                Verbose($"{result} {item} in {_store.Directory}.");
            }
        }
        catch (ExportStoreConflictException e)
        {
            _progress.Failure(item.ToString());
            WriteError(new ErrorRecord(e, "ExportConflict", ErrorCategory.ResourceExists, item)
            {
                ErrorDetails = new ErrorDetails(e.Message) { RecommendedAction = "The item changed since it was written to this folder. Use -Force to replace it, or export to another folder." },
            });
        }
        catch (IOException e)
        {
            _progress.Failure(item.ToString());
            WriteError(new ErrorRecord(e, "ExportWriteFailed", ErrorCategory.WriteError, item));
        }
        catch (InvalidDataException e)
        {
            _progress.Failure(item.ToString());
            WriteError(new ErrorRecord(e, "ConversionFailed", ErrorCategory.InvalidData, item)
            {
                ErrorDetails = new ErrorDetails(e.Message) { RecommendedAction = "Export that item with -Format Fts: the stream is kept as the service gave it." },
            });
        }
    }

    private static ErrorRecord ExportError(ExportOutcome outcome)
    {
        if (outcome.Exception is { } whole) return ErrorFor(whole, "ExportFailed", outcome.Request);
        var code = outcome.ErrorCode ?? "ExportFailed";
        var exception = new InvalidOperationException($"Item {outcome.Request.ItemId} of mailbox {outcome.Request.MailboxId} was not exported: {outcome.ErrorMessage} ({code}).");
        var category = code.IndexOf("NotFound", StringComparison.OrdinalIgnoreCase) >= 0 ? ErrorCategory.ObjectNotFound
            : code.IndexOf("Invalid", StringComparison.OrdinalIgnoreCase) >= 0 || code.IndexOf("Malformed", StringComparison.OrdinalIgnoreCase) >= 0 ? ErrorCategory.InvalidArgument
            : ErrorCategory.ReadError;
        return new ErrorRecord(exception, code, category, outcome.Request);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _batcher?.Dispose();
            _store?.Dispose();
        }
        base.Dispose(disposing);
    }
}
