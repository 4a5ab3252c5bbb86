using System.Management.Automation;
using MailboxImportExport.Engine.Journal;

namespace MailboxImportExport;

/// <summary>
/// Base of the cmdlets that work on a copy job: the job is named by its journal file (-JournalPath) or by a name
/// (-JobName), whose journal lives in the user's data folder.
/// </summary>
public abstract class ExJobCmdlet : ExCmdlet
{
    protected const string JournalPathSet = "JournalPath";
    protected const string JobNameSet = "JobName";

    /// <summary>The job's journal file.</summary>
    [Parameter(Mandatory = true, ParameterSetName = JournalPathSet)]
    [ValidateNotNullOrEmpty]
    public string JournalPath { get; set; } = null!;

    /// <summary>A named job: its journal is in the user's data folder (see about_MailboxImportExport).</summary>
    [Parameter(ParameterSetName = JobNameSet)]
    [ValidateNotNullOrEmpty]
    public string JobName { get; set; } = CopyJobs.DefaultJobName;

    /// <summary>The full path of the job's journal.</summary>
    protected string JobJournalPath()
    {
        if (ParameterSetName == JournalPathSet) return SessionState.Path.GetUnresolvedProviderPathFromPSPath(JournalPath);
        try
        {
            return CopyJobs.PathOf(JobName);
        }
        catch (ArgumentException e)
        {
            ThrowTerminatingError(new ErrorRecord(e, "JobNameInvalid", ErrorCategory.InvalidArgument, JobName));
            return null!;
        }
    }

    /// <summary>Stops with a clear error when the job has no journal yet.</summary>
    protected string ExistingJobJournalPath()
    {
        var path = JobJournalPath();
        if (!File.Exists(path))
            ThrowTerminatingError(new ErrorRecord(new FileNotFoundException($"There is no copy job at '{path}': no copy has run with this {(ParameterSetName == JournalPathSet ? "-JournalPath" : $"-JobName ('{JobName}')")} yet.", path),
                "JobNotFound", ErrorCategory.ObjectNotFound, path));
        return path;
    }
}
