using System.Text;

namespace MailboxImportExport.Engine.Services;

/// <summary>
/// Folder paths as users write them: <c>/Inbox/Projects/2026</c>, or Exchange-style <c>Inbox\Projects\2026</c>.
/// Both '/' and a lone '\' separate folders; inside a name, '\/' is a '/' and '\\' a backslash, so every display name
/// survives the round trip. Names are kept exactly, spaces included: '/Inbox/ A ' names the folder " A ", not "A".
/// </summary>
public static class FolderPath
{
    /// <summary>The path of a child: <paramref name="parentPath"/> is empty (or "/") for the top, else a path this class wrote.</summary>
    public static string Child(string parentPath, string displayName) =>
        (parentPath == "/" ? "" : parentPath) + "/" + Escape(displayName);

    /// <summary>A display name as one path segment: '\' and '/' escaped.</summary>
    public static string Escape(string displayName) => displayName.Replace("\\", "\\\\").Replace("/", "\\/");

    /// <summary>The folder names of a path, unescaped; empty segments (a leading, trailing or doubled separator) are dropped.</summary>
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
            else if (c == '/' || c == '\\')
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
            if (current.Length > 0) segments.Add(current.ToString());
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
