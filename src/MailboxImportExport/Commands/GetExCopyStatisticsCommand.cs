using System.Data.Common;
using System.Management.Automation;
using MailboxImportExport.Engine.Journal;
using MailboxImportExport.Engine.Models;

namespace MailboxImportExport.Commands;

/// <summary>
/// Where a copy job stands, per mailbox pair and folder, read from its journal at any time, also while the job runs
/// in another process (as Get-MailboxExportRequestStatistics does for Exchange's requests); -IncludeReport adds the
/// failed items and their errors. Needs no connection.
/// </summary>
[Cmdlet(VerbsCommon.Get, "ExCopyStatistics", DefaultParameterSetName = JobNameSet)]
[OutputType(typeof(ExCopyStatistics))]
public sealed class GetExCopyStatisticsCommand : ExJobCmdlet
{
    /// <summary>Only the pairs copying from this mailbox (id).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("SourceMailboxId")]
    public string? SourceMailbox { get; set; }

    /// <summary>List the failed items with their errors.</summary>
    [Parameter]
    public SwitchParameter IncludeReport { get; set; }

    protected override void ProcessRecord()
    {
        var path = ExistingJobJournalPath();
        IReadOnlyList<ExCopyStatistics> statistics;
        try
        {
            statistics = JournalReader.ReadStatistics(path, IncludeReport);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or DbException)
        {
            WriteError(new ErrorRecord(e, "JournalUnreadable", ErrorCategory.ReadError, path));
            return;
        }
        foreach (var pair in statistics)
            if (SourceMailbox is null || string.Equals(pair.SourceMailboxId, SourceMailbox, StringComparison.OrdinalIgnoreCase))
                WriteObject(pair);
    }
}
