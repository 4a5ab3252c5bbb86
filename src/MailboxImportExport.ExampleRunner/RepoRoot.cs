namespace MailboxImportExport.ExampleRunner;

internal static class RepoRoot
{
    /// <summary>The folder holding MailboxImportExport.sln, found by walking up from where the program runs.</summary>
    public static string Find(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MailboxImportExport.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"No MailboxImportExport.sln above {start}; run from a clone of the repository.");
    }
}
