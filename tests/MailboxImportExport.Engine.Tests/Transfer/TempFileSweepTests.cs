using System.Diagnostics;
using MailboxImportExport.Engine.Transfer;

namespace MailboxImportExport.Engine.Tests.Transfer;

/// <summary>The sweep at a process's first spill: leftovers of stopped processes go, files of live ones stay.</summary>
public sealed class TempFileSweepTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mie-sweep-").FullName;
    private readonly DateTime _start = DateTime.UtcNow;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Spilled(string name, TimeSpan age)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, "spilled item");
        File.SetLastWriteTimeUtc(path, _start - age);
        return path;
    }

    [Fact]
    public void Files_of_stopped_processes_are_deleted_and_those_of_live_processes_kept()
    {
        using var me = Process.GetCurrentProcess();
        var myStart = me.StartTime.ToUniversalTime();
        using var finished = Process.Start(new ProcessStartInfo("dotnet", "--version") { RedirectStandardOutput = true })!;
        var finishedId = finished.Id;
        var finishedStart = finished.StartTime.ToUniversalTime();
        finished.WaitForExit();

        var live = Spilled(TempFile.NameFor(me.Id, myStart), TimeSpan.FromHours(1));
        var stopped = Spilled(TempFile.NameFor(finishedId, finishedStart), TimeSpan.FromHours(1));
        var reusedId = Spilled(TempFile.NameFor(me.Id, myStart.AddDays(-3)), TimeSpan.FromHours(1)); // same id, another process
        var newer = Spilled(TempFile.NameFor(finishedId, finishedStart), TimeSpan.FromHours(-1)); // written after the sweeping process started
        var unknownRecent = Spilled("0123456789abcdef.fts.tmp", TimeSpan.FromHours(2));
        var unknownOld = Spilled("fedcba9876543210.fts.tmp", TimeSpan.FromDays(2));
        var other = Spilled("notes.txt", TimeSpan.FromDays(30));

        var deleted = TempFile.SweepLeftovers(_directory, _start);

        Assert.Equal(3, deleted);
        Assert.False(File.Exists(stopped));
        Assert.False(File.Exists(reusedId));
        Assert.False(File.Exists(unknownOld));
        Assert.True(File.Exists(live));
        Assert.True(File.Exists(newer));
        Assert.True(File.Exists(unknownRecent));
        Assert.True(File.Exists(other));
    }

    [Fact]
    public void A_missing_folder_is_nothing_to_sweep() =>
        Assert.Equal(0, TempFile.SweepLeftovers(Path.Combine(_directory, "absent"), _start));
}
