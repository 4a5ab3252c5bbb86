using System.Text;

namespace MailboxImportExport.Packaging.Help;

/// <summary>
/// Compiles a folder of platyPS markdown (docs/en-US) into what PowerShell loads from a module's culture
/// folder: the MAML file(s) named by the docs' front matter, and one about_*.help.txt per about topic.
/// The same job as platyPS's <c>New-ExternalHelp</c>, without PowerShell.
/// </summary>
public static class HelpCompiler
{
    private const string AboutPrefix = "about_";

    /// <summary>Compiles every *.md in <paramref name="docsFolder"/> into <paramref name="outputFolder"/>
    /// (created if needed) and returns the paths written. Nothing is written when any file is malformed.</summary>
    /// <exception cref="HelpFormatException">A markdown file is not in platyPS format.</exception>
    public static IReadOnlyList<string> CompileFolder(string docsFolder, string outputFolder)
    {
        if (!Directory.Exists(docsFolder))
        {
            throw new PackagingException($"Help folder not found: {docsFolder}");
        }
        var files = Directory.GetFiles(docsFolder, "*.md").Order(StringComparer.Ordinal).ToList();
        var aboutFiles = files.Where(IsAboutTopic).ToList();
        var commands = files.Except(aboutFiles).Select(CommandHelpParser.ParseFile).ToList();
        var topics = aboutFiles.Select(AboutTopicCompiler.CompileFile).ToList();

        var duplicate = commands.GroupBy(command => command.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(group => group.Count() > 1);
        if (duplicate is not null)
        {
            throw new PackagingException($"{docsFolder}: command {duplicate.Key} is documented in more than one file.");
        }

        Directory.CreateDirectory(outputFolder);
        var written = new List<string>();
        foreach (var helpFile in commands.GroupBy(command => command.ExternalHelpFile, StringComparer.OrdinalIgnoreCase))
        {
            var path = Path.Combine(outputFolder, helpFile.Key);
            MamlWriter.Save(MamlWriter.ToMaml(helpFile.OrderBy(command => command.Name, StringComparer.OrdinalIgnoreCase)), path);
            written.Add(path);
        }
        foreach (var topic in topics)
        {
            var path = Path.Combine(outputFolder, topic.FileName);
            File.WriteAllText(path, topic.Text, new UTF8Encoding(false));
            written.Add(path);
        }
        return written;
    }

    public static bool IsAboutTopic(string markdownPath) =>
        Path.GetFileName(markdownPath).StartsWith(AboutPrefix, StringComparison.OrdinalIgnoreCase);
}
