using System.Collections.Concurrent;

namespace MailboxImportExport.Engine.Transfer;

/// <summary>
/// A temp file the engine owns: deleted on Dispose, by the finalizer when its owner was dropped without one
/// (objects that went down a PowerShell pipeline are never disposed), and at process exit for whatever is left
/// (finalizers do not run at exit on .NET Core).
/// </summary>
internal sealed class TempFile : IDisposable
{
    private static readonly ConcurrentDictionary<string, byte> Live = new(StringComparer.Ordinal);

    static TempFile()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteAll();
    }

    private int _deleted;

    private TempFile(string path)
    {
        Path = path;
        Live[path] = 0;
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

    /// <summary>How many temp files this process still holds; for tests that check nothing is left behind.</summary>
    internal static int LiveCount => Live.Count;

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
