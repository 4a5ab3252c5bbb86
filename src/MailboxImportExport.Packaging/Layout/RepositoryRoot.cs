namespace MailboxImportExport.Packaging.Layout;

public static class RepositoryRoot
{
    public const string SolutionFileName = "MailboxImportExport.sln";

    /// <summary>The nearest folder at or above <paramref name="startDirectory"/> that holds the solution.</summary>
    public static string Find(string startDirectory)
    {
        for (var directory = new DirectoryInfo(startDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, SolutionFileName)))
            {
                return directory.FullName;
            }
        }
        throw new PackagingException($"No {SolutionFileName} in {startDirectory} or any folder above it; pass the repository root explicitly.");
    }
}
