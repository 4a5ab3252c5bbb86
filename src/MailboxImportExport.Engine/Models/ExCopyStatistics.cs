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
