using System.Text.Json;
using System.Text.Json.Serialization;

namespace MailboxImportExport.Engine.Services;

/// <summary>
/// Delta tokens kept in a file between scheduled runs, one per mailbox and folder (or folder tree), so one
/// file serves a whole job. Every update re-reads the file under a lock and changes only its own entry, so
/// commands sharing a file (in one pipeline, or in jobs running side by side) never drop each other's tokens;
/// and it is written atomically, so a run that dies midway leaves the previous tokens intact.
/// </summary>
public sealed class DeltaStateFile
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(30);
    private readonly string _path;

    private DeltaStateFile(string path) => _path = path;

    /// <summary>Opens (without creating) a state file, checking that an existing one is readable.</summary>
    public static DeltaStateFile Open(string path)
    {
        var file = new DeltaStateFile(Path.GetFullPath(path));
        file.Read();
        return file;
    }

    public static string FolderTreeKey(string mailboxId) => $"folders|{mailboxId}";
    public static string ItemsKey(string mailboxId, string folderId) => $"items|{mailboxId}|{folderId}";

    public string? Get(string key) => Read().Tokens.TryGetValue(key, out var entry) ? entry.DeltaToken : null;

    /// <summary>Records (or, with null, forgets) the token of one key, leaving every other key as it is on disk now.</summary>
    public void Set(string key, string? deltaToken)
    {
        using var _ = AcquireLock();
        var state = Read();
        if (deltaToken is null) state.Tokens.Remove(key);
        else state.Tokens[key] = new Entry { DeltaToken = deltaToken, Updated = DateTimeOffset.UtcNow };
        var temp = _path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(state, Indented));
        if (File.Exists(_path)) File.Replace(temp, _path, null);
        else File.Move(temp, _path);
    }

    private State Read()
    {
        if (!File.Exists(_path)) return new State();
        try
        {
            return JsonSerializer.Deserialize<State>(File.ReadAllText(_path)) ?? new State();
        }
        catch (JsonException e)
        {
            throw new InvalidDataException(
                $"The delta state file '{_path}' is not valid ({e.Message}). Delete it to start again with a full sync.", e);
        }
    }

    private IDisposable AcquireLock()
    {
        var directory = Path.GetDirectoryName(_path);
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        var deadline = DateTime.UtcNow + LockTimeout;
        while (true)
        {
            try
            {
                return new FileStream(_path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(50);
            }
        }
    }

    private sealed class State
    {
        [JsonPropertyName("version")] public int Version { get; set; } = 1;
        [JsonPropertyName("tokens")] public Dictionary<string, Entry> Tokens { get; set; } = new(StringComparer.Ordinal);
    }

    private sealed class Entry
    {
        [JsonPropertyName("deltaToken")] public string? DeltaToken { get; set; }
        [JsonPropertyName("updated")] public DateTimeOffset Updated { get; set; }
    }
}
