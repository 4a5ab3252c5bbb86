namespace MailboxImportExport;

/// <summary>Names the packager lays the module out by and the loader finds its parts by: one definition for both.</summary>
internal static class ModuleFolderNames
{
    /// <summary>The folder of the engine and its dependencies, beside the cmdlet assembly.</summary>
    public const string Dependencies = "Dependencies";

    /// <summary>The assembly whose load the loader redirects into the private context; the root of the Dependencies closure.</summary>
    public const string EngineAssembly = "MailboxImportExport.Engine";

    /// <summary>Native libraries sit in Dependencies/runtimes/&lt;rid&gt;/native/, as in a NuGet package.</summary>
    public const string NativeRuntimes = "runtimes";

    /// <summary>The runtimes the module ships native libraries for: Windows (x64, arm64, and x86 for the 32-bit
    /// Windows PowerShell), Linux (glibc and musl; x64 and arm64) and macOS (x64 and arm64).</summary>
    public static readonly string[] SupportedRuntimes =
    {
        "win-x64", "win-x86", "win-arm64", "linux-x64", "linux-arm64", "linux-musl-x64", "linux-musl-arm64", "osx-x64", "osx-arm64",
    };
}
