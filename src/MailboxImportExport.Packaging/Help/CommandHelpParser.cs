using System.Globalization;
using System.Text.RegularExpressions;

namespace MailboxImportExport.Packaging.Help;

/// <summary>
/// Reads one cmdlet's help markdown in the format platyPS 0.14 writes (<c>New-MarkdownHelp</c>, schema
/// 2.0.0), strictly: whatever platyPS's <c>New-ExternalHelp</c> would reject or silently mangle is an error
/// naming the file and line, so the docs stay switchable to real platyPS.
/// </summary>
public sealed class CommandHelpParser
{
    private const string ExternalHelpFileKey = "external help file";
    private const string ModuleNameKey = "Module Name";
    private const string OnlineVersionKey = "online version";
    private const string SchemaKey = "schema";
    private const string SupportedSchema = "2.0.0";
    private const string CommonParametersHeading = "CommonParameters";
    private const string DefaultSetSuffix = " (Default)";

    // The sections platyPS writes, in its order. All are required, even when empty (NOTES, RELATED LINKS).
    private static readonly string[] SectionOrder =
        ["SYNOPSIS", "SYNTAX", "DESCRIPTION", "EXAMPLES", "PARAMETERS", "INPUTS", "OUTPUTS", "NOTES", "RELATED LINKS"];

    private static readonly string[] RequiredYamlKeys =
        ["Type", "Parameter Sets", "Aliases", "Required", "Position", "Default value", "Accept pipeline input", "Accept wildcard characters"];

    private const string AcceptedValuesKey = "Accepted values";

    private static readonly Regex Placeholder = new(@"\{\{.*\}\}", RegexOptions.CultureInvariant);
    private static readonly Regex PipelineInput = new(@"^(False|True \((ByPropertyName|ByValue)(, (ByPropertyName|ByValue))?\))$", RegexOptions.CultureInvariant);
    private static readonly Regex MarkdownLink = new(@"^\[(?<text>[^\]]+)\]\((?<uri>[^)]*)\)$", RegexOptions.CultureInvariant);

    private readonly MarkdownDocument _document;

    private CommandHelpParser(MarkdownDocument document) => _document = document;

    public static CommandHelp ParseFile(string path) => Parse(File.ReadAllText(path), path);

    /// <param name="markdown">The markdown text.</param>
    /// <param name="sourcePath">Its file path: used in error messages and checked against the command name.</param>
    public static CommandHelp Parse(string markdown, string sourcePath) =>
        new CommandHelpParser(MarkdownDocument.Parse(markdown, sourcePath)).Parse();

    private sealed record Section(HeadingBlock Heading, IReadOnlyList<MarkdownBlock> Body);

    private CommandHelp Parse()
    {
        RejectPlaceholders();
        var frontMatter = _document.FrontMatter
            ?? throw _document.Error(1, $"missing the front matter block ('---', '{ExternalHelpFileKey}: ...', '{ModuleNameKey}: ...', '{SchemaKey}: {SupportedSchema}', '---').");
        var externalHelpFile = RequiredFrontMatter(frontMatter, ExternalHelpFileKey);
        var moduleName = RequiredFrontMatter(frontMatter, ModuleNameKey);
        var schema = RequiredFrontMatter(frontMatter, SchemaKey);
        if (schema != SupportedSchema)
        {
            throw _document.Error(1, $"front matter '{SchemaKey}: {schema}' is not supported; platyPS 0.14 markdown has '{SchemaKey}: {SupportedSchema}'.");
        }
        if (!externalHelpFile.EndsWith("-Help.xml", StringComparison.OrdinalIgnoreCase) || Path.GetFileName(externalHelpFile) != externalHelpFile)
        {
            throw _document.Error(1, $"front matter '{ExternalHelpFileKey}: {externalHelpFile}' must be a file name like '<Module>.dll-Help.xml'.");
        }
        frontMatter.TryGetValue(OnlineVersionKey, out var onlineVersion);

        var (title, sections) = ReadSections();
        var name = title.Text;
        var expectedName = Path.GetFileNameWithoutExtension(_document.SourcePath);
        if (!string.Equals(name, expectedName, StringComparison.OrdinalIgnoreCase))
        {
            throw _document.Error(title.Line, $"the title '# {name}' does not match the file name '{expectedName}.md'.");
        }

        var parameterSets = ReadSyntax(sections["SYNTAX"], name);
        return new CommandHelp(
            name,
            externalHelpFile,
            moduleName,
            string.IsNullOrEmpty(onlineVersion) ? null : onlineVersion,
            RequiredText(sections["SYNOPSIS"]),
            parameterSets,
            RequiredText(sections["DESCRIPTION"]),
            ReadExamples(sections["EXAMPLES"]),
            ReadParameters(sections["PARAMETERS"], parameterSets),
            ReadTypes(sections["INPUTS"]),
            ReadTypes(sections["OUTPUTS"]),
            Text(sections["NOTES"].Body, "## NOTES"),
            ReadLinks(sections["RELATED LINKS"], onlineVersion));
    }

