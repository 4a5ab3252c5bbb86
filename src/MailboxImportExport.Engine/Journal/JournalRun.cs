using MailboxImportExport.Engine.Models;
using MailboxImportExport.Engine.Transfer;

namespace MailboxImportExport.Engine.Journal;

/// <summary>
/// One run of a job, shared by the commands of one pipeline that name the same journal
/// (<c>Export-ExMailboxItem -JournalPath j | Import-ExMailboxItem -JournalPath j</c>): they count into one
/// <see cref="TransferCounters"/> and one run record, so the summary of the last to finish covers the items the
/// first skipped. Each command joins with <see cref="Join"/> and leaves once; the last to leave ends the run.
/// </summary>
public sealed class JournalRun
{
    private static readonly Dictionary<string, JournalRun> Active = new(StringComparer.Ordinal);

    private readonly long _runId;
    private int _participants;
    private string _worstOutcome = "Completed";

    private JournalRun(SqliteTransferJournal journal, string command)
    {
        Journal = journal;
        Counters = new TransferCounters();
        _runId = journal.StartRun(command, Counters.StartTime);
    }

    public ITransferJournal Journal { get; }
    public TransferCounters Counters { get; }
    public string Path => Journal.Location;

    /// <summary>Opens the journal (or joins the run this process already has on it).</summary>
    /// <exception cref="JournalBusyException">Another process runs the job.</exception>
    public static JournalRun Join(string path, string command)
    {
        var journal = SqliteTransferJournal.Open(path);
        lock (Active)
        {
            if (!Active.TryGetValue(journal.Location, out var run))
            {
                try
                {
                    run = new JournalRun(journal, command);
                }
                catch
                {
                    journal.Dispose();
                    throw;
                }
                Active.Add(journal.Location, run);
            }
            // Each participant's Open is matched by its Leave.
            run._participants++;
            return run;
        }
    }

    /// <summary>
    /// Leaves the run with how this participant ended (Completed, Stopped …). The last to leave records the run and
    /// gets the summary (true); the others get false.
    /// </summary>
    public bool Leave(string outcome, out ExTransferSummary summary)
    {
        lock (Active)
        {
            if (Rank(outcome) > Rank(_worstOutcome)) _worstOutcome = outcome;
            var last = --_participants == 0;
            var status = _worstOutcome == "Completed" && Counters.Failed > 0 ? "CompletedWithErrors" : _worstOutcome;
            summary = Counters.Summary(status, Path);
            if (last)
            {
                Active.Remove(Path);
                try
                {
                    Journal.EndRun(_runId, new JournalRunTotals
                    {
                        EndedAt = summary.EndTime,
                        Outcome = status,
                        Created = summary.Copied,
                        Updated = summary.Updated,
                        Skipped = summary.Skipped,
                        Failed = summary.Failed,
                        Retried = summary.Retried,
                        Bytes = summary.Bytes,
                        ThrottledTime = summary.ThrottledTime,
                    });
                }
                finally
                {
                    Journal.Dispose();
                }
            }
            else
            {
                Journal.Dispose();
            }
            return last;
        }
    }

    private static int Rank(string outcome) => outcome switch
    {
        "Completed" => 0,
        "Stopped" => 2,
        _ => 1,
    };
}
