using System.Management.Automation;
using MailboxImportExport.Engine.Journal;
using MailboxImportExport.Engine.Models;
using MailboxImportExport.Engine.Transfer;

namespace MailboxImportExport.Commands;

/// <summary>
/// Exports items in full fidelity (FastTransfer streams). Items are batched 20 to a call as they arrive (the
/// engine's ExportBatcher); each exported item comes out as soon as its batch returns, or with -Path is written to a
/// folder that a later Import-ExMailboxItem -Path reads. An item the export folder (-Path) or the copy job's journal
/// (-JournalPath) already holds in the same version costs no export call.
/// </summary>
[Cmdlet(VerbsData.Export, "ExMailboxItem", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(ExExportedItem), typeof(ExTransferSummary))]
public sealed class ExportExMailboxItemCommand : ExCmdlet
{
    private ExportBatcher? _batcher;
    private ExportStore? _store;
    private JournalRun? _run;
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

    /// <summary>The item's version as listed: with -Path or -JournalPath an item already held in this version is not exported again.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? ChangeKey { get; set; }

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


    /// <summary>The copy job's journal (shared with Import-ExMailboxItem -JournalPath): items already copied in this version are skipped before export.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? JournalPath { get; set; }

    /// <summary>Export every item again, even one the folder or the journal holds in the same version; with -Path, replace what is stored.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void BeginProcessing()
    {
        var connection = RequireConnection();
        if (Path is null && MyInvocation.BoundParameters.ContainsKey(nameof(Format)))
            ThrowInvalidCombination("FormatWithoutPath", "-Format says what the files in an export folder are: it goes with -Path.");
        if (Path is not null)
        {
            var folder = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
            // -WhatIf guards what this command writes: the folder. Exporting to the pipeline writes nothing anywhere.
            if (!ShouldProcess(folder, "Write exported items to folder")) return;
            OpenStore(folder);
        }
        TransferCounters counters;
        if (JournalPath is not null)
        {
            _run = JoinJournal(JournalPath, "Export-ExMailboxItem");
            counters = _run.Counters;
        }
        else
        {
            counters = new TransferCounters();
        }
        UseMeter(counters.Meter);
        _progress = new TransferProgress(this, "Exporting mailbox items", 1, counters);
        _batcher = new ExportBatcher(new ExportService(connection.Client), cancellationToken: StopToken);
    }

    private void OpenStore(string folder)
    {
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

    protected override void ProcessRecord()
    {
        if (_batcher is null) return;
        if (ResolveMailboxIdOrWriteError(MailboxId) is not { } mailboxId) return;
        foreach (var id in ItemId)
        {
            if (string.IsNullOrWhiteSpace(id))
            {
                WriteError(new ErrorRecord(new ArgumentException("An item id is empty: pass the Id that Get-ExMailboxItem returns, or pipe its items."),
                    "ItemIdEmpty", ErrorCategory.InvalidArgument, id));
                continue;
            }
            var request = new ExportRequest(mailboxId, id) { FolderId = FolderId, FolderPath = FolderPath, Type = Type, Size = Size, ChangeKey = ChangeKey };
            if (!Force && IsHeldAlready(request))
            {
                _progress.Counters.Record(TransferItemResult.Skipped, mailboxId, FolderPath, 0);
                _progress.Show(request.ToString());
                continue;
            }
            Await(ct => _batcher.AddAsync(request, ct));
            WriteFinished();
        }
    }

    /// <summary>Decided before downloading: the folder holds this version intact, or the journal has it copied everywhere it goes.</summary>
    private bool IsHeldAlready(ExportRequest request)
    {
        if (request.ChangeKey is null) return false;
        if (_store is not null && _store.HasCurrent(request.MailboxId, request.ItemId, request.ChangeKey))
        {
            Verbose($"Skipped {request}: already in '{_store.Directory}' with ChangeKey {request.ChangeKey}.");
            return true;
        }
        if (_run is null) return false;
        var rows = _run.Journal.FindBySource(request.MailboxId, request.ItemId);
        if (rows.Count == 0 || !rows.All(r => r.State == JournalItemState.Done && r.SourceChangeKey == request.ChangeKey)) return false;
        Verbose($"Skipped {request}: the journal has it copied in this version.");
        return true;
    }

    protected override void EndProcessing()
    {
        if (_batcher is null) return;
        // Sends the last partial batches and waits for every call; what finished meanwhile is written after.
        Await(ct => _batcher.CompleteAsync(ct));
        while (Await(ct => _batcher.WaitForOutcomeAsync(ct))) WriteFinished();
        _progress.Complete();
        var status = _progress.Counters.Failed > 0 ? "CompletedWithErrors" : "Completed";
        var summary = _progress.Counters.Summary(status, JournalPath);
        Verbose($"Export: {summary}");
        if (_run is not null)
        {
            _run.Leave("Completed", out summary);
            _run = null;
        }
        // With -Path nothing else is written: the summary says what the folder now holds. Items sent down the
        // pipeline are the output otherwise; a summary among them would reach the next command as input.
        if (_store is not null) WriteObject(summary);
    }

    protected override void OnWaiting()
    {
        if (_batcher is null) return;
        WriteFinished();
        _progress.Show();
    }

    private void WriteFinished()
    {
        while (_batcher!.TryTake(out var outcome))
        {
            if (!outcome.Succeeded)
            {
                _progress.Counters.Record(TransferItemResult.Failed, outcome.Request.MailboxId, outcome.Request.FolderPath, 0);
                WriteError(ExportError(outcome));
                continue;
            }
            var item = outcome.Item!;
            if (_store is null)
            {
                // Counted as exported; the import (if any) counts what it copies.
                if (_run is null) _progress.Counters.Record(TransferItemResult.Copied, item.SourceMailboxId, item.SourceFolderPath, item.Data.Length);
                WriteObject(item);
            }
            else
            {
                using (item.Data) Store(item);
            }
            _progress.Show(item.ToString());
        }
    }

    private void Store(ExExportedItem item)
    {
        try
        {
            var result = _store!.Write(item, Force);
            _progress.Counters.Record(result switch
            {
                ExportStoreWriteResult.Skipped => TransferItemResult.Skipped,
                ExportStoreWriteResult.Replaced => TransferItemResult.Updated,
                _ => TransferItemResult.Copied,
            }, item.SourceMailboxId, item.SourceFolderPath, item.Data.Length);
            Verbose(result == ExportStoreWriteResult.Skipped ? $"Skipped {item}: already in the folder with the same ChangeKey." : $"{result} {item} in {_store.Directory}.");
        }
        catch (ExportStoreConflictException e)
        {
            _progress.Counters.Record(TransferItemResult.Failed, item.SourceMailboxId, item.SourceFolderPath, 0);
            WriteError(new ErrorRecord(e, "ExportConflict", ErrorCategory.ResourceExists, item)
            {
                ErrorDetails = new ErrorDetails(e.Message) { RecommendedAction = "The item changed since it was written to this folder. Use -Force to replace it, or export to another folder." },
            });
        }
        catch (IOException e)
        {
            _progress.Counters.Record(TransferItemResult.Failed, item.SourceMailboxId, item.SourceFolderPath, 0);
            WriteError(new ErrorRecord(e, "ExportWriteFailed", ErrorCategory.WriteError, item));
        }
        catch (InvalidDataException e)
        {
            _progress.Counters.Record(TransferItemResult.Failed, item.SourceMailboxId, item.SourceFolderPath, 0);
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
            _run?.Leave("Stopped", out _);
        }
        base.Dispose(disposing);
    }
}
