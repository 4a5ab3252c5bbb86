using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace MailboxImportExport.Packaging.Layout;

/// <summary>The version's single source (Directory.Build.props) and the stamping of the version and the release notes
/// (from CHANGELOG.md) into a psd1.</summary>
public static class ModuleManifest
{
    // Only a top-level assignment at the start of a line; RequiredModules entries are written inline.
    private static readonly Regex ModuleVersionLine = new(
        @"^(?<assignment>[ \t]*ModuleVersion[ \t]*=[ \t]*)(?<quote>['""])[^'""\r\n]*\k<quote>",
        RegexOptions.Multiline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    // PrivateData.PSData's ReleaseNotes: a one-line string or a single-quoted here-string.
    private static readonly Regex ReleaseNotesValue = new(
        @"^(?<assignment>[ \t]*ReleaseNotes[ \t]*=[ \t]*)(?:'[^'\r\n]*'|@'\r?\n.*?\r?\n'@)",
        RegexOptions.Multiline | RegexOptions.Singleline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>The manifest text with its version and its release notes set.</summary>
    public static string Stamp(string manifestText, string version, string releaseNotes, string manifestPath) =>
        StampReleaseNotes(StampVersion(manifestText, version, manifestPath), releaseNotes, manifestPath);

    /// <summary>The &lt;ModuleVersion&gt; property of Directory.Build.props.</summary>
    public static string ReadVersion(string buildPropsPath)
    {
        if (!File.Exists(buildPropsPath))
        {
            throw new PackagingException($"Version source not found: {buildPropsPath}");
        }
        var value = XDocument.Load(buildPropsPath).Descendants().FirstOrDefault(element => element.Name.LocalName == "ModuleVersion")?.Value.Trim();
        if (string.IsNullOrEmpty(value))
        {
            throw new PackagingException($"{buildPropsPath} has no <ModuleVersion> property.");
        }
        // A psd1 ModuleVersion must parse as System.Version (no prerelease label: that goes in PrivateData).
        if (!Version.TryParse(value, out _))
        {
            throw new PackagingException($"{buildPropsPath}: <ModuleVersion>{value}</ModuleVersion> is not a version like 1.2.3.");
        }
        return value;
    }

    /// <summary>The manifest text with its one <c>ModuleVersion = '...'</c> line set to <paramref name="version"/>.</summary>
    public static string StampVersion(string manifestText, string version, string manifestPath)
    {
        var matches = ModuleVersionLine.Matches(manifestText);
        if (matches.Count != 1)
        {
            throw new PackagingException(
                $"{manifestPath}: expected exactly one line \"ModuleVersion = '...'\" to stamp the version into, found {matches.Count}.");
        }
        return ModuleVersionLine.Replace(manifestText, match => $"{match.Groups["assignment"].Value}'{version}'");
    }

    /// <summary>The manifest text with its one <c>ReleaseNotes = ...</c> value replaced by <paramref name="releaseNotes"/>,
    /// written as a single-quoted here-string (nothing in it is expanded).</summary>
    public static string StampReleaseNotes(string manifestText, string releaseNotes, string manifestPath)
    {
        var matches = ReleaseNotesValue.Matches(manifestText);
        if (matches.Count != 1)
        {
            throw new PackagingException(
                $"{manifestPath}: expected exactly one \"ReleaseNotes = '...'\" in PrivateData.PSData to stamp the release notes into, found {matches.Count}.");
        }
        var newLine = manifestText.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        var lines = releaseNotes.ReplaceLineEndings("\n").Split('\n');
        // A line starting with '@ would end the here-string early.
        if (lines.Any(line => line.StartsWith("'@", StringComparison.Ordinal)))
        {
            throw new PackagingException($"{manifestPath}: the release notes have a line starting with '@, which cannot stand in a here-string.");
        }
        var hereString = "@'" + newLine + string.Join(newLine, lines) + newLine + "'@";
        return ReleaseNotesValue.Replace(manifestText, match => match.Groups["assignment"].Value + hereString);
    }
}
