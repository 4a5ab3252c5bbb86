#if NETCOREAPP
using System.Reflection;
using System.Runtime.Loader;

namespace MailboxImportExport.Loader;

/// <summary>The engine's private load context: the engine, MSAL and the rest of Dependencies load here, and the
/// native libraries they import from Dependencies/runtimes/&lt;rid&gt;/native/.</summary>
internal sealed class ModuleLoadContext : AssemblyLoadContext
{
    public const string ContextName = "MailboxImportExport";

    private readonly string _moduleFolder;
    private readonly string _dependencyFolder;
    private readonly Dictionary<string, string> _platformAssemblies;

    public ModuleLoadContext(string moduleFolder) : base(ContextName)
    {
        _moduleFolder = moduleFolder;
        _dependencyFolder = Path.Combine(moduleFolder, ModuleFolderNames.Dependencies);
        _platformAssemblies = PlatformAssemblies();
    }

    protected override Assembly? Load(AssemblyName name)
    {
        if (name.Name is null || ProvidedByPlatform(name))
        {
            // Shared: the netstandard2.0 polyfills (System.Memory, System.Text.Json ...) must be the runtime's own
            // types, or the engine could not pass a Span or a JsonElement to the runtime or to the cmdlets.
            return null;
        }
        var privateCopy = Path.Combine(_dependencyFolder, name.Name + ".dll");
        if (File.Exists(privateCopy))
        {
            return LoadFromAssemblyPath(privateCopy);
        }
        // The assemblies whose types the cmdlets and the engine exchange (IAsyncEnumerable) sit beside the
        // cmdlets and load once, in the default context.
        var sharedCopy = Path.Combine(_moduleFolder, name.Name + ".dll");
        if (!File.Exists(sharedCopy))
        {
            return null;
        }
        // Another module may have loaded it into the default context first, from its own folder: that copy is
        // the one the cmdlets bound to, and the default context cannot hold a second.
        return Default.Assemblies.FirstOrDefault(loaded => IsAtLeast(loaded.GetName(), name)) ?? Default.LoadFromAssemblyPath(sharedCopy);
    }

    private static bool IsAtLeast(AssemblyName loaded, AssemblyName requested) =>
        string.Equals(loaded.Name, requested.Name, StringComparison.OrdinalIgnoreCase)
        && (requested.Version is null || loaded.Version >= requested.Version);

    /// <summary>
    /// Native libraries that the private assemblies import (SQLite's e_sqlite3) load from the module's own build for
    /// this platform, by full path. This runs before the runtime's own probing, so a copy that another module or
    /// the host loaded first (from elsewhere, under the same name) is not the one the engine gets.
    /// </summary>
    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = NativeLibraries.Find(_dependencyFolder, unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }

    /// <summary>True when the runtime or PowerShell ships the assembly in at least the version asked for.
    /// A host that ships an older one (an old MSAL, say) does not get to impose it on the engine.</summary>
    private bool ProvidedByPlatform(AssemblyName name)
    {
        if (!_platformAssemblies.TryGetValue(name.Name!, out var path))
        {
            return false;
        }
        return name.Version is null || AssemblyName.GetAssemblyName(path).Version >= name.Version;
    }

    /// <summary>The trusted platform assemblies: the runtime's, and the host application's (pwsh's own).</summary>
    private static Dictionary<string, string> PlatformAssemblies()
    {
        var list = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "";
        var assemblies = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var path in list.Split(new[] { Path.PathSeparator }, StringSplitOptions.RemoveEmptyEntries))
        {
            assemblies[Path.GetFileNameWithoutExtension(path)] = path;
        }
        return assemblies;
    }
}
#endif
