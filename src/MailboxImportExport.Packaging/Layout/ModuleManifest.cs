using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace MailboxImportExport.Packaging.Layout;

/// <summary>The version's single source (Directory.Build.props) and its stamping into the psd1.</summary>
public static class ModuleManifest
{
    // Only a top-level assignment at the start of a line; RequiredModules entries are written inline.
    private static readonly Regex ModuleVersionLine = new(
        @"^(?<assignment>[ \t]*ModuleVersion[ \t]*=[ \t]*)(?<quote>['""])[^'""\r\n]*\k<quote>",
        RegexOptions.Multiline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

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
}
