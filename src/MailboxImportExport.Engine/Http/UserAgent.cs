using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace MailboxImportExport.Engine.Http;

/// <summary>
/// The User-Agent every request carries: <c>MailboxImportExport/&lt;version&gt; (&lt;host&gt;; &lt;OS&gt;)</c>, so the
/// service's logs (and Microsoft support) can tell the module's calls, its version and where it ran.
/// </summary>
public static class UserAgent
{
    /// <summary>The module's version, as stamped into the engine assembly.</summary>
    public static string ProductVersion { get; } =
        typeof(UserAgent).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(UserAgent).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>For a host such as <c>PowerShell Core 7.6.9</c>; the runtime's description when none is given.</summary>
    public static string For(string? host) =>
        $"MailboxImportExport/{ProductVersion} ({Clean(host ?? RuntimeInformation.FrameworkDescription)}; {Clean(OperatingSystem())})";

    /// <summary>The OS name and version without build details: <c>Linux 6.8.0-1017-aws</c>, <c>Microsoft Windows 10.0.22631</c>.</summary>
    private static string OperatingSystem()
    {
        var description = RuntimeInformation.OSDescription;
        var hash = description.IndexOf('#');
        return hash > 0 ? description.Substring(0, hash) : description;
    }

    // A product comment may not hold parentheses of its own, nor control characters.
    private static string Clean(string text) => Regex.Replace(text, @"[()\\\p{C}]+", " ").Trim();
}
