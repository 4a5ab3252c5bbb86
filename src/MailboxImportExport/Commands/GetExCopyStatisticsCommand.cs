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
    /// <summary>Only the pairs copying from this mailbox: its user principal name as the copy was given it, or its mailbox id.</summary>
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
        var wanted = SourceMailbox?.Trim();
        var matching = statistics.Where(p => wanted is null || string.Equals(p.SourceMailboxId, wanted, StringComparison.OrdinalIgnoreCase)
                                             || string.Equals(p.SourceName, wanted, StringComparison.OrdinalIgnoreCase)).ToList();
        if (wanted is not null && matching.Count == 0 && statistics.Count > 0 && !IsNamedInJob(path, wanted))
        {
            var sources = statistics.Select(p => p.SourceName is null ? p.SourceMailboxId : $"{p.SourceName} ({p.SourceMailboxId})").Distinct(StringComparer.OrdinalIgnoreCase);
            WriteError(new ErrorRecord(new ItemNotFoundException(
                    $"No pair of the job in '{path}' copies from '{wanted}'. Its sources are: {string.Join(", ", sources)}. " +
                    "Give one of those (the name Copy-ExMailbox was given, or the mailbox id), or leave -SourceMailbox out to see every pair."),
                "SourceMailboxNotInJob", ErrorCategory.ObjectNotFound, SourceMailbox));
        }
        foreach (var pair in matching) WriteObject(pair);
    }

    /// <summary>A mailbox Copy-ExMailbox named for the job (by id or name) whose pair has no item yet: nothing to report, no error.</summary>
    private static bool IsNamedInJob(string path, string mailbox)
    {
        try
        {
            return JournalReader.ReadMailboxNames(path).Any(n => string.Equals(n.Key, mailbox, StringComparison.OrdinalIgnoreCase) || string.Equals(n.Value, mailbox, StringComparison.OrdinalIgnoreCase));
        }
        catch (Exception e) when (e is IOException or DbException)
        {
            return false;
        }
    }
}
