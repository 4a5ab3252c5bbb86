using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using MailboxImportExport.Packaging.Layout;
using Xunit.Sdk;

namespace MailboxImportExport.Packaging.Tests;

internal static class TestPaths
{
    public static string RepoRoot { get; } = RepositoryRoot.Find(AppContext.BaseDirectory);

    public static string RepoDocs { get; } = Path.Combine(RepoRoot, "docs", ModuleLayout.HelpCulture);

    public static string TestData(string fileName) => Path.Combine(AppContext.BaseDirectory, "TestData", fileName);
}

/// <summary>A fresh folder under the system temp folder, deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("mie-packaging-").FullName;

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

/// <summary>The real PowerShell engine (System.Management.Automation), hosted in this process. It has the
/// Microsoft.PowerShell.Core commands (Get-Help, Import-Module, ForEach-Object) but no Utility module.</summary>
internal static class HostedPowerShell
{
    /// <summary>Runs <paramref name="script"/> in a new runspace; any error record fails the test.</summary>
    public static Collection<PSObject> Invoke(string script, Dictionary<string, object>? parameters = null)
    {
        using var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
        runspace.Open();
        using var powerShell = PowerShell.Create(runspace);
        powerShell.AddScript(script);
        if (parameters is not null)
        {
            powerShell.AddParameters(parameters);
        }
        var output = powerShell.Invoke();
        if (powerShell.HadErrors)
        {
            throw new XunitException("PowerShell errors:\n" + string.Join("\n", powerShell.Streams.Error.Select(error => error.ToString())));
        }
        return output;
    }
}
