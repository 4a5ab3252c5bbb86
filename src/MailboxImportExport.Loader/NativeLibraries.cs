using System.Runtime.InteropServices;

namespace MailboxImportExport.Loader;

/// <summary>
/// Finds the module's own build of a native library (SQLite's e_sqlite3) for the running platform in
/// Dependencies/runtimes/&lt;rid&gt;/native/, where the packager lays them out.
/// </summary>
internal static class NativeLibraries
{
    /// <summary>The full path of the module's copy of <paramref name="name"/> ("e_sqlite3", as a DllImport names it)
    /// for this process, or null when the module has none.</summary>
    public static string? Find(string dependencyFolder, string name)
    {
        foreach (var runtime in RuntimeIdentifiers())
        {
            var folder = Path.Combine(Path.Combine(Path.Combine(dependencyFolder, ModuleFolderNames.NativeRuntimes), runtime), "native");
            foreach (var fileName in FileNames(name))
            {
                var path = Path.Combine(folder, fileName);
                if (File.Exists(path))
                {
                    return path;
                }
            }
        }
        return null;
    }

    /// <summary>The folder of this platform's native libraries, or null when the module ships none for it.</summary>
    public static string? Folder(string dependencyFolder) =>
        RuntimeIdentifiers()
            .Select(runtime => Path.Combine(Path.Combine(Path.Combine(dependencyFolder, ModuleFolderNames.NativeRuntimes), runtime), "native"))
            .FirstOrDefault(Directory.Exists);

    /// <summary>This process's runtime identifier, most specific first: the runtime's own (which a distribution's
    /// build of .NET may make distribution-specific), then the portable one the packages use.</summary>
    public static IEnumerable<string> RuntimeIdentifiers()
    {
        var architecture = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => "x64",
            Architecture.X86 => "x86",
            Architecture.Arm64 => "arm64",
            Architecture.Arm => "arm",
            var other => other.ToString().ToLowerInvariant(),
        };
#if NETCOREAPP
        var runtime = RuntimeInformation.RuntimeIdentifier;
        yield return runtime;
        string os;
        if (OperatingSystem.IsWindows()) os = "win";
        else if (OperatingSystem.IsMacOS()) os = "osx";
        else if (runtime.Contains("musl", StringComparison.OrdinalIgnoreCase) || runtime.StartsWith("alpine", StringComparison.OrdinalIgnoreCase)) os = "linux-musl";
        else os = "linux";
        var portable = os + "-" + architecture;
        if (!string.Equals(portable, runtime, StringComparison.OrdinalIgnoreCase))
        {
            yield return portable;
        }
#else
        // Windows PowerShell 5.1: .NET Framework runs on Windows only.
        yield return "win-" + architecture;
#endif
    }

    private static IEnumerable<string> FileNames(string name)
    {
        yield return name;
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            yield return name + ".dll";
        }
        else if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX))
        {
            yield return "lib" + name + ".dylib";
            yield return name + ".dylib";
        }
        else
        {
            yield return "lib" + name + ".so";
            yield return name + ".so";
        }
    }
}
