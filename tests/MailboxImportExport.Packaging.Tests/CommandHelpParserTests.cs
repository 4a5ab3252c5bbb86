using MailboxImportExport.Packaging.Help;

namespace MailboxImportExport.Packaging.Tests;

public class CommandHelpParserTests
{
    private static readonly CommandHelp Sample = CommandHelpParser.ParseFile(TestPaths.TestData("Get-SampleItem.md"));

    [Fact]
    public void Reads_front_matter_title_and_text_sections()
    {
        Assert.Equal("Get-SampleItem", Sample.Name);
        Assert.Equal("Sample.Module.dll-Help.xml", Sample.ExternalHelpFile);
        Assert.Equal("Sample.Module", Sample.ModuleName);
        Assert.Equal(["Gets sample items by id or by name."], Sample.Synopsis);
        // Wrapped source lines join into one paragraph; each list item stays its own.
        Assert.Equal(
            [
                "The Get-SampleItem cmdlet gets items from the sample store. It looks items up by id or by a name that may hold wildcards.",
                "Items that do not exist are reported as non-terminating errors:",
                "- one error per missing id",
                "- the other items still come out",
            ],
            Sample.Description);
        Assert.Equal(["Items are cached for a minute."], Sample.Notes);
    }

    [Fact]
    public void Reads_parameter_sets_from_syntax_headings()
    {
        Assert.Equal([new ParameterSetHelp("ById", true), new ParameterSetHelp("ByName", false)], Sample.ParameterSets);
    }

    [Fact]
    public void Reads_parameters_in_document_order_without_common_parameters()
    {
        Assert.Equal(["Force", "Id", "Kind", "Limit", "Name"], Sample.Parameters.Select(p => p.Name));

        var id = Sample.Parameters.Single(p => p.Name == "Id").Metadata.Single();
        Assert.Equal("String[]", id.Type);
        Assert.Equal(["ById"], id.ParameterSets);
        Assert.Equal(["Identity", "ItemId"], id.Aliases);
        Assert.True(id.Required);
        Assert.Equal(0, id.Position);
        Assert.Equal("True (ByPropertyName, ByValue)", id.PipelineInput);
        Assert.False(id.AcceptsWildcards);

        var kind = Sample.Parameters.Single(p => p.Name == "Kind").Metadata.Single();
        Assert.True(kind.AppliesToAllSets);
        Assert.Equal(["Primary", "Archive"], kind.AcceptedValues);
        Assert.Equal("Primary", kind.DefaultValue);
        Assert.Null(kind.Position);

        Assert.True(Sample.Parameters.Single(p => p.Name == "Force").Metadata.Single().IsSwitch);
        Assert.True(Sample.Parameters.Single(p => p.Name == "Name").Metadata.Single().AcceptsWildcards);
    }

    [Fact]
    public void A_parameter_with_one_yaml_block_per_set_differs_between_sets()
    {
        var limit = Sample.Parameters.Single(p => p.Name == "Limit");

        Assert.False(limit.MetadataFor("ById")!.Required);
        Assert.Null(limit.MetadataFor("ById")!.Position);
        Assert.True(limit.MetadataFor("ByName")!.Required);
        Assert.Equal(1, limit.MetadataFor("ByName")!.Position);
        Assert.Null(Sample.Parameters.Single(p => p.Name == "Name").MetadataFor("ById"));
    }

    [Fact]
    public void Reads_examples_inputs_outputs_and_links()
    {
        Assert.Equal(["Example 1: Get an item by id", "Example 2: Pipe ids"], Sample.Examples.Select(e => e.Title));
        Assert.Equal(@"PS C:\> '1', '2' | Get-SampleItem", Sample.Examples[1].Code);
        Assert.Equal(["Pipes two ids. Each one is looked up."], Sample.Examples[1].Remarks);

        Assert.Equal("System.String[]", Sample.Inputs.Single().TypeName);
        Assert.Equal(["Ids, by value or from an Id property."], Sample.Inputs.Single().Description);
        Assert.Equal("Sample.Module.Item", Sample.Outputs.Single().TypeName);

        // The online version comes first; a relative link to another markdown file keeps only its text.
        Assert.Equal(
            [
                new LinkHelp("Online Version:", "https://example.test/docs/Get-SampleItem"),
                new LinkHelp("about_Sample", ""),
                new LinkHelp("Sample store", "https://example.test/store"),
            ],
            Sample.RelatedLinks);
    }

    [Fact]
    public void A_command_with_one_unnamed_parameter_set_gets_the_all_sets_name()
    {
        var help = CommandHelpParser.Parse(MarkdownSamples.MinimalCommand, "Get-Thing.md");

        Assert.Equal([new ParameterSetHelp(ParameterSetHelp.AllParameterSets, true)], help.ParameterSets);
        Assert.Empty(help.Parameters);
        Assert.Equal("None", help.Inputs.Single().TypeName);
    }
}

internal static class MarkdownSamples
{
    public const string MinimalCommand = """
        ---
        external help file: Thing.dll-Help.xml
        Module Name: Thing
        online version:
        schema: 2.0.0
        ---

        # Get-Thing

        ## SYNOPSIS
        Gets the thing.

        ## SYNTAX

        ```
        Get-Thing [<CommonParameters>]
        ```

        ## DESCRIPTION
        Gets the one thing there is.

        ## EXAMPLES

        ### Example 1
        ```powershell
        Get-Thing
        ```

        ## PARAMETERS

        ### CommonParameters
        This cmdlet supports the common parameters.

        ## INPUTS

        ### None

        ## OUTPUTS

        ### Thing.Thing

        ## NOTES

        ## RELATED LINKS
        """;
}
