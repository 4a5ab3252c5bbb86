using System.Data.Common;
using System.Management.Automation;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Journal;
using MailboxImportExport.Engine.Models;
using MailboxImportExport.Engine.Transfer;

namespace MailboxImportExport.Commands;

/// <summary>
/// Checks a finished copy item by item: every item its journal records as copied is exported from the source and
/// from the target, and the two must have the same content fingerprint; items the job did not copy are reported
/// too. Writes one object per difference (nothing when the copy is whole).
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "ExMailboxCopy", DefaultParameterSetName = JobNameSet)]
[OutputType(typeof(ExCopyDifference))]
public sealed class TestExMailboxCopyCommand : ExJobCmdlet
{
    /// <summary>Only the pairs copying from this mailbox (id).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("SourceMailboxId")]
    public string? SourceMailbox { get; set; }

    /// <summary>Only the pairs copying into this mailbox (id).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("TargetMailboxId")]
    public string? TargetMailbox { get; set; }

    protected override void ProcessRecord()
    {
        var connection = RequireConnection();
        var path = ExistingJobJournalPath();
        IReadOnlyList<JournalItem> rows;
        try
        {
            rows = JournalReader.ReadItems(path)
                .Where(r => r.State != JournalItemState.Deleted)
                .Where(r => SourceMailbox is null || string.Equals(r.SourceMailboxId, SourceMailbox, StringComparison.OrdinalIgnoreCase))
                .Where(r => TargetMailbox is null || string.Equals(r.TargetMailboxId, TargetMailbox, StringComparison.OrdinalIgnoreCase))
                .ToList();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or DbException)
        {
            WriteError(new ErrorRecord(e, "JournalUnreadable", ErrorCategory.ReadError, path));
            return;
        }
        var verifier = new CopyVerifier(connection.Client);
        var differences = 0;
        try
        {
            foreach (var difference in Stream(ct => verifier.VerifyAsync(rows, ct)))
            {
                differences++;
                WriteObject(difference);
                WriteProgress(new ProgressRecord(1, "Verifying the copy", $"{verifier.Checked} of {rows.Count} items checked, {differences} differences")
                {
                    PercentComplete = rows.Count == 0 ? 100 : Math.Min(100, 100 * verifier.Checked / rows.Count),
                });
            }
        }
        catch (Exception e) when (IsServiceFailure(e))
        {
            WriteError(ErrorFor(e, "VerificationFailed", path));
        }
        WriteProgress(new ProgressRecord(1, "Verifying the copy", "Done") { RecordType = ProgressRecordType.Completed });
        Verbose($"Verified {verifier.Checked} item(s) of the job '{path}': {differences} difference(s).");
    }
}
