using System.Text.RegularExpressions;

namespace MailboxImportExport.Packaging.Layout;

/// <summary>CHANGELOG.md, in the Keep a Changelog format: the section of one version becomes the release notes of the
/// modules' manifests, so that the Gallery page and <c>Find-PSResource</c> say what the changelog says.</summary>
public static class ChangeLog
{
    public const string FileName = "CHANGELOG.md";

    // "## [0.1.0] - 2026-12-06", "## [0.1.0] - Unreleased", "## [0.1.0]".
    private static readonly Regex VersionHeading = new(
        @"^##[ \t]+\[(?<version>[^\]]+)\]", RegexOptions.CultureInvariant);

    // Keep a Changelog ends with link reference definitions ("[0.1.0]: https://..."): not part of any section's text.
    private static readonly Regex LinkDefinition = new(
        @"^\[[^\]]+\]:[ \t]", RegexOptions.CultureInvariant);

    /// <summary>The text under <c>## [<paramref name="version"/>]</c>, up to the next section, without the heading.</summary>
    /// <exception cref="PackagingException">No changelog, no section for the version, or an empty one.</exception>
    public static string ReleaseNotes(string changeLogPath, string version)
    {
        if (!File.Exists(changeLogPath))
        {
            throw new PackagingException($"{changeLogPath} not found: the modules' release notes come from its '## [{version}]' section.");
        }
        var lines = File.ReadAllLines(changeLogPath);
        var heading = Array.FindIndex(lines, line => VersionHeading.Match(line) is { Success: true } match && match.Groups["version"].Value == version);
        if (heading < 0)
        {
            throw new PackagingException($"{changeLogPath} has no section '## [{version}]': write the release notes of {version} under that heading (Keep a Changelog).");
        }
        var section = lines.Skip(heading + 1)
            .TakeWhile(line => !line.StartsWith("## ", StringComparison.Ordinal))
            .Where(line => !LinkDefinition.IsMatch(line));
        var notes = string.Join("\n", section).Trim();
        if (notes.Length == 0)
        {
            throw new PackagingException($"{changeLogPath}: the section '## [{version}]' is empty.");
        }
        return notes;
    }
}
