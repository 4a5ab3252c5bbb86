using System.Reflection;
#if NETCOREAPP
using System.Runtime.Loader;
#endif

namespace MailboxImportExport.Loader;

/// <summary>
/// Makes the engine assembly, and everything it depends on, load from the module's Dependencies folder.
/// Called once per import by the module's psm1, before the cmdlet assembly is imported.
/// </summary>
/// <remarks>
/// The approach of the PowerShell docs' "Resolving PowerShell module assembly dependency conflicts". On
/// PowerShell 7 only a request for the engine reaches the private context (from the default context's
/// Resolving event, which fires because nothing else can find it); the engine's own references then resolve
/// in that context, so its Microsoft.Identity.Client is never the one another module loaded. Windows
/// PowerShell 5.1 has no load contexts: there an AssemblyResolve handler supplies the module's assemblies
/// that nothing else found, which helps when no other version is loaded first but cannot isolate.
/// </remarks>
public static class DependencyLoader
{
    /// <summary>The engine's assembly name: the psm1 picks the engine types to add type accelerators for by it.</summary>
    public const string EngineAssemblyName = ModuleFolderNames.EngineAssembly;

    private static readonly object Gate = new();
    private static string? s_moduleFolder;

    /// <summary>Serializes the process-wide set-up that the module's runspaces share (its type accelerators).</summary>
    public static object SyncRoot => Gate;

    /// <summary>Installs the resolver for the module laid out in <paramref name="moduleFolder"/>. Runspaces
    /// importing the module at the same time share one resolver (and one load context) per process.</summary>
    /// <exception cref="InvalidOperationException">A copy of the module in another folder was set up first in
    /// this process: its engine is the one the cmdlets would bind to.</exception>
    public static void Initialize(string moduleFolder)
    {
        var folder = Path.GetFullPath(moduleFolder);
        lock (Gate)
        {
            if (s_moduleFolder is not null)
            {
                if (!string.Equals(s_moduleFolder, folder, StringComparison.OrdinalIgnoreCase))
                {
                    throw new InvalidOperationException(
                        $"MailboxImportExport was already loaded from {s_moduleFolder} in this process; start a new PowerShell session to use the copy in {folder}.");
                }
                return;
            }
#if NETCOREAPP
            var context = new ModuleLoadContext(folder);
            AssemblyLoadContext.Default.Resolving += (_, name) =>
                string.Equals(name.Name, EngineAssemblyName, StringComparison.Ordinal) ? context.LoadFromAssemblyName(name) : null;
#else
            AppDomain.CurrentDomain.AssemblyResolve += (_, args) => ResolveFromModule(folder, new AssemblyName(args.Name));
            PreloadNativeLibraries(Path.Combine(folder, ModuleFolderNames.Dependencies));
#endif
            s_moduleFolder = folder;
        }
    }

#if !NETCOREAPP
    /// <summary>
    /// .NET Framework finds a DllImport's library only beside the application (powershell.exe), in the system
    /// folders or on PATH, never in a module. Loading the module's copies by full path first makes Windows use them:
    /// it binds a DllImport to a loaded module of that name. If another module loaded an e_sqlite3.dll first, Windows
    /// binds to that one instead, for both modules: SQLite keeps its C interface stable, so that works, but it is
    /// not isolation.
    /// </summary>
    private static void PreloadNativeLibraries(string dependencyFolder)
    {
        var folder = NativeLibraries.Folder(dependencyFolder);
        if (folder is null)
        {
            return;
        }
        foreach (var library in Directory.GetFiles(folder, "*.dll"))
        {
            // A library that does not load here fails where it is used (the journal), with the runtime's own error;
            // the cmdlets that do not need it still work.
            _ = LoadLibraryW(library);
        }
    }

    [System.Runtime.InteropServices.DllImport("kernel32", CharSet = System.Runtime.InteropServices.CharSet.Unicode, SetLastError = true)]
    private static extern IntPtr LoadLibraryW(string path);

    private static Assembly? ResolveFromModule(string moduleFolder, AssemblyName name)
    {
        // The cmdlet assembly's own references sit beside it, the engine's in Dependencies; assemblies loaded
        // from one folder do not probe the other.
        foreach (var folder in new[] { Path.Combine(moduleFolder, ModuleFolderNames.Dependencies), moduleFolder })
        {
            var path = Path.Combine(folder, name.Name + ".dll");
            if (File.Exists(path))
            {
                return Assembly.LoadFrom(path);
            }
        }
        return null;
    }
#endif
}