    private void RejectPlaceholders()
    {
        foreach (var block in _document.Blocks)
        {
            IReadOnlyList<string> lines = block switch
            {
                HeadingBlock heading => [heading.Text],
                ParagraphBlock paragraph => paragraph.Lines,
                CodeBlock code => code.Lines,
                _ => [],
            };
            var placeholder = lines.Select(line => Placeholder.Match(line)).FirstOrDefault(match => match.Success);
            if (placeholder is not null)
            {
                throw _document.Error(block.Line, $"platyPS placeholder '{placeholder.Value}' is still in the text; write the real content.");
            }
        }
    }

    private string RequiredFrontMatter(IReadOnlyDictionary<string, string> frontMatter, string key) =>
        frontMatter.TryGetValue(key, out var value) && value.Length > 0
            ? value
            : throw _document.Error(1, $"front matter lacks '{key}: ...'.");

    private (HeadingBlock Title, Dictionary<string, Section> Sections) ReadSections()
    {
        var (beforeTitle, titles) = SplitAtHeadings(_document.Blocks, level: 1);
        if (titles.Count == 0)
        {
            throw _document.Error(1, "missing the '# Verb-Noun' title.");
        }
        RequireEmpty(beforeTitle, "the file", "# Verb-Noun");
        if (titles.Count > 1)
        {
            throw _document.Error(titles[1].Heading.Line, $"a second title '# {titles[1].Heading.Text}'; a command help file has one '# Verb-Noun' title.");
        }

        var title = titles[0];
        var (beforeSynopsis, found) = SplitAtHeadings(title.Body, level: 2);
        RequireEmpty(beforeSynopsis, $"# {title.Heading.Text}", "## SYNOPSIS");

        var sections = new Dictionary<string, Section>(StringComparer.OrdinalIgnoreCase);
        var previousIndex = -1;
        foreach (var section in found)
        {
            var name = section.Heading.Text.ToUpperInvariant();
            var index = Array.IndexOf(SectionOrder, name);
            if (index < 0)
            {
                throw _document.Error(section.Heading.Line, $"unexpected section '## {section.Heading.Text}'; platyPS sections are {string.Join(", ", SectionOrder.Select(s => "## " + s))}.");
            }
            if (!sections.TryAdd(name, section))
            {
                throw _document.Error(section.Heading.Line, $"section '## {name}' appears twice.");
            }
            if (index < previousIndex)
            {
                throw _document.Error(section.Heading.Line, $"section '## {name}' must come before '## {SectionOrder[previousIndex]}'.");
            }
            previousIndex = index;
        }

        for (var i = 0; i < SectionOrder.Length; i++)
        {
            if (!sections.ContainsKey(SectionOrder[i]))
            {
                // Point at the section the missing one should precede, where the writer will add it.
                var next = SectionOrder.Skip(i + 1).FirstOrDefault(sections.ContainsKey);
                var line = next is null ? _document.Blocks[^1].Line : sections[next].Heading.Line;
                throw _document.Error(line, $"missing section '## {SectionOrder[i]}'.");
            }
        }
        return (title.Heading, sections);
    }

    private List<ParameterSetHelp> ReadSyntax(Section syntax, string commandName)
    {
        var (preamble, sets) = SplitAtHeadings(syntax.Body, level: 3);
        if (sets.Count == 0)
        {
            // A command with one parameter set: platyPS writes the code block with no set heading.
            CheckSyntaxBlock(preamble, syntax.Heading, commandName);
            return [new ParameterSetHelp(ParameterSetHelp.AllParameterSets, IsDefault: true)];
        }

        RequireEmpty(preamble, "## SYNTAX", "### ParameterSetName");
        var result = new List<ParameterSetHelp>();
        foreach (var set in sets)
        {
            CheckSyntaxBlock(set.Body, set.Heading, commandName);
            var isDefault = set.Heading.Text.EndsWith(DefaultSetSuffix, StringComparison.Ordinal);
            var name = isDefault ? set.Heading.Text[..^DefaultSetSuffix.Length] : set.Heading.Text;
            if (result.Any(existing => existing.Name.Equals(name, StringComparison.OrdinalIgnoreCase)))
            {
                throw _document.Error(set.Heading.Line, $"parameter set '{name}' appears twice under ## SYNTAX.");
            }
            result.Add(new ParameterSetHelp(name, isDefault));
        }
        return result;
    }

    private void CheckSyntaxBlock(IReadOnlyList<MarkdownBlock> body, HeadingBlock heading, string commandName)
    {
        if (body is not [CodeBlock code])
        {
            throw _document.Error(heading.Line, $"'{Hashes(heading)} {heading.Text}' must hold exactly one ``` code block with the command's syntax line.");
        }
        var firstLine = code.Lines.Count > 0 ? code.Lines[0] : "";
        if (firstLine != commandName && !firstLine.StartsWith(commandName + " ", StringComparison.OrdinalIgnoreCase))
        {
            throw _document.Error(code.Line + 1, $"the syntax line must start with '{commandName}'.");
        }
    }

    private List<ExampleHelp> ReadExamples(Section examples)
    {
        var (preamble, entries) = SplitAtHeadings(examples.Body, level: 3);
        RequireEmpty(preamble, "## EXAMPLES", "### Example 1: what it shows");
        if (entries.Count == 0)
        {
            throw _document.Error(examples.Heading.Line, "## EXAMPLES has no '### Example 1: ...' entry.");
        }

        return entries.Select(example =>
        {
            var code = example.Body.OfType<CodeBlock>().ToList();
            if (code.Count == 0)
            {
                throw _document.Error(example.Heading.Line, $"example '{example.Heading.Text}' has no ```powershell code block.");
            }
            var remarks = Text(example.Body.Where(block => block is not CodeBlock), $"### {example.Heading.Text}");
            return new ExampleHelp(example.Heading.Text, string.Join("\n\n", code.Select(block => block.Text)), remarks);
        }).ToList();
    }

    private List<ParameterHelp> ReadParameters(Section parameters, IReadOnlyList<ParameterSetHelp> parameterSets)
    {
        var (preamble, entries) = SplitAtHeadings(parameters.Body, level: 3);
        RequireEmpty(preamble, "## PARAMETERS", "### -ParameterName");

        var result = new List<ParameterHelp>();
        foreach (var entry in entries)
        {
            var heading = entry.Heading;
            if (heading.Text == CommonParametersHeading)
            {
                // Boilerplate that Get-Help adds by itself: checked for shape, not carried into MAML.
                Text(entry.Body, $"### {CommonParametersHeading}");
                continue;
            }
            if (!heading.Text.StartsWith('-') || heading.Text.Length < 2 || heading.Text.Contains(' '))
            {
                throw _document.Error(heading.Line, $"'### {heading.Text}' is not a parameter heading; write '### -ParameterName' (or '### {CommonParametersHeading}').");
            }
            var name = heading.Text[1..];
            if (name.Equals("ProgressAction", StringComparison.OrdinalIgnoreCase))
            {
                throw _document.Error(heading.Line, "-ProgressAction is a common parameter that platyPS 0.14 adds by mistake on PowerShell 7.4+; delete this section (and it from ## SYNTAX).");
            }
            if (result.Any(existing => existing.Name.Equals(name, StringComparison.OrdinalIgnoreCase)))
            {
                throw _document.Error(heading.Line, $"parameter -{name} is documented twice.");
            }

            var descriptionBlocks = entry.Body.TakeWhile(block => block is not CodeBlock).ToList();
            var yamlBlocks = entry.Body.Skip(descriptionBlocks.Count).ToList();
            var description = Text(descriptionBlocks, heading.Text);
            if (description.Count == 0)
            {
                throw _document.Error(heading.Line, $"parameter -{name} has no description.");
            }
            if (yamlBlocks.Count == 0)
            {
                throw _document.Error(heading.Line, $"parameter -{name} has no ```yaml block (Type, Parameter Sets, Aliases, Required, Position, ...).");
            }
            var metadata = yamlBlocks.Select(block => block is CodeBlock { Language: "yaml" } yaml
                    ? ReadParameterMetadata(yaml, name, parameterSets)
                    : throw _document.Error(block.Line, $"after the ```yaml block of -{name} only further ```yaml blocks may follow; move text above it."))
                .ToList();
            CheckSetsCoveredOnce(metadata, name, yamlBlocks[^1].Line);
            result.Add(new ParameterHelp(name, description, metadata));
        }
        return result;
    }

    private ParameterMetadata ReadParameterMetadata(CodeBlock yaml, string parameterName, IReadOnlyList<ParameterSetHelp> parameterSets)
    {
        var values = new Dictionary<string, (string Value, int Line)>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < yaml.Lines.Count; i++)
        {
            var line = yaml.Lines[i];
            var lineNumber = yaml.Line + 1 + i;
            if (line.Trim().Length == 0)
            {
                continue;
            }
            var colon = line.IndexOf(':');
            var key = colon > 0 ? line[..colon].Trim() : "";
            if (!RequiredYamlKeys.Contains(key, StringComparer.OrdinalIgnoreCase) && !key.Equals(AcceptedValuesKey, StringComparison.OrdinalIgnoreCase))
            {
                throw _document.Error(lineNumber, $"'{line.Trim()}' in the ```yaml block of -{parameterName} is not one of the platyPS keys: {string.Join(", ", RequiredYamlKeys)}, {AcceptedValuesKey}.");
            }
            if (!values.TryAdd(key, (line[(colon + 1)..].Trim(), lineNumber)))
            {
                throw _document.Error(lineNumber, $"'{key}' appears twice in the ```yaml block of -{parameterName}.");
            }
        }
        var missing = RequiredYamlKeys.FirstOrDefault(key => !values.ContainsKey(key));
        if (missing is not null)
        {
            throw _document.Error(yaml.Line, $"the ```yaml block of -{parameterName} lacks '{missing}:'.");
        }

        var type = values["Type"];
        if (type.Value.Length == 0)
        {
            throw _document.Error(type.Line, $"-{parameterName} has an empty 'Type:'.");
        }
        return new ParameterMetadata(
            type.Value,
            ReadParameterSetNames(values["Parameter Sets"], parameterName, parameterSets),
            SplitList(values["Aliases"].Value),
            values.TryGetValue(AcceptedValuesKey, out var accepted) ? SplitList(accepted.Value) : [],
            ReadBoolean(values["Required"], parameterName),
            ReadPosition(values["Position"], parameterName),
            values["Default value"].Value.Length == 0 ? "None" : values["Default value"].Value,
            ReadPipelineInput(values["Accept pipeline input"], parameterName),
            ReadBoolean(values["Accept wildcard characters"], parameterName));
    }

