using System.Text;

namespace MailboxImportExport.Packaging.Help;

/// <summary>An about topic ready to ship: <see cref="FileName"/> is what Get-Help looks for.</summary>
public sealed record AboutTopic(string Name, string Text)
{
    public string FileName => Name + ".help.txt";
}

/// <summary>
/// Turns an about topic written in platyPS's about template into the plain-text layout of PowerShell's
/// own about_*.help.txt files, as platyPS's <c>New-ExternalHelp</c> does: "TOPIC" then the topic name;
/// level-1 headings in capitals at the margin; text wrapped to 80 columns and indented by four.
/// </summary>
public static class AboutTopicCompiler
{
    private const int Width = 80;
    private const string Indent = "    ";
    private static readonly string[] RequiredSections = ["SHORT DESCRIPTION", "LONG DESCRIPTION"];

    public static AboutTopic CompileFile(string path) => Compile(File.ReadAllText(path), path);

    /// <param name="markdown">The markdown: '# Title', then '## about_Name', then '# SHORT DESCRIPTION',
    /// '# LONG DESCRIPTION' and any further sections.</param>
    /// <param name="sourcePath">Its file path: used in error messages and checked against the topic name.</param>
    public static AboutTopic Compile(string markdown, string sourcePath)
    {
        var document = MarkdownDocument.Parse(markdown, sourcePath);
        var blocks = document.Blocks;
        if (blocks.Count < 2 || blocks[0] is not HeadingBlock { Level: 1 } || blocks[1] is not HeadingBlock { Level: 2 } nameHeading)
        {
            throw document.Error(blocks.Count > 0 ? blocks[0].Line : 1, "an about topic starts with '# Topic Title' followed by '## about_TopicName'.");
        }

        var name = nameHeading.Text;
        var expectedName = Path.GetFileNameWithoutExtension(sourcePath);
        if (!name.Equals(expectedName, StringComparison.OrdinalIgnoreCase))
        {
            throw document.Error(nameHeading.Line, $"the topic name '## {name}' does not match the file name '{expectedName}.md'.");
        }
        foreach (var required in RequiredSections)
        {
            if (!blocks.Any(block => block is HeadingBlock { Level: 1 } heading && heading.Text.Equals(required, StringComparison.OrdinalIgnoreCase)))
            {
                throw document.Error(nameHeading.Line, $"missing section '# {required}'.");
            }
        }

        var text = new StringBuilder();
        text.Append("TOPIC\n").Append(Indent).Append(name).Append("\n\n");
        foreach (var block in blocks.Skip(2))
        {
            switch (block)
            {
                case HeadingBlock { Level: 1 } heading:
                    text.Append(heading.Text.ToUpperInvariant()).Append('\n');
                    break;
                case HeadingBlock { Level: 2 } heading:
                    text.Append(heading.Text).Append('\n');
                    break;
                case HeadingBlock heading:
                    text.Append(Indent).Append(heading.Text.ToUpperInvariant()).Append('\n');
                    break;
                case ParagraphBlock paragraph:
                    foreach (var line in paragraph.ToTextLines())
                    {
                        AppendWrapped(text, line);
                    }
                    text.Append('\n');
                    break;
                case CodeBlock code:
                    foreach (var line in code.Lines)
                    {
                        text.Append(line.Length == 0 ? "" : Indent + line).Append('\n');
                    }
                    text.Append('\n');
                    break;
            }
        }
        return new AboutTopic(name, text.ToString());
    }

    /// <summary>Word-wraps one line of text; a list item's continuation lines hang under its text.</summary>
    private static void AppendWrapped(StringBuilder text, string line)
    {
        var hangingIndent = Indent + new string(' ', ParagraphBlock.ListMarkerLength(line));
        var current = new StringBuilder(Indent);
        var hasWords = false;
        foreach (var word in line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (hasWords && current.Length + 1 + word.Length > Width)
            {
                text.Append(current).Append('\n');
                current.Clear().Append(hangingIndent);
                hasWords = false;
            }
            current.Append(hasWords ? " " : "").Append(word);
            hasWords = true;
        }
        text.Append(current).Append('\n');
    }
}
