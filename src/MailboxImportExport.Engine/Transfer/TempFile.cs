using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace MailboxImportExport.Engine.Transfer;

/// <summary>
/// A temp file the engine owns: deleted on Dispose, by the finalizer when its owner was dropped without one
/// (objects that went down a PowerShell pipeline are never disposed), and at process exit for whatever is left
/// (finalizers do not run at exit on .NET Core). A killed process deletes nothing, so the first spill of a process
/// sweeps the folder for what killed processes left (<see cref="SweepLeftovers"/>). Names carry the owner's process
/// id and start time (<c>{pid}-{start}-{guid}.fts.tmp</c>), so the sweep never takes a file a live process holds.
/// </summary>
internal sealed class TempFile : IDisposable
{
    // Each live file with the flow scope it was created under (see CountOnlyThisFlow).
    private static readonly ConcurrentDictionary<string, object?> Live = new(StringComparer.Ordinal);
    private static readonly AsyncLocal<object?> FlowScope = new();

    private const string Suffix = ".fts.tmp";
    /// <summary>A file of unknown owner (no process in its name) is left alone this long after it was last written.</summary>
    private static readonly TimeSpan UnknownOwnerGrace = TimeSpan.FromDays(1);
    private static readonly (int Id, DateTime StartUtc) Me = CurrentProcess();
    private static readonly Lazy<int> Swept = new(() => SweepLeftovers(Directory, Me.StartUtc));

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
        _ = Swept.Value;
        return new TempFile(System.IO.Path.Combine(Directory, NameFor(Me.Id, Me.StartUtc)));
    }

    /// <summary>A new file name owned by the process <paramref name="processId"/> started at <paramref name="startUtc"/>.</summary>
    internal static string NameFor(int processId, DateTime startUtc) =>
        $"{processId.ToString(CultureInfo.InvariantCulture)}-{StartStamp(startUtc)}-{Guid.NewGuid():N}{Suffix}";

    /// <summary>
    /// Deletes the spilled files in <paramref name="directory"/> that processes no longer running left behind: files
    /// last written before this process started (<paramref name="processStartUtc"/>) whose owner, named in the file
    /// name, is not running (no such process id, or that id now belongs to a process started at another time). Files of
    /// live processes stay; so do files of unknown owner written within the last day. Returns how many were deleted.
    /// </summary>
    internal static int SweepLeftovers(string directory, DateTime processStartUtc)
    {
        var deleted = 0;
        try
        {
            foreach (var file in new DirectoryInfo(directory).EnumerateFiles("*" + Suffix))
            {
                if (file.LastWriteTimeUtc >= processStartUtc) continue;
                var owner = OwnerOf(file.Name);
                var leftover = owner is { } o ? !IsRunning(o.Id, o.Start) : DateTime.UtcNow - file.LastWriteTimeUtc > UnknownOwnerGrace;
                if (leftover && TryDelete(file.FullName)) deleted++;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No folder yet, or one we may not read: nothing to sweep.
        }
        if (deleted > 0) Diagnostics.EngineLog.Verbose($"Deleted {deleted} temp file(s) that stopped processes left in {directory}.");
        return deleted;
    }

    private static (int Id, string Start)? OwnerOf(string name)
    {
        var parts = name.Split('-');
        return parts.Length == 3 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? (id, parts[1]) : null;
    }

    private static bool IsRunning(int processId, string startStamp)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return StartStamp(process.StartTime.ToUniversalTime()) == startStamp;
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return true; // a process we may not look at: assume it is the owner
        }
    }

    private static string StartStamp(DateTime startUtc) => startUtc.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);

    private static (int, DateTime) CurrentProcess()
    {
        using var me = Process.GetCurrentProcess();
        return (me.Id, me.StartTime.ToUniversalTime());
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
        _ = TryDelete(Path);
    }

    private static void DeleteAll()
    {
        foreach (var path in Live.Keys) _ = TryDelete(path);
        Live.Clear();
    }

    private static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Still open elsewhere (a reader on Windows); the exit sweep or the next start's sweep gets it later.
            return false;
        }
    }
}
