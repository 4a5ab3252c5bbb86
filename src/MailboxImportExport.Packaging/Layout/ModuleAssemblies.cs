using System.Text.Json;

namespace MailboxImportExport.Packaging.Layout;

/// <summary>
/// Where each assembly of the module's build output goes, read from the module's deps.json, so that a dependency
/// the engine gains or drops upstream needs no list updated here.
/// </summary>
/// <param name="Cmdlets">The cmdlet assembly, at the module's root.</param>
/// <param name="Shared">The cmdlets' own package dependencies and theirs, beside the cmdlets: the cmdlets and the
/// engine exchange their types (IAsyncEnumerable), so there must be one copy, in PowerShell's load context.</param>
/// <param name="Private">The engine and the rest of its dependencies, in Dependencies/: on PowerShell 7 they load
/// in the module's private load context.</param>
public sealed record ModuleAssemblies(string Cmdlets, IReadOnlyList<string> Shared, IReadOnlyList<string> Private)
{
    public const string EngineName = ModuleFolderNames.EngineAssembly;

    public static ModuleAssemblies Read(string depsJsonPath)
    {
        if (!File.Exists(depsJsonPath))
        {
            throw new PackagingException($"Module dependency list not found: {depsJsonPath}. Build the module first.");
        }
        using var document = JsonDocument.Parse(File.ReadAllText(depsJsonPath));
        var root = document.RootElement;
        var targetName = root.GetProperty("runtimeTarget").GetProperty("name").GetString()!;
        var libraries = root.GetProperty("targets").GetProperty(targetName).EnumerateObject()
            .ToDictionary(library => library.Name[..library.Name.IndexOf('/')], library => library.Value, StringComparer.OrdinalIgnoreCase);

        if (!libraries.TryGetValue(ModuleLayout.ModuleName, out var module) || !libraries.ContainsKey(EngineName))
        {
            throw new PackagingException($"{depsJsonPath} does not describe {ModuleLayout.ModuleName} and {EngineName}.");
        }
        var direct = DependencyNames(module).ToList();
        var shared = Closure(direct.Where(name => !name.Equals(EngineName, StringComparison.OrdinalIgnoreCase)), libraries, depsJsonPath);
        var engine = Closure([EngineName], libraries, depsJsonPath);
        return new ModuleAssemblies(
            RuntimeFiles(module).Single(),
            shared.SelectMany(name => RuntimeFiles(libraries[name])).Order(StringComparer.Ordinal).ToList(),
            engine.Except(shared, StringComparer.OrdinalIgnoreCase).SelectMany(name => RuntimeFiles(libraries[name])).Order(StringComparer.Ordinal).ToList());
    }

    private static HashSet<string> Closure(IEnumerable<string> start, Dictionary<string, JsonElement> libraries, string depsJsonPath)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var pending = new Stack<string>(start);
        while (pending.TryPop(out var name))
        {
            if (!seen.Add(name)) continue;
            if (!libraries.TryGetValue(name, out var library))
            {
                throw new PackagingException($"{depsJsonPath} names the dependency {name} but does not describe it.");
            }
            foreach (var dependency in DependencyNames(library)) pending.Push(dependency);
        }
        return seen;
    }

    private static IEnumerable<string> DependencyNames(JsonElement library) =>
        library.TryGetProperty("dependencies", out var dependencies) ? dependencies.EnumerateObject().Select(d => d.Name) : [];

    private static IEnumerable<string> RuntimeFiles(JsonElement library) =>
        library.TryGetProperty("runtime", out var runtime) ? runtime.EnumerateObject().Select(file => Path.GetFileName(file.Name)) : [];
}
