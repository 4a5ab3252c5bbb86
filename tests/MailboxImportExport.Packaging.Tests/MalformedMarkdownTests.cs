using MailboxImportExport.Packaging.Help;

namespace MailboxImportExport.Packaging.Tests;

/// <summary>Each case breaks the sample doc in one way and expects an error naming the file and the line.</summary>
public class MalformedMarkdownTests
{
    private const string SampleFile = "Get-SampleItem.md";
    private static readonly string Sample = File.ReadAllText(TestPaths.TestData(SampleFile)).ReplaceLineEndings("\n");

    public static TheoryData<string, string, string, string, string> Cases => new()
    {
        // name, find, replace with, expected message part, text on the expected line (in the broken doc)
        { "no front matter", "---\nexternal help file: Sample.Module.dll-Help.xml\nModule Name: Sample.Module\nonline version: https://example.test/docs/Get-SampleItem\nschema: 2.0.0\n---\n", "", "missing the front matter", "" },
        { "wrong schema", "schema: 2.0.0", "schema: 1.0.0", "'schema: 1.0.0' is not supported", "---" },
        { "no help file", "external help file: Sample.Module.dll-Help.xml\n", "", "lacks 'external help file: ...'", "---" },
        { "title differs from file", "# Get-SampleItem", "# Get-SampleThing", "does not match the file name 'Get-SampleItem.md'", "# Get-SampleThing" },
        { "missing section", "## NOTES\nItems are cached for a minute.\n\n", "", "missing section '## NOTES'", "## RELATED LINKS" },
        { "unknown section", "## EXAMPLES", "## SAMPLES", "unexpected section '## SAMPLES'", "## SAMPLES" },
        { "sections out of order", "## NOTES\nItems are cached for a minute.\n\n## RELATED LINKS\n", "## RELATED LINKS\n\n## NOTES\nItems are cached for a minute.\n", "section '## NOTES' must come before '## RELATED LINKS'", "## NOTES" },
        { "empty synopsis", "## SYNOPSIS\nGets sample items by id or by name.\n", "## SYNOPSIS\n", "## SYNOPSIS is empty", "## SYNOPSIS" },
        { "syntax of another command", "Get-SampleItem [-Id]", "Get-Other [-Id]", "must start with 'Get-SampleItem'", "Get-Other [-Id]" },
        { "example without code", "```powershell\nPS C:\\> Get-SampleItem -Id 42\n```\n", "", "has no ```powershell code block", "### Example 1: Get an item by id" },
        { "parameter without yaml", "Gets hidden items too.\n\n```yaml\nType: SwitchParameter\nParameter Sets: (All)\nAliases:\n\nRequired: False\nPosition: Named\nDefault value: None\nAccept pipeline input: False\nAccept wildcard characters: False\n```\n", "Gets hidden items too.\n", "parameter -Force has no ```yaml block", "### -Force" },
        { "parameter without description", "### -Force\nGets hidden items too.\n", "### -Force\n", "parameter -Force has no description", "### -Force" },
        { "text after yaml", "Accept wildcard characters: False\n```\n\n### -Id", "Accept wildcard characters: False\n```\n\nAn afterthought.\n\n### -Id", "only further ```yaml blocks may follow", "An afterthought." },
        { "unknown yaml key", "Type: SwitchParameter\n", "Type: SwitchParameter\nMandatory: True\n", "'Mandatory: True' in the ```yaml block of -Force is not one of the platyPS keys", "Mandatory: True" },
        { "missing yaml key", "Type: SwitchParameter\n", "", "the ```yaml block of -Force lacks 'Type:'", "```yaml" },
        { "bad Required", "Required: True\nPosition: 0\nDefault value: None\nAccept pipeline input: True (ByPropertyName, ByValue)", "Required: Yes\nPosition: 0\nDefault value: None\nAccept pipeline input: True (ByPropertyName, ByValue)", "'Yes' must be True or False", "Required: Yes" },
        { "bad Position", "Position: 1", "Position: Second", "'Position: Second' must be Named or a number", "Position: Second" },
        { "bad pipeline input", "Accept pipeline input: True (ByPropertyName, ByValue)", "Accept pipeline input: Yes", "'Accept pipeline input: Yes' must be False", "Accept pipeline input: Yes" },
        { "unknown parameter set", "Parameter Sets: ByName\nAliases:\n\nRequired: True\nPosition: 0", "Parameter Sets: ByTitle\nAliases:\n\nRequired: True\nPosition: 0", "names parameter set 'ByTitle'", "Parameter Sets: ByTitle" },
        { "spurious ProgressAction", "### CommonParameters", "### -ProgressAction\nNew common parameter.\n\n```yaml\nType: ActionPreference\n```\n\n### CommonParameters", "-ProgressAction is a common parameter", "### -ProgressAction" },
        { "platyPS placeholder", "Gets the item whose id is 42.", "{{ Add example description here }}", "placeholder '{{ Add example description here }}'", "{{ Add example description here }}" },
        { "unclosed code fence", "## RELATED LINKS\n", "## RELATED LINKS\n\n```text\nnever closed\n", "code block is never closed", "```text" },
        { "no input type", "### System.String[]\nIds, by value or from an Id property.\n", "", "## INPUTS lists no type", "## INPUTS" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Broken_markdown_fails_with_file_line_and_reason(string name, string find, string replaceWith, string expectedProblem, string textOnExpectedLine)
    {
        Assert.True(Sample.Contains(find, StringComparison.Ordinal), $"case '{name}': the sample no longer contains the text to break");
        var broken = ReplaceFirst(Sample, find, replaceWith);

        var error = Assert.Throws<HelpFormatException>(() => CommandHelpParser.Parse(broken, SampleFile));

        Assert.Contains(expectedProblem, error.Problem);
        Assert.Equal(SampleFile, error.File);
        Assert.Equal(LineOf(broken, textOnExpectedLine), error.Line);
        Assert.StartsWith($"{SampleFile}({error.Line}): ", error.Message);
    }

    [Fact]
    public void The_unbroken_sample_parses()
    {
        Assert.Equal("Get-SampleItem", CommandHelpParser.Parse(Sample, SampleFile).Name);
    }

    private static string ReplaceFirst(string text, string find, string replaceWith)
    {
        var index = text.IndexOf(find, StringComparison.Ordinal);
        return text[..index] + replaceWith + text[(index + find.Length)..];
    }

    /// <summary>The 1-based line on which <paramref name="text"/> first starts a line; "" means line 1.</summary>
    private static int LineOf(string document, string text)
    {
        var lines = document.Split('\n');
        var index = Array.FindIndex(lines, line => line.StartsWith(text, StringComparison.Ordinal));
        Assert.True(index >= 0, $"'{text}' is not at the start of any line");
        return index + 1;
    }
}
