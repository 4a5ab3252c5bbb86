using System.Runtime.CompilerServices;
using MailboxImportExport.Engine.Journal;
using MailboxImportExport.Engine.Models;

namespace MailboxImportExport.Engine.Transfer;

/// <summary>
/// Checks a finished copy item by item against its journal: every source item recorded as copied is exported from
/// both sides, 20 to a call, and its copy must be there with the same content fingerprint (the content without
/// what the store sets anew on import). Items the journal could not copy are reported too.
/// </summary>
public sealed class CopyVerifier
{
    private readonly ExportService _export;

    public CopyVerifier(Http.GraphClient graph) => _export = new ExportService(graph);

    /// <summary>Items checked so far (for progress).</summary>
    public int Checked => Volatile.Read(ref _checked);

    private int _checked;

    public async IAsyncEnumerable<ExCopyDifference> VerifyAsync(IReadOnlyList<JournalItem> rows, [EnumeratorCancellation] CancellationToken ct)
    {
        foreach (var row in rows.Where(r => r.State is JournalItemState.Failed or JournalItemState.Pending or JournalItemState.Sending))
        {
            Interlocked.Increment(ref _checked);
            yield return Difference(row, ExCopyDifferenceKind.NotCopied, $"The journal records the item as {row.State}{(row.ErrorMessage is null ? "" : ": " + row.ErrorMessage)}.");
        }
        var copied = rows.Where(r => r.State == JournalItemState.Done && r.TargetItemId is not null).ToList();
        foreach (var pair in copied.GroupBy(r => (Source: r.SourceMailboxId.ToUpperInvariant(), Target: r.TargetMailboxId.ToUpperInvariant())))
        {
            var group = pair.ToList();
            for (var start = 0; start < group.Count; start += ExportService.MaxItemsPerCall)
            {
                var batch = group.Skip(start).Take(ExportService.MaxItemsPerCall).ToList();
                var sources = await ReadAsync(batch[0].SourceMailboxId, batch.Select(r => r.SourceItemId).ToList(), ct).ConfigureAwait(false);
                var targets = await ReadAsync(batch[0].TargetMailboxId, batch.Select(r => r.TargetItemId!).ToList(), ct).ConfigureAwait(false);
                foreach (var row in batch)
                {
                    Interlocked.Increment(ref _checked);
                    var source = sources[row.SourceItemId];
                    var target = targets[row.TargetItemId!];
                    if (source.Fingerprint is null)
                        yield return Difference(row, ExCopyDifferenceKind.MissingAtSource, $"The source item cannot be exported: {source.Error}.");
                    else if (target.Fingerprint is null)
                        yield return Difference(row, ExCopyDifferenceKind.MissingInTarget, $"The copy {row.TargetItemId} cannot be exported: {target.Error}.", source.Length);
                    else if (source.Fingerprint.ContentHash != target.Fingerprint.ContentHash)
                        yield return Difference(row, ExCopyDifferenceKind.ContentDiffers,
                            $"The copy's content differs from the source's ({source.Length:N0} bytes exported from the source, {target.Length:N0} from the copy).", source.Length, target.Length);
                }
            }
        }
    }

    private async Task<Dictionary<string, (ItemFingerprint? Fingerprint, long Length, string? Error)>> ReadAsync(string mailboxId, IReadOnlyList<string> ids, CancellationToken ct)
    {
        var read = new Dictionary<string, (ItemFingerprint?, long, string?)>(StringComparer.Ordinal);
        foreach (var result in await _export.ExportBatchAsync(mailboxId, ids.Distinct().ToList(), ct).ConfigureAwait(false))
        {
            if (result.Data is { } data)
                using (data) read[result.ItemId] = (ItemFingerprint.Of(data), data.Length, null);
            else
                read[result.ItemId] = (null, 0, $"{result.ErrorCode} {result.ErrorMessage}");
        }
        return read;
    }

    private static ExCopyDifference Difference(JournalItem row, ExCopyDifferenceKind kind, string detail, long sourceLength = 0, long targetLength = 0) => new()
    {
        SourceMailboxId = row.SourceMailboxId,
        SourceItemId = row.SourceItemId,
        TargetMailboxId = row.TargetMailboxId,
        TargetItemId = row.TargetItemId,
        FolderPath = row.SourceFolderPath,
        Subject = row.Subject,
        Difference = kind,
        SourceLength = sourceLength,
        TargetLength = targetLength,
        Detail = detail,
    };
}
