using System.Runtime.CompilerServices;

namespace MailboxImportExport.Module.Tests;

/// <summary>
/// Process-wide setup of this test assembly: named copy jobs (Copy-ExMailbox -JobName) go to a folder of the test
/// process's own, deleted at exit, instead of the user's data folder.
/// </summary>
internal static class ModuleTestsSetup
{
    public static string JobDirectory { get; } = Path.Combine(Path.GetTempPath(), "mie-jobs-" + Guid.NewGuid().ToString("N"));

    [ModuleInitializer]
    internal static void Initialize()
    {
        Environment.SetEnvironmentVariable("MAILBOXIMPORTEXPORT_JOB_DIRECTORY", JobDirectory);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                if (Directory.Exists(JobDirectory)) Directory.Delete(JobDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A journal still open by a finalizing connection: the temp cleaner gets it.
            }
        };
    }
}
