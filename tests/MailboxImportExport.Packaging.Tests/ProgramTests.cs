namespace MailboxImportExport.Packaging.Tests;

public class ProgramTests
{
    [Theory]
    [InlineData(new[] { "--configration", "Release" }, "Unexpected argument '--configration'.")]
    [InlineData(new[] { "--output" }, "'--output' needs a value.")]
    public void Bad_arguments_are_a_usage_error(string[] args, string problem)
    {
        var (exitCode, output, error) = Run(args);

        Assert.Equal(2, exitCode);
        Assert.Empty(output);
        Assert.StartsWith(problem, error);
        Assert.Contains("Usage:", error);
    }

    [Fact]
    public void A_packaging_failure_is_reported_on_stderr_with_exit_code_1()
    {
        var (exitCode, _, error) = Run("--configuration", "Retail");

        Assert.Equal(1, exitCode);
        Assert.StartsWith("error: Configuration 'Retail' is not one of Debug, Release.", error);
    }

    [Fact]
    public void Help_prints_usage()
    {
        var (exitCode, output, _) = Run("--help");

        Assert.Equal(0, exitCode);
        Assert.Contains("--configuration Debug|Release", output);
    }

    private static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = Program.Run(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }
}