    private List<string> ReadParameterSetNames((string Value, int Line) entry, string parameterName, IReadOnlyList<ParameterSetHelp> parameterSets)
    {
        if (entry.Value == "(All)")
        {
            return [];
        }
        var names = SplitList(entry.Value);
        if (names.Count == 0)
        {
            throw _document.Error(entry.Line, $"-{parameterName} has empty 'Parameter Sets:'; write '(All)' or set names from ## SYNTAX.");
        }
        var unknown = names.FirstOrDefault(name => !parameterSets.Any(set => set.Name.Equals(name, StringComparison.OrdinalIgnoreCase)));
        if (unknown is not null)
        {
            throw _document.Error(entry.Line, $"-{parameterName} names parameter set '{unknown}', which is not a '### {unknown}' heading under ## SYNTAX.");
        }
        return names;
    }

    private void CheckSetsCoveredOnce(IReadOnlyList<ParameterMetadata> metadata, string parameterName, int line)
    {
        if (metadata.Count > 1 && metadata.Any(m => m.AppliesToAllSets))
        {
            throw _document.Error(line, $"-{parameterName} has several ```yaml blocks but one says '(All)'; give each block its own parameter sets.");
        }
        var repeated = metadata.SelectMany(m => m.ParameterSets).GroupBy(set => set, StringComparer.OrdinalIgnoreCase).FirstOrDefault(group => group.Count() > 1);
        if (repeated is not null)
        {
            throw _document.Error(line, $"-{parameterName} describes parameter set '{repeated.Key}' in more than one ```yaml block.");
        }
    }

