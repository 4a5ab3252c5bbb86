using System.Text.Json;
using System.Text.Json.Serialization;
using MailboxImportExport.Engine.Auth.TokenCache;
using MailboxImportExport.Engine.Models;

namespace MailboxImportExport.Engine.Attachments;

/// <summary>
/// An attachment upload session in progress: which file goes to which item, how far it got, and the upload URL.
/// The URL carries its own credential, so like an import session's it is internal: no public member exposes it and
/// <see cref="ToString"/> never shows it. A resume file keeps the session across processes (owner-only on Unix).
/// </summary>
public sealed class ExUploadSession
{
    private static readonly JsonSerializerOptions IndentedJson = new() { WriteIndented = true };

    internal ExUploadSession(AttachmentFile file, Uri uploadUrl, DateTimeOffset expirationDateTime)
    {
        File = file;
        UploadUrl = uploadUrl;
        ExpirationDateTime = expirationDateTime;
    }

    internal AttachmentFile File { get; }
    internal Uri UploadUrl { get; }

    public string UserId => File.UserId;
    public ExItemKind ItemKind => File.ItemKind;
    public string ItemId => File.ItemId;
    public string Name => File.Name;
    public long Size => File.Size;
    /// <summary>When the upload URL stops working; a session cannot be resumed after that.</summary>
    public DateTimeOffset ExpirationDateTime { get; }
    /// <summary>The offset the service expects next: the bytes before it are already there.</summary>
    public long NextExpectedOffset { get; internal set; }

    public override string ToString() =>
        $"Upload of {Name} to {ItemKind.ToString().ToLowerInvariant()} {ItemId}: {NextExpectedOffset:N0} of {Size:N0} bytes (expires {ExpirationDateTime:u})";

    /// <summary>Writes the session to <paramref name="path"/> (atomically, owner-only on Unix), so another process can resume it.</summary>
    internal void Save(string path)
    {
        var state = new State
        {
            UserId = UserId,
            ItemKind = ItemKind,
            ItemId = ItemId,
            Name = Name,
            Size = Size,
            ContentType = File.ContentType,
            IsInline = File.IsInline,
            ContentId = File.ContentId,
            SourcePath = File.SourcePath,
            SourceLastWriteUtc = File.SourceLastWriteUtc,
            UploadUrl = UploadUrl.AbsoluteUri,
            ExpirationDateTime = ExpirationDateTime,
            NextExpectedOffset = NextExpectedOffset,
        };
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        var temp = full + ".tmp";
        OwnerOnlyFile.Ensure(temp, createdDirectory: null);
        System.IO.File.WriteAllText(temp, JsonSerializer.Serialize(state, IndentedJson));
        if (System.IO.File.Exists(full)) System.IO.File.Replace(temp, full, null);
        else System.IO.File.Move(temp, full);
    }

    /// <summary>The session a resume file describes, or null when there is none.</summary>
    /// <exception cref="InvalidDataException">The file exists but is not a resume file.</exception>
    internal static ExUploadSession? Load(string path)
    {
        var full = Path.GetFullPath(path);
        if (!System.IO.File.Exists(full)) return null;
        State? state;
        try
        {
            state = JsonSerializer.Deserialize<State>(System.IO.File.ReadAllText(full));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{full}' is not an upload resume file ({e.Message}). Delete it, or give another -ResumeFile.", e);
        }
        if (state?.UploadUrl is null || !Uri.TryCreate(state.UploadUrl, UriKind.Absolute, out var url) || state.ItemId is null || state.Name is null || state.UserId is null)
            throw new InvalidDataException($"'{full}' is not an upload resume file: it lacks the session's URL, item or name. Delete it, or give another -ResumeFile.");
        var file = new AttachmentFile(state.UserId, state.ItemKind, state.ItemId, state.Name, state.Size, state.ContentType, state.IsInline, state.ContentId,
            state.SourcePath, state.SourceLastWriteUtc);
        return new ExUploadSession(file, url, state.ExpirationDateTime) { NextExpectedOffset = state.NextExpectedOffset };
    }

    private sealed class State
    {
        [JsonPropertyName("userId")] public string? UserId { get; set; }
        [JsonPropertyName("itemKind")] public ExItemKind ItemKind { get; set; }
        [JsonPropertyName("itemId")] public string? ItemId { get; set; }
        [JsonPropertyName("name")] public string? Name { get; set; }
        [JsonPropertyName("size")] public long Size { get; set; }
        [JsonPropertyName("contentType")] public string? ContentType { get; set; }
        [JsonPropertyName("isInline")] public bool IsInline { get; set; }
        [JsonPropertyName("contentId")] public string? ContentId { get; set; }
        [JsonPropertyName("sourcePath")] public string? SourcePath { get; set; }
        [JsonPropertyName("sourceLastWriteUtc")] public DateTime? SourceLastWriteUtc { get; set; }
        [JsonPropertyName("uploadUrl")] public string? UploadUrl { get; set; }
        [JsonPropertyName("expirationDateTime")] public DateTimeOffset ExpirationDateTime { get; set; }
        [JsonPropertyName("nextExpectedOffset")] public long NextExpectedOffset { get; set; }
    }
}

/// <summary>A file to attach: where it goes, what it is called and how big it is, and where its bytes come from.</summary>
internal sealed record AttachmentFile(
    string UserId,
    ExItemKind ItemKind,
    string ItemId,
    string Name,
    long Size,
    string? ContentType,
    bool IsInline,
    string? ContentId,
    string? SourcePath,
    DateTime? SourceLastWriteUtc)
{
    /// <summary>True when a resume file's session is for this same upload: same item, name, size and unchanged source file.</summary>
    public bool SameUploadAs(AttachmentFile other) =>
        string.Equals(UserId, other.UserId, StringComparison.OrdinalIgnoreCase) && ItemKind == other.ItemKind
        && string.Equals(ItemId, other.ItemId, StringComparison.Ordinal) && string.Equals(Name, other.Name, StringComparison.Ordinal)
        && Size == other.Size && SourceLastWriteUtc == other.SourceLastWriteUtc;
}
