namespace MailboxImportExport.Engine.Models;

public enum ExCopyDifferenceKind
{
    /// <summary>The journal records a copy, but the target does not have it.</summary>
    MissingInTarget,
    /// <summary>The source item is gone (deleted since it was copied).</summary>
    MissingAtSource,
    /// <summary>The copy's content fingerprint differs from the source's.</summary>
    ContentDiffers,
    /// <summary>The journal records the item as not copied (failed, pending or in doubt).</summary>
    NotCopied,
}

/// <summary>A difference Test-ExMailboxCopy found between a source item and its copy.</summary>
public sealed class ExCopyDifference
{
    public string SourceMailboxId { get; internal set; } = "";
    public string SourceItemId { get; internal set; } = "";
    public string TargetMailboxId { get; internal set; } = "";
    public string? TargetItemId { get; internal set; }
    public string? FolderPath { get; internal set; }
    public string? Subject { get; internal set; }
    public ExCopyDifferenceKind Difference { get; internal set; }
    /// <summary>Bytes of the stream exported from the source (0 when it could not be read).</summary>
    public long SourceLength { get; internal set; }
    /// <summary>Bytes of the stream exported from the copy (0 when it could not be read).</summary>
    public long TargetLength { get; internal set; }
    public string Detail { get; internal set; } = "";

    public override string ToString() => $"{Difference} {SourceItemId} '{Subject}': {Detail}";
}
