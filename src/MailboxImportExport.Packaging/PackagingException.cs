namespace MailboxImportExport.Packaging;

/// <summary>A problem in the repository's inputs (docs, manifest, build output) that the packager reports
/// to the user as is: the message alone says what is wrong and where.</summary>
public class PackagingException : Exception
{
    public PackagingException(string message) : base(message)
    {
    }
}
