namespace MailboxImportExport.Pester.Tests;

/// <summary>The runner itself: a failing Pester test or set-up block makes the xunit test, and so the test command, fail.</summary>
public sealed class PesterRunnerTests
{
    [Theory]
    [InlineData("5.7.1")]
    [InlineData("6.2.0")]
    public void Reports_failed_tests_and_failed_set_up_as_failures(string pesterVersion)
    {
        var run = PesterRun.Run(pesterVersion, [Path.Combine(AppContext.BaseDirectory, "TestData", "Failing.Tests.ps1")]);

        Assert.False(run.Summary.Succeeded, run.Log);
        Assert.Equal(pesterVersion, run.Summary.PesterVersion);
        Assert.Equal(1, run.Summary.Passed);
        // The test in the block whose BeforeAll threw counts as failed too.
        Assert.Equal(2, run.Summary.Failed);
        var failures = run.Summary.Describe();
        Assert.Contains("A suite with failures.fails on purpose", failures);
        Assert.Contains("Expected strings to be the same", failures);
        Assert.Contains("set-up failed on purpose", failures);
    }
}
