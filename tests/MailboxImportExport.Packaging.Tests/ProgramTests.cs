namespace MailboxImportExport.Packaging.Tests;

public class ProgramTests
{
    [Fact]
    public void An_unknown_argument_is_a_usage_error()
    {
        var (exitCode, output, error) = Run("--configration", "Release");

        Assert.Equal(2, exitCode);
        Assert.Empty(output);
        Assert.Contains("Unexpected argument '--configration'", error);
        Assert.Contains("Usage:", error);
    }

    [Fact]
    public void An_option_without_its_value_is_a_usage_error()
    {
        var (exitCode, _, error) = Run("--output");

        Assert.Equal(2, exitCode);
        Assert.StartsWith("'--output' needs a value.", error);
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
