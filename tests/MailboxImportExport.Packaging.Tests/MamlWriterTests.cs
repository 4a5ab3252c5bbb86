using System.Xml.Linq;
using MailboxImportExport.Packaging.Help;
using static MailboxImportExport.Packaging.Help.MamlWriter;

namespace MailboxImportExport.Packaging.Tests;

public class MamlWriterTests
{
    private static readonly XDocument Document = ToMaml([CommandHelpParser.ParseFile(TestPaths.TestData("Get-SampleItem.md"))]);
    private static readonly XElement CommandElement = Document.Root!.Element(Command + "command")!;

    [Fact]
    public void Root_is_a_maml_help_items_element()
    {
        Assert.Equal(Msh + "helpItems", Document.Root!.Name);
        Assert.Equal("maml", (string?)Document.Root.Attribute("schema"));
        Assert.Single(Document.Root.Elements());
    }

    [Fact]
    public void Details_hold_name_verb_noun_and_synopsis()
    {
        var details = CommandElement.Element(Command + "details")!;

        Assert.Equal("Get-SampleItem", details.Element(Command + "name")!.Value);
        Assert.Equal("Get", details.Element(Command + "verb")!.Value);
        Assert.Equal("SampleItem", details.Element(Command + "noun")!.Value);
        Assert.Equal(["Gets sample items by id or by name."], Paragraphs(details.Element(Maml + "description")!));
    }

    [Fact]
    public void Description_is_one_para_per_paragraph_or_list_item()
    {
        var paragraphs = Paragraphs(CommandElement.Element(Maml + "description")!);

        Assert.Equal(4, paragraphs.Count);
        Assert.Equal("- one error per missing id", paragraphs[2]);
    }

    [Fact]
    public void Syntax_has_one_item_per_parameter_set_with_positional_parameters_first()
    {
        var items = CommandElement.Element(Command + "syntax")!.Elements(Command + "syntaxItem").ToList();

        Assert.Equal(2, items.Count);
        Assert.All(items, item => Assert.Equal("Get-SampleItem", item.Element(Maml + "name")!.Value));
        Assert.Equal(["Id", "Force", "Kind", "Limit"], ParameterNames(items[0]));
        Assert.Equal(["Name", "Limit", "Force", "Kind"], ParameterNames(items[1]));
    }

    [Fact]
    public void Syntax_parameters_carry_the_metadata_of_their_set()
    {
        var items = CommandElement.Element(Command + "syntax")!.Elements(Command + "syntaxItem").ToList();
        var limitById = Parameter(items[0], "Limit");
        var limitByName = Parameter(items[1], "Limit");

        Assert.Equal(("false", "named"), ((string)limitById.Attribute("required")!, (string)limitById.Attribute("position")!));
        Assert.Equal(("true", "1"), ((string)limitByName.Attribute("required")!, (string)limitByName.Attribute("position")!));
        Assert.Equal("100", limitById.Element(Dev + "defaultValue")!.Value);
    }

    [Fact]
    public void Parameter_attributes_carry_pipeline_input_aliases_and_globbing()
    {
        var parameters = CommandElement.Element(Command + "parameters")!;
        var id = Parameter(parameters, "Id");
        var name = Parameter(parameters, "Name");

        Assert.Equal("true", (string?)id.Attribute("required"));
        Assert.Equal("True (ByPropertyName, ByValue)", (string?)id.Attribute("pipelineInput"));
        Assert.Equal("0", (string?)id.Attribute("position"));
        Assert.Equal("Identity, ItemId", (string?)id.Attribute("aliases"));
        Assert.Equal("false", (string?)id.Attribute("globbing"));
        Assert.Equal("String[]", id.Element(Command + "parameterValue")!.Value);
        Assert.Equal("String[]", id.Element(Dev + "type")!.Element(Maml + "name")!.Value);
        Assert.Equal(["The ids of the items to get."], Paragraphs(id.Element(Maml + "description")!));

        Assert.Equal("true", (string?)name.Attribute("globbing"));
        Assert.Equal("none", (string?)name.Attribute("aliases"));
        Assert.Equal("False", (string?)name.Attribute("pipelineInput"));
    }

    [Fact]
    public void A_switch_shows_bare_in_syntax_and_defaults_to_False()
    {
        var inSyntax = Parameter(CommandElement.Element(Command + "syntax")!.Element(Command + "syntaxItem")!, "Force");
        var inParameters = Parameter(CommandElement.Element(Command + "parameters")!, "Force");

        Assert.Null(inSyntax.Element(Command + "parameterValue"));
        Assert.Equal("SwitchParameter", inParameters.Element(Command + "parameterValue")!.Value);
        Assert.Equal("false", (string?)inParameters.Element(Command + "parameterValue")!.Attribute("required"));
        Assert.Equal("False", inParameters.Element(Dev + "defaultValue")!.Value);
    }

    [Fact]
    public void Accepted_values_become_a_value_group_in_syntax()
    {
        var kind = Parameter(CommandElement.Element(Command + "syntax")!.Element(Command + "syntaxItem")!, "Kind");

        Assert.Equal(["Primary", "Archive"], kind.Element(Command + "parameterValueGroup")!.Elements(Command + "parameterValue").Select(v => v.Value));
    }

    [Fact]
    public void Inputs_outputs_and_notes_are_written()
    {
        var input = CommandElement.Element(Command + "inputTypes")!.Element(Command + "inputType")!;
        var output = CommandElement.Element(Command + "returnValues")!.Element(Command + "returnValue")!;

        Assert.Equal("System.String[]", input.Element(Dev + "type")!.Element(Maml + "name")!.Value);
        Assert.Equal(["Ids, by value or from an Id property."], Paragraphs(input.Element(Maml + "description")!));
        Assert.Equal("Sample.Module.Item", output.Element(Dev + "type")!.Element(Maml + "name")!.Value);
        Assert.Equal(["Items are cached for a minute."], Paragraphs(CommandElement.Element(Maml + "alertSet")!.Element(Maml + "alert")!));
    }

    [Fact]
    public void Examples_have_padded_titles_code_and_remarks()
    {
        var examples = CommandElement.Element(Command + "examples")!.Elements(Command + "example").ToList();

        Assert.Equal(2, examples.Count);
        var title = examples[0].Element(Maml + "title")!.Value;
        Assert.Equal(64, title.Length);
        Assert.Equal("Example 1: Get an item by id", title.Trim('-', ' '));
        Assert.Equal(@"PS C:\> Get-SampleItem -Id 42", examples[0].Element(Dev + "code")!.Value);
        Assert.Equal(["Gets the item whose id is 42."], Paragraphs(examples[0].Element(Dev + "remarks")!));
    }

    [Fact]
    public void Related_links_are_navigation_links()
    {
        var links = CommandElement.Element(Command + "relatedLinks")!.Elements(Maml + "navigationLink")
            .Select(link => (link.Element(Maml + "linkText")!.Value, link.Element(Maml + "uri")!.Value));

        Assert.Equal(
            [("Online Version:", "https://example.test/docs/Get-SampleItem"), ("about_Sample", ""), ("Sample store", "https://example.test/store")],
            links);
    }

    private static List<string> Paragraphs(XElement parent) => parent.Elements(Maml + "para").Select(p => p.Value).ToList();

    private static IEnumerable<string> ParameterNames(XElement parent) =>
        parent.Elements(Command + "parameter").Select(p => p.Element(Maml + "name")!.Value);

    private static XElement Parameter(XElement parent, string name) =>
        parent.Elements(Command + "parameter").Single(p => p.Element(Maml + "name")!.Value == name);
}
