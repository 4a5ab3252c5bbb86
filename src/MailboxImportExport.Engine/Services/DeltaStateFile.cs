using System.Text.Json;
using System.Text.Json.Serialization;

namespace MailboxImportExport.Engine.Services;

/// <summary>
/// Delta tokens kept in a file between scheduled runs, one per mailbox and folder (or folder tree), so one
/// file serves a whole job. Written atomically: a run that dies midway leaves the previous tokens intact.
/// </summary>
public sealed class DeltaStateFile
{
    private readonly string _path;
    private readonly State _state;

    private DeltaStateFile(string path, State state)
    {
        _path = path;
        _state = state;
    }

    public static DeltaStateFile Load(string path)
    {
        if (!File.Exists(path)) return new DeltaStateFile(path, new State());
        try
        {
            var state = JsonSerializer.Deserialize<State>(File.ReadAllText(path)) ?? new State();
            return new DeltaStateFile(path, state);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException(
                $"The delta state file '{path}' is not valid ({e.Message}). Delete it to start again with a full sync.", e);
        }
    }

    public static string FolderTreeKey(string mailboxId) => $"folders|{mailboxId}";
    public static string ItemsKey(string mailboxId, string folderId) => $"items|{mailboxId}|{folderId}";

    public string? Get(string key) => _state.Tokens.TryGetValue(key, out var entry) ? entry.DeltaToken : null;

    public void Set(string key, string? deltaToken)
    {
        if (deltaToken is null) _state.Tokens.Remove(key);
        else _state.Tokens[key] = new Entry { DeltaToken = deltaToken, Updated = DateTimeOffset.UtcNow };
        Save();
    }

    private void Save()
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(_path));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        var temp = _path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(_state, new JsonSerializerOptions { WriteIndented = true }));
        if (File.Exists(_path)) File.Replace(temp, _path, null);
        else File.Move(temp, _path);
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
