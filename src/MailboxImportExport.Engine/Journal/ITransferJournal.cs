using MailboxImportExport.Engine.Transfer;

namespace MailboxImportExport.Engine.Journal;

/// <summary>Where an item stands in a copy job.</summary>
public enum JournalItemState
{
    /// <summary>Seen, not yet sent.</summary>
    Pending,
    /// <summary>An import post was (or is being) sent and its outcome is not recorded: resolved before any re-send.</summary>
    Sending,
    /// <summary>The target holds a copy of this version (<see cref="JournalItem.TargetItemId"/>).</summary>
    Done,
    /// <summary>Failed for a reason that another try may not fix alone; tried again on the next run.</summary>
    Failed,
    /// <summary>Deleted at the source; its target copy was soft-deleted (-MirrorDeletion).</summary>
    Deleted,
}

/// <summary>One source item of a job, copied into one target mailbox: the journal's row.</summary>
public sealed class JournalItem
{
    public JournalItem(string sourceMailboxId, string sourceItemId, string targetMailboxId)
    {
        SourceMailboxId = sourceMailboxId;
        SourceItemId = sourceItemId;
        TargetMailboxId = targetMailboxId;
    }

    public string SourceMailboxId { get; }
    public string SourceItemId { get; }
    public string TargetMailboxId { get; }
    /// <summary>The source version last exported for this row (the one the target copy has once Done).</summary>
    public string? SourceChangeKey { get; set; }
    public long Size { get; set; }
    public string? SourceFolderId { get; set; }
    public string? SourceFolderPath { get; set; }
    public string? Subject { get; set; }
    public string? MessageClass { get; set; }
    public string? TargetFolderId { get; set; }
    public string? TargetItemId { get; set; }
    public string? TargetChangeKey { get; set; }
    public JournalItemState State { get; set; } = JournalItemState.Pending;
    /// <summary>The mode of the last import post: create or update.</summary>
    public ImportMode? Mode { get; set; }
    public int Attempts { get; set; }
    public string? ErrorCode { get; set; }
    public string? ErrorMessage { get; set; }
    /// <summary>SHA-256 of the stream last sent.</summary>
    public string? DataSha256 { get; set; }
    /// <summary>The content fingerprint of the stream last sent, to recognise the copy if its post's outcome was lost.</summary>
    public ItemFingerprint? Fingerprint { get; set; }
    /// <summary>When the last post was sent, in the service's time.</summary>
    public DateTimeOffset? SentAt { get; set; }
    public DateTimeOffset? UpdatedAt { get; internal set; }

    public override string ToString() => $"{State} {SourceItemId} of {SourceMailboxId} -> {TargetMailboxId}";
}

/// <summary>
/// A copy job's memory: one row per (source mailbox, source item, target mailbox), and one record per run. The
/// engine decides; the journal only stores, durably at every <see cref="Save"/> (a process killed at any instant
/// leaves it consistent). Narrow on purpose: SQLite backs it on one machine, a server database could back a job
/// spread over several.
/// </summary>
public interface ITransferJournal : IDisposable
{
    /// <summary>The file (or address) of the journal, for messages.</summary>
    string Location { get; }

    JournalItem? Find(string sourceMailboxId, string sourceItemId, string targetMailboxId);

    /// <summary>The rows of one source item, for every target it is copied to.</summary>
    IReadOnlyList<JournalItem> FindBySource(string sourceMailboxId, string sourceItemId);

    /// <summary>Every row of a mailbox pair (for -MirrorDeletion and -WhatIf).</summary>
    IReadOnlyList<JournalItem> ItemsOf(string sourceMailboxId, string targetMailboxId);

    /// <summary>Which of <paramref name="targetItemIds"/> are already the recorded copy of some source item.</summary>
    ISet<string> ClaimedAmong(string targetMailboxId, IReadOnlyCollection<string> targetItemIds);

    /// <summary>Writes the row (inserts or replaces it), durably, before returning.</summary>
    void Save(JournalItem item);

    /// <summary>Records a run's start; returns its id.</summary>
    long StartRun(string command, DateTimeOffset startedAt);

    /// <summary>Records how a run ended and what it did.</summary>
    void EndRun(long runId, JournalRunTotals totals);

    /// <summary>
    /// Records what the user called a mailbox (its user principal name), so the job can be read by that name without a
    /// connection to resolve it.
    /// </summary>
    void NameMailbox(string mailboxId, string name);
}

/// <summary>What a run did, as stored in the journal's run record.</summary>
public sealed class JournalRunTotals
{
    public DateTimeOffset EndedAt { get; set; }
    public string Outcome { get; set; } = "";
    public int Created { get; set; }
    public int Updated { get; set; }
    public int Skipped { get; set; }
    public int Failed { get; set; }
    public int Retried { get; set; }
    public long Bytes { get; set; }
    public TimeSpan ThrottledTime { get; set; }
}
