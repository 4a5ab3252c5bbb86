using System.Collections.Concurrent;

namespace MailboxImportExport.Engine.Transfer;

/// <summary>
/// A temp file the engine owns: deleted on Dispose, by the finalizer when its owner was dropped without one
/// (objects that went down a PowerShell pipeline are never disposed), and at process exit for whatever is left
/// (finalizers do not run at exit on .NET Core).
/// </summary>
internal sealed class TempFile : IDisposable
{
    // Each live file with the flow scope it was created under (see CountOnlyThisFlow).
    private static readonly ConcurrentDictionary<string, object?> Live = new(StringComparer.Ordinal);
    private static readonly AsyncLocal<object?> FlowScope = new();

    static TempFile()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteAll();
    }

    private int _deleted;

    private TempFile(string path)
    {
        Path = path;
        Live[path] = FlowScope.Value;
    }

    /// <summary>The folder every spilled item goes to: one place to look for leftovers of a killed process.</summary>
    public static string Directory => System.IO.Path.Combine(System.IO.Path.GetTempPath(), "MailboxImportExport");

    public string Path { get; }

    /// <summary>Reserves a new unique name; the caller creates the file.</summary>
    public static TempFile Create()
    {
        System.IO.Directory.CreateDirectory(Directory);
        return new TempFile(System.IO.Path.Combine(Directory, Guid.NewGuid().ToString("N") + ".fts.tmp"));
    }

    /// <summary>
    /// How many temp files this process still holds (only those of this flow after <see cref="CountOnlyThisFlow"/>);
    /// for tests that check nothing is left behind.
    /// </summary>
    internal static int LiveCount => FlowScope.Value is { } scope ? Live.Count(entry => entry.Value == scope) : Live.Count;

    /// <summary>
    /// From here on, in this async flow and the tasks it starts, <see cref="LiveCount"/> counts only the files created
    /// here: tests running side by side in one process spill files too.
    /// </summary>
    internal static void CountOnlyThisFlow() => FlowScope.Value = new object();

    public void Dispose()
    {
        Delete();
        GC.SuppressFinalize(this);
    }

    ~TempFile() => Delete();

    private void Delete()
    {
        if (Interlocked.Exchange(ref _deleted, 1) != 0) return;
        Live.TryRemove(Path, out _);
        TryDelete(Path);
    }

    private static void DeleteAll()
    {
        foreach (var path in Live.Keys) TryDelete(path);
        Live.Clear();
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Still open elsewhere (a reader on Windows); the exit sweep or the OS temp cleaner gets it later.
        }
    }
}
