using MailboxImportExport.Packaging.Help;
using MailboxImportExport.Packaging.Layout;

namespace MailboxImportExport.Packaging.Tests;

/// <summary>The repository's docs/en-US: they compile, and they document exactly the cmdlets' parameters.</summary>
public class RepositoryDocsTests
{
    private static readonly Dictionary<string, CommandHelp> Commands = Directory.GetFiles(TestPaths.RepoDocs, "*.md")
        .Where(path => !HelpCompiler.IsAboutTopic(path))
        .Select(CommandHelpParser.ParseFile)
        .ToDictionary(command => command.Name);

    [Fact]
    public void Every_markdown_file_compiles_into_the_module_help_files()
    {
        using var output = new TempDirectory();

        var written = HelpCompiler.CompileFolder(TestPaths.RepoDocs, output.Path);

        Assert.Equal([ModuleLayout.MamlFileName, ModuleLayout.AboutFileName], written.Select(path => Path.GetFileName(path)));
        // about_*.help.txt files are read in consoles: nothing may run past 80 columns.
        Assert.All(File.ReadAllLines(written[1]), line => Assert.True(line.Length <= 80, $"longer than 80 columns: {line}"));
    }

    [Fact]
    public void The_four_cmdlets_are_documented_for_the_module()
    {
        Assert.Equal(["Connect-ExMailboxService", "Disconnect-ExMailboxService", "Get-ExConnection", "Get-ExMailbox"], Commands.Keys.Order());
        Assert.All(Commands.Values, command =>
        {
            Assert.Equal(ModuleLayout.MamlFileName, command.ExternalHelpFile);
            Assert.Equal(ModuleLayout.ModuleName, command.ModuleName);
            Assert.True(command.Examples.Count >= 2, $"{command.Name} has fewer than two examples");
            Assert.All(command.Examples, example => Assert.NotEmpty(example.Remarks));
            Assert.All(command.Inputs.Concat(command.Outputs), type => Assert.NotEmpty(type.Description));
        });
    }

    [Fact]
    public void Connect_ExMailboxService_has_the_Emulator_and_AccessToken_sets()
    {
        var connect = Commands["Connect-ExMailboxService"];

        Assert.Equal([new ParameterSetHelp("Emulator", true), new ParameterSetHelp("AccessToken", false)], connect.ParameterSets);
        AssertParameter(connect, "Emulator", "Emulator", "Uri", required: true);
        AssertParameter(connect, "Emulator", "TenantId", "String", required: false);
        AssertParameter(connect, "Emulator", "ClientId", "String", required: false);
        AssertParameter(connect, "Emulator", "ClientSecret", "SecureString", required: false);
        AssertParameter(connect, "AccessToken", "AccessToken", "SecureString", required: true);
        AssertParameter(connect, "AccessToken", "TenantId", "String", required: false);
        foreach (var set in new[] { "Emulator", "AccessToken" })
        {
            AssertParameter(connect, set, "ApiVersion", "String", required: false);
            AssertParameter(connect, set, "PassThru", "SwitchParameter", required: false);
        }
        Assert.Null(Parameter(connect, "ClientSecret").MetadataFor("AccessToken"));
        Assert.Null(Parameter(connect, "AccessToken").MetadataFor("Emulator"));
        Assert.Equal(["v1.0", "beta"], Parameter(connect, "ApiVersion").Metadata.Single().AcceptedValues);
        Assert.Equal(["None", "MailboxImportExport.Engine.Models.ExConnection"], connect.Outputs.Select(output => output.TypeName));
    }

    [Fact]
    public void Get_ExMailbox_takes_user_ids_from_the_pipeline_by_value_and_by_property_name()
    {
        var getMailbox = Commands["Get-ExMailbox"];
        var userId = Parameter(getMailbox, "UserId").Metadata.Single();

        Assert.Equal("String[]", userId.Type);
        Assert.True(userId.Required);
        Assert.Equal(0, userId.Position);
        Assert.Equal("True (ByPropertyName, ByValue)", userId.PipelineInput);
        Assert.Equal(["UserPrincipalName", "Identity"], userId.Aliases);
        Assert.Equal("MailboxImportExport.Engine.Models.ExMailbox", getMailbox.Outputs.Single().TypeName);
    }

    [Theory]
    [InlineData("Disconnect-ExMailboxService", "None")]
    [InlineData("Get-ExConnection", "MailboxImportExport.Engine.Models.ExConnection")]
    public void Commands_without_parameters(string name, string output)
    {
        Assert.Empty(Commands[name].Parameters);
        Assert.Equal(output, Commands[name].Outputs.Single().TypeName);
    }

    private static ParameterHelp Parameter(CommandHelp command, string name) => command.Parameters.Single(p => p.Name == name);

    private static void AssertParameter(CommandHelp command, string set, string name, string type, bool required)
    {
        var metadata = Parameter(command, name).MetadataFor(set);
        Assert.True(metadata is not null, $"-{name} is not in parameter set {set}");
        Assert.Equal((type, required), (metadata.Type, metadata.Required));
    }
}
