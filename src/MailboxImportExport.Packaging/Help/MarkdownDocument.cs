using System.Text.RegularExpressions;

namespace MailboxImportExport.Packaging.Help;

/// <summary>A block of a help markdown file, with the 1-based line it starts on.</summary>
public abstract record MarkdownBlock(int Line);

public sealed record HeadingBlock(int Line, int Level, string Text) : MarkdownBlock(Line);

/// <summary>Consecutive non-blank lines, trimmed.</summary>
public sealed record ParagraphBlock(int Line, IReadOnlyList<string> Lines) : MarkdownBlock(Line)
{
    private static readonly Regex ListItemStart = new(@"^([-*+]|\d+\.)\s+", RegexOptions.CultureInvariant);

    /// <summary>The length of the list marker and its spaces ("- ", "2. ") at the start of a line, or 0.</summary>
    public static int ListMarkerLength(string line) => ListItemStart.Match(line).Length;

    /// <summary>The paragraph as help text: wrapped source lines joined with spaces, except that each
    /// list item starts a new entry, so lists survive in MAML paragraphs and about topics.</summary>
    public IReadOnlyList<string> ToTextLines()
    {
        var result = new List<string>();
        foreach (var line in Lines)
        {
            if (result.Count == 0 || ListMarkerLength(line) > 0)
            {
                result.Add(line);
            }
            else
            {
                result[^1] += " " + line;
            }
        }
        return result;
    }
}

/// <summary>A fenced code block: its info string (e.g. "yaml", "powershell", or empty) and its lines verbatim.</summary>
public sealed record CodeBlock(int Line, string Language, IReadOnlyList<string> Lines) : MarkdownBlock(Line)
{
    public string Text => string.Join("\n", Lines);
}

/// <summary>
/// The subset of markdown that platyPS 0.14 writes and reads: optional YAML front matter, ATX headings,
/// paragraphs and fenced code blocks. Everything else (tables, block quotes, HTML) is plain paragraph text.
/// </summary>
public sealed class MarkdownDocument
{
    private static readonly Regex Heading = new(@"^(?<hashes>#{1,6})\s+(?<text>.*?)\s*$", RegexOptions.CultureInvariant);
    private const string Fence = "```";
    private const string FrontMatterDelimiter = "---";

    private MarkdownDocument(string sourcePath, IReadOnlyDictionary<string, string>? frontMatter, IReadOnlyList<MarkdownBlock> blocks)
    {
        SourcePath = sourcePath;
        FrontMatter = frontMatter;
        Blocks = blocks;
    }

    /// <summary>The path used in error messages.</summary>
    public string SourcePath { get; }

    /// <summary>Front matter keys (case-insensitive) and values, or null when the file has none.</summary>
    public IReadOnlyDictionary<string, string>? FrontMatter { get; }

    public IReadOnlyList<MarkdownBlock> Blocks { get; }

    public HelpFormatException Error(int line, string problem) => new(SourcePath, line, problem);

    public static MarkdownDocument Parse(string markdown, string sourcePath)
    {
        var lines = markdown.Replace("\r\n", "\n").Split('\n');
        var index = 0;
        var frontMatter = ReadFrontMatter(lines, ref index, sourcePath);
        var blocks = new List<MarkdownBlock>();
        List<string>? paragraph = null;
        var paragraphLine = 0;

        void EndParagraph()
        {
            if (paragraph is not null)
            {
                blocks.Add(new ParagraphBlock(paragraphLine, paragraph));
                paragraph = null;
            }
        }

        for (; index < lines.Length; index++)
        {
            var line = lines[index];
            var lineNumber = index + 1;
            var trimmed = line.Trim();
            if (trimmed.StartsWith(Fence, StringComparison.Ordinal))
            {
                EndParagraph();
                var language = trimmed[Fence.Length..].Trim();
                var code = new List<string>();
                index++;
                while (index < lines.Length && lines[index].Trim() != Fence)
                {
                    code.Add(lines[index].TrimEnd());
                    index++;
                }
                if (index == lines.Length)
                {
                    throw new HelpFormatException(sourcePath, lineNumber, "code block is never closed with ```.");
                }
                blocks.Add(new CodeBlock(lineNumber, language, code));
                continue;
            }

            var heading = Heading.Match(line);
            if (heading.Success)
            {
                EndParagraph();
                blocks.Add(new HeadingBlock(lineNumber, heading.Groups["hashes"].Length, heading.Groups["text"].Value));
            }
            else if (trimmed.Length == 0)
            {
                EndParagraph();
            }
            else
            {
                if (paragraph is null)
                {
                    paragraph = new List<string>();
                    paragraphLine = lineNumber;
                }
                paragraph.Add(trimmed);
            }
        }
        EndParagraph();
        return new MarkdownDocument(sourcePath, frontMatter, blocks);
    }

    private static Dictionary<string, string>? ReadFrontMatter(string[] lines, ref int index, string sourcePath)
    {
        if (lines.Length == 0 || lines[0].Trim() != FrontMatterDelimiter)
        {
            return null;
        }

        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (index = 1; index < lines.Length; index++)
        {
            var line = lines[index].Trim();
            if (line == FrontMatterDelimiter)
            {
                index++;
                return values;
            }
            if (line.Length == 0)
            {
                continue;
            }
            var colon = line.IndexOf(':');
            if (colon <= 0)
            {
                throw new HelpFormatException(sourcePath, index + 1, $"front matter line '{line}' is not 'key: value'.");
            }
            values[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        throw new HelpFormatException(sourcePath, 1, "front matter is never closed with '---'.");
    }
}
