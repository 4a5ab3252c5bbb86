using System.Diagnostics;
using System.Management.Automation;
using System.Reflection;
using MailboxImportExport.Emulator;
using MailboxImportExport.Engine.Journal;

namespace MailboxImportExport.Module.Tests;

/// <summary>
/// Exactly once across kills: a process hosting the engine copies 300 items through a journal and is killed with
/// SIGKILL at five points (during export, as an import arrives, after imports committed, after the journal recorded
/// copies, as another import arrives), then run again each time; in the end every source item has exactly one
/// byte-identical copy. Each kill waits on a condition (the emulator's or the journal's counts), never on time.
/// </summary>
public class KillTests : IClassFixture<EmulatorFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);
    private static readonly string HostAssembly = Path.Combine(ModuleUnderTest.RepoRoot, "tests", "MailboxImportExport.CopyHost", "bin",
        Assembly.GetExecutingAssembly().GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug", "net10.0", "MailboxImportExport.CopyHost.dll");

    private readonly EmulatorFixture _emulator;

    public KillTests(EmulatorFixture emulator) => _emulator = emulator;

    private EmulatorControl Control => _emulator.Server.Control;
    private static string Text(PSObject o, string name) => o.Properties[name].Value?.ToString() ?? "";

    [Fact]
    public void A_copy_killed_at_five_points_and_run_again_ends_with_exactly_one_byte_identical_copy_of_each_item()
    {
        using var session = _emulator.Connect();
        using var directory = new TemporaryDirectory("mie-kill-");
        var journal = Path.Combine(directory.Path, "kill.journal");
        var alice = Control.GetMailboxId("alice@contoso.test");
        var bob = Control.GetMailboxId("bob@contoso.test");
        foreach (var name in new[] { "A", "B", "C" })
        {
            var folder = Text(Assert.Single(session.Run("New-ExMailboxFolder -MailboxId $args[0] -Path $args[1]", alice, $"/KillSource/{name}").Output), "Id");
            Control.AddItems(alice, folder, 100, $"Kill {name}");
        }
        Control.ResetStatistics();
        var importsArrived = 0;
        Process? victim = null;
        // A hook, not a fault: it never matches, it only sees each import arrive (inside the mailbox gate) and kills
        // the copying process at the chosen arrivals.
        var killAtArrival = new HashSet<int> { 30, 240 };
        Control.InjectNext(1, request =>
        {
            if (request.IsImport && killAtArrival.Contains(Interlocked.Increment(ref importsArrived))) Kill(victim);
            return false;
        }, EmulatorFault.Drop());

        var points = new (string Name, Func<bool> Reached)[]
        {
            ("during the first export", () => Control.Requests.Any(r => r.Path.EndsWith("/exportItems"))),
            ("as the 30th import arrives", () => Volatile.Read(ref importsArrived) >= 30),
            ("after 100 imports committed", () => Control.Statistics.TotalImportsCreated >= 100),
            ("once the journal recorded 200 copies", () => File.Exists(journal) && Copied(journal) >= 200),
            ("as the 240th import arrives", () => Volatile.Read(ref importsArrived) >= 240),
        };
        try
        {
            foreach (var (name, reached) in points)
            {
                using var process = Start(alice, bob, journal);
                victim = process;
                var hit = SpinWait.SpinUntil(() => reached() || process.HasExited, Patience);
                Kill(process);
                Assert.True(hit, $"Neither the kill point ({name}) nor the end came within {Patience}.");
                Assert.True(process.ExitCode != 0, $"The copy ended before the kill point ({name}) was reached: {OutputOf(process)}");
            }
        }
        finally
        {
            Control.ClearFaults();
        }

        using (var last = Start(alice, bob, journal))
        {
            Assert.True(last.WaitForExit(Patience), "The last run did not end.");
            Assert.True(last.ExitCode == 0, OutputOf(last));
        }

        foreach (var name in new[] { "A", "B", "C" })
        {
            var source = Contents(session, alice, $"/KillSource/{name}");
            var copies = Contents(session, bob, $"/KillCopy/KillSource/{name}");
            Assert.Equal(100, copies.Count);
            Assert.Equal(source, copies);
        }
        Assert.Equal(300, Control.Statistics.TotalImportsCreated);
        var statistics = Assert.Single(JournalReader.ReadStatistics(journal, includeFailedItems: false));
        Assert.Equal((300, 300, 0, 0), (statistics.TotalItems, statistics.Copied, statistics.InDoubt, statistics.Failed));
    }

    private static int Copied(string journal) => JournalReader.ReadStatistics(journal, false).Sum(s => s.Copied);

    private List<string> Contents(PowerShellSession session, string mailbox, string path) =>
        session.Run("Get-ExMailboxFolder -MailboxId $args[0] -Recurse | Where-Object Path -eq $args[1] | Get-ExMailboxItem", mailbox, path).Output
            .Select(o => Convert.ToHexString(Control.GetItemData(Text(o, "Id")))).OrderBy(x => x, StringComparer.Ordinal).ToList();

    private readonly Dictionary<Process, (Task<string> Output, Task<string> Error)> _output = new();

    private string OutputOf(Process process) => _output[process].Output.Result + _output[process].Error.Result;

    private Process Start(string source, string target, string journal)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { HostAssembly, _emulator.BaseUri.ToString(), source, target, journal, "/KillCopy", "100", "/KillSource/*" })
            start.ArgumentList.Add(argument);
        var process = Process.Start(start)!;
        // Drained as they come, so a full pipe never stalls the copy.
        _output[process] = (process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
        return process;
    }

    /// <summary>SIGKILL: no finalizer, no flush, no handler runs.</summary>
    private static void Kill(Process? process)
    {
        try
        {
            if (process is { HasExited: false }) process.Kill(entireProcessTree: true);
            process?.WaitForExit();
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
        }
    }
}
