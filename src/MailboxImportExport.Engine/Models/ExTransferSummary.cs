namespace MailboxImportExport.Engine.Models;

/// <summary>
/// What one run did, written at its end: by Export/Import-ExMailboxItem with a journal (or Export -Path) and by
/// Copy-ExMailbox, which adds a row per mailbox pair.
/// </summary>
public sealed class ExTransferSummary
{
    /// <summary>Completed, CompletedWithErrors, Stopped (Ctrl+C) or BadItemLimitExceeded.</summary>
    public string Status { get; internal set; } = "";
    /// <summary>Items created in the target (or written to the export folder).</summary>
    public int Copied { get; internal set; }
    /// <summary>Existing copies brought up to date with a changed source item.</summary>
    public int Updated { get; internal set; }
    /// <summary>Items whose copy was already up to date: neither exported nor imported.</summary>
    public int Skipped { get; internal set; }
    public int Failed { get; internal set; }
    /// <summary>Calls sent again after throttling, a transient failure or a resolved uncertain import.</summary>
    public int Retried { get; internal set; }
    /// <summary>Copies whose only other way out was that their post's outcome was unknown; found or re-sent once.</summary>
    public int Resolved { get; internal set; }
    public long Bytes { get; internal set; }
    public DateTimeOffset StartTime { get; internal set; }
    public DateTimeOffset EndTime { get; internal set; }
    public TimeSpan Duration => EndTime - StartTime;
    /// <summary>Time spent waiting on the service's limits (pacing and Retry-After).</summary>
    public TimeSpan ThrottledTime { get; internal set; }
    public double ItemsPerSecond => Duration.TotalSeconds > 0 ? Math.Round((Copied + Updated) / Duration.TotalSeconds, 1) : 0;
    public string? JournalPath { get; internal set; }
    public IReadOnlyList<ExTransferFolderSummary> Folders { get; internal set; } = Array.Empty<ExTransferFolderSummary>();
    /// <summary>Copy-ExMailbox: one row per mailbox pair.</summary>
    public IReadOnlyList<ExTransferPairSummary> Pairs { get; internal set; } = Array.Empty<ExTransferPairSummary>();

    public override string ToString() =>
        $"{Status}: {Copied} copied, {Updated} updated, {Skipped} skipped, {Failed} failed in {Duration.TotalSeconds:0.0} s";
}

/// <summary>One source folder's counts in a run.</summary>
public sealed class ExTransferFolderSummary
{
    public string SourceMailboxId { get; internal set; } = "";
    public string FolderPath { get; internal set; } = "";
    public int Copied { get; internal set; }
    public int Updated { get; internal set; }
    public int Skipped { get; internal set; }
    public int Failed { get; internal set; }
    public long Bytes { get; internal set; }

    public override string ToString() => $"{FolderPath}: {Copied} copied, {Updated} updated, {Skipped} skipped, {Failed} failed";
}

/// <summary>One mailbox pair's counts in a Copy-ExMailbox run.</summary>
public sealed class ExTransferPairSummary
{
    public string SourceMailboxId { get; internal set; } = "";
    public string TargetMailboxId { get; internal set; } = "";
    public string Status { get; internal set; } = "";
    public int Copied { get; internal set; }
    public int Updated { get; internal set; }
    public int Skipped { get; internal set; }
    public int Failed { get; internal set; }
    /// <summary>Target copies soft-deleted because their source item was deleted (-MirrorDeletion).</summary>
    public int Deleted { get; internal set; }
    public long Bytes { get; internal set; }
    public TimeSpan Duration { get; internal set; }
    public string? Error { get; internal set; }

    public override string ToString() => $"{SourceMailboxId} -> {TargetMailboxId}: {Status}, {Copied} copied, {Updated} updated, {Skipped} skipped, {Failed} failed";
}
