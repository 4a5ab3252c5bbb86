namespace MailboxImportExport.Engine.Journal;

/// <summary>
/// Named copy jobs: a journal per name in the user's data folder (LocalApplicationData/MailboxImportExport/Jobs:
/// %LOCALAPPDATA% on Windows, ~/.local/share on Linux, ~/Library/Application Support on macOS), so a scheduled copy
/// needs only a name. The environment variable MAILBOXIMPORTEXPORT_JOB_DIRECTORY puts them elsewhere (a service
/// account's shared folder, a test's own folder).
/// </summary>
public static class CopyJobs
{
    public const string DefaultJobName = "default";
    public const string Extension = ".journal";

    public const string DirectoryVariable = "MAILBOXIMPORTEXPORT_JOB_DIRECTORY";

    public static string Folder =>
        Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "MailboxImportExport", "Jobs");

    /// <summary>The journal file of a named job.</summary>
    /// <exception cref="ArgumentException">The name holds characters a file name cannot.</exception>
    public static string PathOf(string jobName)
    {
        if (string.IsNullOrWhiteSpace(jobName)) throw new ArgumentException("The job name is empty.", nameof(jobName));
        if (jobName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || jobName.IndexOfAny(new[] { '/', '\\', ':' }) >= 0 || jobName is "." or "..")
            throw new ArgumentException($"The job name '{jobName}' holds characters a file name cannot; use letters, digits, '-' and '_', or give -JournalPath.", nameof(jobName));
        return Path.Combine(Folder, jobName + Extension);
    }
}