    private bool ReadBoolean((string Value, int Line) entry, string parameterName) =>
        bool.TryParse(entry.Value, out var value)
            ? value
            : throw _document.Error(entry.Line, $"-{parameterName}: '{entry.Value}' must be True or False.");

    private int? ReadPosition((string Value, int Line) entry, string parameterName)
    {
        if (entry.Value.Equals("Named", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        return int.TryParse(entry.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var position)
            ? position
            : throw _document.Error(entry.Line, $"-{parameterName}: 'Position: {entry.Value}' must be Named or a number.");
    }

    private string ReadPipelineInput((string Value, int Line) entry, string parameterName) =>
        PipelineInput.IsMatch(entry.Value)
            ? entry.Value
            : throw _document.Error(entry.Line, $"-{parameterName}: 'Accept pipeline input: {entry.Value}' must be False, True (ByValue), True (ByPropertyName) or True (ByPropertyName, ByValue).");

    private List<TypeHelp> ReadTypes(Section section)
    {
        var where = $"## {section.Heading.Text}";
        var (preamble, types) = SplitAtHeadings(section.Body, level: 3);
        RequireEmpty(preamble, where, "### TypeName");
        if (types.Count == 0)
        {
            throw _document.Error(section.Heading.Line, $"{where} lists no type; write '### None' when there is none.");
        }
        return types.Select(type => new TypeHelp(type.Heading.Text, Text(type.Body, $"### {type.Heading.Text}"))).ToList();
    }

    private List<LinkHelp> ReadLinks(Section section, string? onlineVersion)
    {
        var links = new List<LinkHelp>();
        // platyPS puts the online version first, which is where Get-Help -Online looks.
        if (!string.IsNullOrEmpty(onlineVersion))
        {
            links.Add(new LinkHelp("Online Version:", onlineVersion));
        }
        RequireOnlyText(section.Body, "## RELATED LINKS");
        foreach (var line in section.Body.OfType<ParagraphBlock>().SelectMany(paragraph => paragraph.Lines))
        {
            var link = MarkdownLink.Match(line);
            var text = link.Success ? link.Groups["text"].Value : line;
            var uri = link.Success ? link.Groups["uri"].Value : "";
            // Relative links (to sibling .md files) mean nothing to Get-Help; platyPS keeps only their text.
            links.Add(new LinkHelp(text, Uri.IsWellFormedUriString(uri, UriKind.Absolute) ? uri : ""));
        }
        return links;
    }

    private List<string> RequiredText(Section section)
    {
        var text = Text(section.Body, $"## {section.Heading.Text}");
        return text.Count > 0 ? text : throw _document.Error(section.Heading.Line, $"## {section.Heading.Text} is empty.");
    }

    /// <summary>The paragraphs of <paramref name="blocks"/>, which must hold nothing but paragraphs.</summary>
    private List<string> Text(IEnumerable<MarkdownBlock> blocks, string where)
    {
        var list = blocks.ToList();
        RequireOnlyText(list, where);
        return list.Cast<ParagraphBlock>().SelectMany(paragraph => paragraph.ToTextLines()).ToList();
    }

    private void RequireOnlyText(IEnumerable<MarkdownBlock> blocks, string where)
    {
        var other = blocks.FirstOrDefault(block => block is not ParagraphBlock);
        if (other is not null)
        {
            throw _document.Error(other.Line, $"{Describe(other)} is not allowed under {where}, which holds plain text only.");
        }
    }

    private void RequireEmpty(IReadOnlyList<MarkdownBlock> preamble, string where, string expectedHeading)
    {
        if (preamble.Count > 0)
        {
            throw _document.Error(preamble[0].Line, $"{Describe(preamble[0])} in {where} must come after a '{expectedHeading}' heading.");
        }
    }

    /// <summary>Splits blocks at the headings of one level: what comes before the first such heading, and
    /// each heading with the blocks up to the next.</summary>
    private static (List<MarkdownBlock> Preamble, List<Section> Sections) SplitAtHeadings(IReadOnlyList<MarkdownBlock> blocks, int level)
    {
        var preamble = new List<MarkdownBlock>();
        var sections = new List<(HeadingBlock Heading, List<MarkdownBlock> Body)>();
        foreach (var block in blocks)
        {
            if (block is HeadingBlock heading && heading.Level == level)
            {
                sections.Add((heading, []));
            }
            else
            {
                (sections.Count == 0 ? preamble : sections[^1].Body).Add(block);
            }
        }
        return (preamble, sections.Select(section => new Section(section.Heading, section.Body)).ToList());
    }

    private static List<string> SplitList(string value) =>
        value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();

    private static string Hashes(HeadingBlock heading) => new('#', heading.Level);

    private static string Describe(MarkdownBlock block) => block switch
    {
        HeadingBlock heading => $"the heading '{Hashes(heading)} {heading.Text}'",
        CodeBlock => "a ``` code block",
        _ => "text",
    };
}
