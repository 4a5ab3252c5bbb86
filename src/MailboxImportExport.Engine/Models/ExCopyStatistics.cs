namespace MailboxImportExport.Engine.Models;

/// <summary>
/// Where one mailbox pair of a copy job stands, read from its journal (Get-ExCopyStatistics): like
/// Get-MailboxExportRequestStatistics, at any time, also while the job runs in another process.
/// </summary>
public sealed class ExCopyStatistics
{
    public string JournalPath { get; internal set; } = "";
    public string SourceMailboxId { get; internal set; } = "";
    public string TargetMailboxId { get; internal set; } = "";
    // Not SourceMailbox/TargetMailbox: piped on, a property of the parameter's own name would bind before the ids.
    /// <summary>
    /// What Copy-ExMailbox was told the source was (its user principal name); null for a mailbox only ever given by id,
    /// or in a journal written before names were kept.
    /// </summary>
    public string? SourceName { get; internal set; }
    /// <summary>What Copy-ExMailbox was told the target was.</summary>
    public string? TargetName { get; internal set; }
    /// <summary>Running (another process holds the job), Completed, CompletedWithErrors, Stopped or NotStarted.</summary>
    public string Status { get; internal set; } = "";
    public int TotalItems { get; internal set; }
    /// <summary>Items whose target copy is up to date with the version last seen at the source.</summary>
    public int Copied { get; internal set; }
    public int Failed { get; internal set; }
    /// <summary>Seen and not yet sent.</summary>
    public int Pending { get; internal set; }
    /// <summary>Sent without a recorded outcome (the run was stopped mid-post): resolved before any re-send.</summary>
    public int InDoubt { get; internal set; }
    /// <summary>Deleted at the source, their target copies soft-deleted (-MirrorDeletion).</summary>
    public int Deleted { get; internal set; }
    public long BytesCopied { get; internal set; }
    public double PercentComplete { get; internal set; }
    public DateTimeOffset? LastRunStarted { get; internal set; }
    public DateTimeOffset? LastRunEnded { get; internal set; }
    public string? LastRunOutcome { get; internal set; }
    public int Runs { get; internal set; }
    /// <summary>What the job's latest run did (all its pairs together): counts, bytes, throttled time. Null before the first run.</summary>
    public ExCopyRun? LastRun { get; internal set; }
    /// <summary>Every run of the job, oldest first (with -IncludeReport).</summary>
    public IReadOnlyList<ExCopyRun> RunHistory { get; internal set; } = Array.Empty<ExCopyRun>();
    public IReadOnlyList<ExCopyFolderStatistics> Folders { get; internal set; } = Array.Empty<ExCopyFolderStatistics>();
    /// <summary>The failed items and their errors (with -IncludeReport).</summary>
    public IReadOnlyList<ExCopyFailedItem> FailedItems { get; internal set; } = Array.Empty<ExCopyFailedItem>();

    public override string ToString() => $"{SourceMailboxId} -> {TargetMailboxId}: {Copied}/{TotalItems} copied, {Failed} failed ({Status})";
}

/// <summary>One source folder of a pair, as the journal counts it.</summary>
public sealed class ExCopyFolderStatistics
{
    public string FolderPath { get; internal set; } = "";
    public int TotalItems { get; internal set; }
    public int Copied { get; internal set; }
    public int Failed { get; internal set; }
    public int Pending { get; internal set; }
    public long BytesCopied { get; internal set; }

    public override string ToString() => $"{FolderPath}: {Copied}/{TotalItems} copied, {Failed} failed";
}

/// <summary>An item that failed, with the last error.</summary>
public sealed class ExCopyFailedItem
{
    public string SourceMailboxId { get; internal set; } = "";
    public string SourceItemId { get; internal set; } = "";
    public string? FolderPath { get; internal set; }
    public string? Subject { get; internal set; }
    public long Size { get; internal set; }
    public int Attempts { get; internal set; }
    public string? ErrorCode { get; internal set; }
    public string? ErrorMessage { get; internal set; }
    public DateTimeOffset? LastAttempt { get; internal set; }

    public override string ToString() => $"{SourceItemId} '{Subject}': {ErrorCode} {ErrorMessage}";
}

/// <summary>One run of a copy job (a command, or a pipeline of commands, on its journal), as the journal records it.</summary>
public sealed class ExCopyRun
{
    public long RunId { get; internal set; }
    /// <summary>The command that started it: Copy-ExMailbox, Export-ExMailboxItem, Import-ExMailboxItem, Import-ExMailMessage.</summary>
    public string Command { get; internal set; } = "";
    public DateTimeOffset Started { get; internal set; }
    /// <summary>Null while it runs, or when its process was killed.</summary>
    public DateTimeOffset? Ended { get; internal set; }
    /// <summary>Completed, CompletedWithErrors, BadItemLimitExceeded, Stopped; null while it runs, or when its process was killed.</summary>
    public string? Outcome { get; internal set; }
    public int Copied { get; internal set; }
    public int Updated { get; internal set; }
    public int Skipped { get; internal set; }
    public int Failed { get; internal set; }
    public int Retried { get; internal set; }
    public long Bytes { get; internal set; }
    public TimeSpan ThrottledTime { get; internal set; }
    public TimeSpan? Duration => Ended - Started;

    public override string ToString() =>
        $"{Command} {Started:u}: {Outcome ?? "not ended"}, {Copied} copied, {Updated} updated, {Skipped} skipped, {Failed} failed, {Bytes:N0} bytes, throttled {ThrottledTime}";
}
