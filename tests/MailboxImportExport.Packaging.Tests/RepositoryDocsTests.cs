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
    public void Every_exported_cmdlet_and_no_other_is_documented_with_examples_inputs_and_outputs()
    {
        // Whether each help file matches its cmdlet's real parameters is checked against the built module, in
        // MailboxImportExport.Module.Tests; here the docs are held to the manifest's list and to completeness.
        var manifest = File.ReadAllText(Path.Combine(RepositoryRoot.Find(AppContext.BaseDirectory), ModuleLayout.ManifestFileName));
        var exportBlock = System.Text.RegularExpressions.Regex.Match(manifest, @"CmdletsToExport\s*=\s*@\(([^)]*)\)").Groups[1].Value;
        var exported = System.Text.RegularExpressions.Regex.Matches(exportBlock, @"'([^']+)'").Select(m => m.Groups[1].Value).Order();

        Assert.Equal(exported, Commands.Keys.Order());
        Assert.All(Commands.Values, command =>
        {
            Assert.Equal(ModuleLayout.MamlFileName, command.ExternalHelpFile);
            Assert.Equal(ModuleLayout.ModuleName, command.ModuleName);
            Assert.True(command.Examples.Count >= 2, $"{command.Name} has fewer than two examples");
            Assert.All(command.Examples, example => Assert.NotEmpty(example.Remarks));
            Assert.All(command.Inputs.Concat(command.Outputs), type => Assert.NotEmpty(type.Description));
        });
    }
}
