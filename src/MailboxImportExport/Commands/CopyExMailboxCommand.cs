using System.Management.Automation;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Journal;
using MailboxImportExport.Engine.Models;
using MailboxImportExport.Engine.Services;
using MailboxImportExport.Engine.Transfer;

namespace MailboxImportExport.Commands;

/// <summary>
/// Copies a mailbox (or some of its folders) into another, as a job that can run again: its journal remembers what
/// was copied, so a re-run copies only what is new, updates what changed, retries what failed, and never makes a
/// second copy, even after a kill. Pairs can be piped in (a CSV of SourceMailbox,TargetMailbox,...) and run side by
/// side (-ThrottleLimit). Ends with one summary object, with a row per pair.
/// </summary>
[Cmdlet(VerbsCommon.Copy, "ExMailbox", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = JobNameSet)]
[OutputType(typeof(ExTransferSummary))]
public sealed class CopyExMailboxCommand : ExJobCmdlet
{
    private readonly List<MailboxCopyRequest> _pairs = new();
    private MailboxCopyRun? _run;
    private JournalRun? _journalRun;
    private readonly Dictionary<int, bool> _childShown = new();
    private DateTime _lastProgress;

    /// <summary>The mailbox to copy from: a user principal name (its primary mailbox) or a mailbox id.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("SourceMailboxId", "Source")]
    [ValidateNotNullOrEmpty]
    public string SourceMailbox { get; set; } = null!;

    /// <summary>The mailbox to copy into: a user principal name (its primary mailbox) or a mailbox id.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("TargetMailboxId", "Target")]
    [ValidateNotNullOrEmpty]
    public string TargetMailbox { get; set; } = null!;

    /// <summary>Where the source's folder tree goes; / (the default) merges it into the target's own folders.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string TargetRootPath { get; set; } = "/";

    /// <summary>Folders to copy: paths (wildcards allowed) or #WellKnownName#; '/*' at the end takes subfolders too.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("IncludeFolders")]
    public string[]? IncludeFolder { get; set; }

    /// <summary>Folders not to copy, written as for -IncludeFolder.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("ExcludeFolders")]
    public string[]? ExcludeFolder { get; set; }

    /// <summary>Only items created (received, for mail) at or after this time.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public DateTimeOffset? StartDate { get; set; }

    /// <summary>Only items created (received, for mail) before this time.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public DateTimeOffset? EndDate { get; set; }

    /// <summary>Also copy the Recoverable Items folders (deleted items kept for recovery) into their counterparts.</summary>
    [Parameter]
    public SwitchParameter IncludeRecoverableItems { get; set; }

    /// <summary>Soft-delete the target copies of items deleted at the source since they were copied.</summary>
    [Parameter]
    public SwitchParameter MirrorDeletion { get; set; }

    /// <summary>Stop a pair once more than this many of its items failed, as the Exchange request cmdlets do.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int? BadItemLimit { get; set; }

    /// <summary>How many mailbox pairs are copied side by side.</summary>
    [Parameter]
    [ValidateRange(1, 1000)]
    public int ThrottleLimit { get; set; } = 5;

    /// <summary>
    /// How long to wait after an import of unknown outcome before looking for it (a late commit lands meanwhile);
    /// by default the longer of 5 minutes and twice the request timeout.
    /// </summary>
    [Parameter]
    public TimeSpan? SettleDelay { get; set; }

    protected override void ProcessRecord()
    {
        var connection = RequireConnection();
        try
        {
            _pairs.Add(new MailboxCopyRequest(ResolveMailboxId(SourceMailbox), ResolveMailboxId(TargetMailbox))
            {
                SourceName = SourceMailbox,
                TargetName = TargetMailbox,
                TargetRootPath = TargetRootPath,
                IncludeFolders = IncludeFolder ?? Array.Empty<string>(),
                ExcludeFolders = ExcludeFolder ?? Array.Empty<string>(),
                StartDate = StartDate,
                EndDate = EndDate,
                IncludeRecoverableItems = IncludeRecoverableItems,
                MirrorDeletion = MirrorDeletion,
                BadItemLimit = BadItemLimit,
            });
        }
        catch (Exception e) when (IsServiceFailure(e) || e is ArgumentException)
        {
            WriteError(ErrorFor(e, "MailboxNotFound", $"{SourceMailbox} -> {TargetMailbox}"));
        }
    }

