using MailboxImportExport.Packaging.Help;

namespace MailboxImportExport.Packaging.Tests;

public class AboutTopicCompilerTests
{
    [Fact]
    public void Renders_the_help_txt_layout_wrapped_at_80_columns()
    {
        var topic = AboutTopicCompiler.CompileFile(TestPaths.TestData("about_Sample.md"));

        Assert.Equal("about_Sample", topic.Name);
        Assert.Equal("about_Sample.help.txt", topic.FileName);
        Assert.Equal(
            """
            TOPIC
                about_Sample

            SHORT DESCRIPTION
                A module for trying the help compiler.

            LONG DESCRIPTION
                The Sample module gets items. This sentence is long enough that the compiler
                has to wrap it onto a second line of the topic.

            Getting items
                - Get-SampleItem gets items by id, and this list item is long enough that it
                  must wrap under its own text.
                - Items come out as objects.

                Get-SampleItem -Id 42

            SEE ALSO
                Get-Help Get-SampleItem


            """.ReplaceLineEndings("\n"),
            topic.Text);
        Assert.All(topic.Text.Split('\n'), line => Assert.True(line.Length <= 80, line));
    }

    [Theory]
    [InlineData("# Sample\n\n# SHORT DESCRIPTION\nx\n", 1, "starts with '# Topic Title' followed by '## about_TopicName'")]
    [InlineData("# Sample\n## about_Other\n\n# SHORT DESCRIPTION\nx\n\n# LONG DESCRIPTION\ny\n", 2, "'## about_Other' does not match the file name 'about_Sample.md'")]
    [InlineData("# Sample\n## about_Sample\n\n# SHORT DESCRIPTION\nx\n", 2, "missing section '# LONG DESCRIPTION'")]
    public void Malformed_topics_fail_with_file_and_line(string markdown, int line, string problem)
    {
        var error = Assert.Throws<HelpFormatException>(() => AboutTopicCompiler.Compile(markdown, "about_Sample.md"));

        Assert.Equal(line, error.Line);
        Assert.Contains(problem, error.Problem);
    }
}
