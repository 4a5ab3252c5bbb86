using System.Text;

namespace MailboxImportExport.Engine.Services;

/// <summary>
/// Folder paths as users write them: <c>/Inbox/Projects/2026</c>. A '/' inside a folder name is written
/// <c>\/</c> and a backslash <c>\\</c>, so every display name survives the round trip.
/// </summary>
public static class FolderPath
{
    public static string Child(string parentPath, string displayName) =>
        parentPath.TrimEnd('/') + "/" + displayName.Replace("\\", "\\\\").Replace("/", "\\/");

    public static IReadOnlyList<string> Split(string path)
    {
        if (path is null) throw new ArgumentNullException(nameof(path));
        var segments = new List<string>();
        var current = new StringBuilder();
        for (var i = 0; i < path.Length; i++)
        {
            var c = path[i];
            if (c == '\\' && i + 1 < path.Length && (path[i + 1] == '/' || path[i + 1] == '\\'))
            {
                current.Append(path[++i]);
            }
            else if (c == '/')
            {
                Flush();
            }
            else
            {
                current.Append(c);
            }
        }
        Flush();
        return segments;

        void Flush()
        {
            var segment = current.ToString().Trim();
            if (segment.Length > 0) segments.Add(segment);
            current.Clear();
        }
    }

    public static string Join(IEnumerable<string> segments) => segments.Aggregate("", Child);

    /// <summary>The path of the containing folder; empty for a top-level folder or an unknown path.</summary>
    public static string Parent(string path)
    {
        var segments = Split(path);
        return segments.Count <= 1 ? "" : Join(segments.Take(segments.Count - 1));
    }
}
