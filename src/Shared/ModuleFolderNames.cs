namespace MailboxImportExport;

/// <summary>Names the packager lays the module out by and the loader finds its parts by: one definition for both.</summary>
internal static class ModuleFolderNames
{
    /// <summary>The folder of the engine and its dependencies, beside the cmdlet assembly.</summary>
    public const string Dependencies = "Dependencies";

    /// <summary>The assembly whose load the loader redirects into the private context; the root of the Dependencies closure.</summary>
    public const string EngineAssembly = "MailboxImportExport.Engine";
}
