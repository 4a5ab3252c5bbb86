using System.Text.RegularExpressions;
using MailboxImportExport.Engine.Models;
using MailboxImportExport.Engine.Services;

namespace MailboxImportExport.Engine.Transfer;

/// <summary>
/// Which folders a copy takes, as the Exchange request cmdlets write it (-IncludeFolders/-ExcludeFolders):
/// a path (<c>/Projects/Alpha</c>, wildcards <c>*</c> and <c>?</c> allowed), or a well-known folder between hashes
/// (<c>#Inbox#</c>), which finds it whatever it is called in the mailbox's language; <c>/*</c> at the end takes the
/// folder's subfolders too. With no include, every folder is taken; an exclude wins over an include.
/// </summary>
public sealed class FolderSelection
{
    private readonly IReadOnlyList<string> _include;
    private readonly IReadOnlyList<string> _exclude;

    public FolderSelection(IEnumerable<string>? include = null, IEnumerable<string>? exclude = null)
    {
        _include = (include ?? Array.Empty<string>()).Where(p => !string.IsNullOrWhiteSpace(p)).ToList();
        _exclude = (exclude ?? Array.Empty<string>()).Where(p => !string.IsNullOrWhiteSpace(p)).ToList();
    }

    /// <summary>The folders of <paramref name="folders"/> (a whole mailbox's, with paths) the selection takes.</summary>
    public IReadOnlyList<ExMailboxFolder> Select(IReadOnlyList<ExMailboxFolder> folders, out IReadOnlyList<string> unmatched)
    {
        var wellKnownPaths = folders.Where(f => !string.IsNullOrEmpty(f.WellKnownName))
            .GroupBy(f => f.WellKnownName!, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First().Path, StringComparer.OrdinalIgnoreCase);
        var include = _include.Select(p => Pattern.Parse(p, wellKnownPaths)).ToList();
        var exclude = _exclude.Select(p => Pattern.Parse(p, wellKnownPaths)).ToList();
        var selected = folders.Where(f => (include.Count == 0 || include.Any(p => p.Matches(f.Path))) && !exclude.Any(p => p.Matches(f.Path))).ToList();
        unmatched = include.Concat(exclude).Where(p => !folders.Any(f => p.Matches(f.Path))).Select(p => p.Text).ToList();
        return selected;
    }

    private sealed class Pattern
    {
        private readonly Regex? _path;
        private readonly bool _subtree;

        private Pattern(string text, Regex? path, bool subtree)
        {
            Text = text;
            _path = path;
            _subtree = subtree;
        }

        public string Text { get; }

        public static Pattern Parse(string text, IReadOnlyDictionary<string, string> wellKnownPaths)
        {
            var trimmed = text.Trim();
            var subtree = trimmed.EndsWith("/*", StringComparison.Ordinal);
            var basePart = subtree ? trimmed.Substring(0, trimmed.Length - 2) : trimmed;
            string path;
            var wellKnown = Regex.Match(basePart, "^#(?<name>[^#]+)#(?<rest>.*)$");
            if (wellKnown.Success)
            {
                // A well-known folder the mailbox does not have matches nothing (and is reported).
                if (!wellKnownPaths.TryGetValue(wellKnown.Groups["name"].Value, out var found)) return new Pattern(text, null, subtree);
                path = found + wellKnown.Groups["rest"].Value;
            }
            else
            {
                path = basePart.StartsWith("/", StringComparison.Ordinal) ? basePart : "/" + basePart;
            }
            var normalized = FolderPath.Join(FolderPath.Split(path));
            var glob = "^" + Regex.Escape(normalized).Replace(@"\*", "[^/]*").Replace(@"\?", "[^/]") + "$";
            return new Pattern(text, new Regex(glob, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant), subtree);
        }

        public bool Matches(string folderPath)
        {
            if (_path is null || string.IsNullOrEmpty(folderPath)) return false;
            if (_path.IsMatch(folderPath)) return true;
            if (!_subtree) return false;
            // A subfolder matches when one of its ancestors does.
            var segments = FolderPath.Split(folderPath);
            for (var depth = segments.Count - 1; depth > 0; depth--)
                if (_path.IsMatch(FolderPath.Join(segments.Take(depth)))) return true;
            return false;
        }
    }
}
