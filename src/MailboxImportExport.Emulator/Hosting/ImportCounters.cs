namespace MailboxImportExport.Emulator.Hosting;

/// <summary>Items that imports created and overwrote, per folder: what an exactly-once test counts commits with.</summary>
internal sealed class ImportCounters
{
    private readonly Dictionary<string, int> _created = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _updated = new(StringComparer.Ordinal);

    public void Committed(string folderId, bool created)
    {
        lock (_created)
        {
            var counts = created ? _created : _updated;
            counts[folderId] = counts.GetValueOrDefault(folderId) + 1;
        }
    }

    public (IReadOnlyDictionary<string, int> Created, IReadOnlyDictionary<string, int> Updated) Snapshot()
    {
        lock (_created) return (new Dictionary<string, int>(_created), new Dictionary<string, int>(_updated));
    }

    public void Reset()
    {
        lock (_created)
        {
            _created.Clear();
            _updated.Clear();
        }
    }
}