    protected override void EndProcessing()
    {
        if (_pairs.Count == 0) return;
        var connection = RequireConnection();
        var path = JobJournalPath();
        var approved = new List<MailboxCopyRequest>();
        foreach (var pair in _pairs)
        {
            if (IsWhatIf())
            {
                ShowPlan(connection.Client, path, pair);
                continue;
            }
            if (ShouldProcess($"{pair.SourceMailboxId} -> {pair.TargetMailboxId} under {pair.TargetRootPath}", "Copy mailbox content")) approved.Add(pair);
        }
        if (approved.Count == 0) return;

        _journalRun = JoinJournal(path, "Copy-ExMailbox");
        UseMeter(_journalRun.Counters.Meter);
        var options = new MailboxCopyOptions();
        if (SettleDelay is { } settle) options.Import.SettleDelay = settle;
        _run = new MailboxCopyRun(connection.Client, _journalRun.Journal, _journalRun.Counters, ThrottleLimit, options);
        Verbose($"Copying {approved.Count} mailbox pair(s), {Math.Min(ThrottleLimit, approved.Count)} at a time, with the journal '{_journalRun.Path}'.");
        Await(ct => _run.RunAsync(approved, ct));
        WriteFailures();
        CloseProgress();

        foreach (var pair in _run.Pairs.Where(p => p.Error is not null))
        {
            var error = pair.Error!;
            WriteError(error is BadItemLimitExceededException
                ? new ErrorRecord(error, "BadItemLimitExceeded", ErrorCategory.LimitsExceeded, pair.Request.ToString())
                {
                    ErrorDetails = new ErrorDetails(error.Message)
                    {
                        RecommendedAction = $"See the failed items with Get-ExCopyStatistics -JournalPath '{_journalRun.Path}' -IncludeReport; fix their cause or raise -BadItemLimit, then run the copy again.",
                    },
                }
                : ErrorFor(error, "CopyFailed", pair.Request.ToString()));
        }
        // The run's record in the journal gets the same outcome as the summary.
        var outcome = _run.Pairs.Any(p => p.Status == "BadItemLimitExceeded") ? "BadItemLimitExceeded"
            : _run.Pairs.Any(p => p.Status == "Failed") ? "CompletedWithErrors"
            : "Completed";
        _journalRun.Leave(outcome, out var summary);
        _journalRun = null;
        summary.Pairs = _run.PairSummaries();
        WriteObject(summary);
    }

    /// <summary>-WhatIf: what the copy would do in each folder, from a listing and the journal; nothing is exported or imported.</summary>
    private void ShowPlan(GraphClient client, string path, MailboxCopyRequest pair)
    {
        using var journal = ReadOnlyTransferJournal.Open(path);
        IReadOnlyList<CopyFolderPlan> plans;
        try
        {
            plans = Await(ct => new MailboxCopier(client, journal).PlanAsync(pair, ct));
        }
        catch (Exception e) when (IsServiceFailure(e))
        {
            WriteError(ErrorFor(e, "CopyPlanFailed", pair.ToString()));
            return;
        }
        foreach (var plan in plans)
        {
            var action = $"Copy {plan.ToCopy} item(s), update {plan.ToUpdate}, skip {plan.ToSkip} already copied" + (pair.MirrorDeletion ? $", delete {plan.ToDelete} copies of deleted items" : "");
            ShouldProcess($"{plan.FolderPath} of {plan.SourceMailboxId} -> {plan.TargetFolderPath} of {plan.TargetMailboxId}", action);
        }
    }

    /// <summary>One non-terminating error per item that could not be copied (it is retried on the next run).</summary>
    private void WriteFailures()
    {
        while (_run!.TryTakeFailure(out var failure))
        {
            var record = ErrorFor(failure.Error, failure.Code, failure.ToString());
            record.ErrorDetails = new ErrorDetails($"{failure} ('{failure.Subject}') was not copied to {failure.TargetMailboxId}: {failure.Error.Message}")
            {
                RecommendedAction = "The journal records it as failed: the next run of the copy tries it again.",
            };
            WriteError(record);
        }
    }

    protected override void OnWaiting()
    {
        if (_run is null || _journalRun is null) return;
        WriteFailures();
        if (DateTime.UtcNow - _lastProgress < TimeSpan.FromMilliseconds(250)) return;
        _lastProgress = DateTime.UtcNow;
        WriteProgress(TransferProgress.Record(_journalRun.Counters, 1, "Copying mailboxes", $"{_run.Pairs.Count(p => p.Status == "Running")} pair(s) running"));
        var pairs = _run.Pairs;
        for (var i = 0; i < pairs.Count; i++)
        {
            var pair = pairs[i];
            var id = 2 + i;
            if (pair.Status == "Running")
            {
                WriteProgress(TransferProgress.Record(pair.Counters, id, $"{pair.Request.SourceMailboxId} -> {pair.Request.TargetMailboxId}", pair.Status, parentId: 1));
                _childShown[id] = true;
            }
            else if (_childShown.Remove(id))
            {
                WriteProgress(new ProgressRecord(id, $"{pair.Request.SourceMailboxId} -> {pair.Request.TargetMailboxId}", pair.Status)
                    { RecordType = ProgressRecordType.Completed, ParentActivityId = 1 });
            }
        }
    }

    private void CloseProgress()
    {
        foreach (var id in _childShown.Keys.ToList())
            WriteProgress(new ProgressRecord(id, "Copying", "Done") { RecordType = ProgressRecordType.Completed, ParentActivityId = 1 });
        _childShown.Clear();
        WriteProgress(new ProgressRecord(1, "Copying mailboxes", "Done") { RecordType = ProgressRecordType.Completed });
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _journalRun?.Leave("Stopped", out _);
        base.Dispose(disposing);
    }
}
