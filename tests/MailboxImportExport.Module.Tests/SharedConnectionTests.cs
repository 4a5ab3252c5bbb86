namespace MailboxImportExport.Module.Tests;

/// <summary>
/// One connection for every runspace of a process that has none of its own. Run in a process of its own, so no other
/// test's connection is the shared one.
/// </summary>
public class SharedConnectionTests : IClassFixture<EmulatorFixture>
{
    private readonly EmulatorFixture _emulator;

    public SharedConnectionTests(EmulatorFixture emulator) => _emulator = emulator;

    [Fact]
    public async Task Parallel_runspaces_thread_pools_and_new_runspaces_use_the_connection_made_in_the_process()
    {
        await using var second = await Emulator.EmulatorServer.StartAsync(new Emulator.EmulatorOptions { Seed = "demo" });
        using var folder = new TemporaryDirectory("mie-shared-");
        var script = Path.Combine(folder.Path, "shared.ps1");
        File.WriteAllText(script, """
            param([uri] $Emulator)
            $module = Join-Path (Get-Module MailboxImportExport).ModuleBase 'MailboxImportExport.psd1'
            Connect-ExMailboxService -Emulator $Emulator

            # ForEach-Object -Parallel: each iteration runs in a runspace of its own, without connecting.
            $parallel = 1..3 | ForEach-Object -ThrottleLimit 3 -Parallel {
                Import-Module $using:module
                (Get-ExMailbox alice@contoso.test).MailboxId
            }
            "PARALLEL $([System.Collections.Generic.HashSet[string]]::new([string[]]$parallel).Count) $(@($parallel).Count)"

            # A runspace pool, as scripts build their own.
            $pool = [runspacefactory]::CreateRunspacePool(1, 2, [initialsessionstate]::CreateDefault2(), $Host)
            $pool.Open()
            $ps = [powershell]::Create()
            $ps.RunspacePool = $pool
            $null = $ps.AddScript({ param($m) Import-Module $m; (Get-ExMailbox bob@contoso.test).Kind; (Get-ExConnection).GraphEndpoint }).AddArgument($module)
            $fromPool = $ps.Invoke()
            "POOL $($fromPool -join ' ') $($ps.Streams.Error.Count)"
            $ps.Streams.Error | ForEach-Object { "POOL ERROR $($_.FullyQualifiedErrorId): $_" }
            $ps.Dispose(); $pool.Dispose()

            # A runspace that connects keeps its own connection; the one that connected first keeps its own too.
            $own = [powershell]::Create([initialsessionstate]::CreateDefault2())
            $null = $own.AddScript({ param($m, $e) Import-Module $m; Connect-ExMailboxService -Emulator $e; (Get-ExConnection).GraphEndpoint }).AddArgument($module).AddArgument($args[0])
            "OWN $($own.Invoke())"
            "FIRST $((Get-ExConnection).GraphEndpoint)"
            $own.Dispose()

            # Disconnecting ends this runspace's own connection: it is not connected afterwards.
            Disconnect-ExMailboxService
            try { Get-ExMailbox alice@contoso.test } catch { "MAIN $($_.FullyQualifiedErrorId)" }

            # A runspace without its own that disconnects ends the shared connection (the latest made) for all of them.
            function Run-Fresh([scriptblock] $script) {
                $ps = [powershell]::Create([initialsessionstate]::CreateDefault2())
                $null = $ps.AddScript("Import-Module '$module'").AddStatement().AddScript($script)
                $ps.Invoke()
                $ps.Dispose()
            }
            "SHARED $(Run-Fresh { (Get-ExConnection).GraphEndpoint; Disconnect-ExMailboxService })"
            "AFTER $(Run-Fresh { try { Get-ExMailbox alice@contoso.test } catch { $_.FullyQualifiedErrorId } })"
            """.Replace("$args[0]", $"'{second.BaseUri}'"));

        var run = ScriptProcess.Run(_emulator.BaseUri, script);

        Assert.True(run.ExitCode == 0, run.AllText);
        var lines = run.Output.Split('\n').Select(l => l.Trim()).ToList();
        Assert.True(lines.Contains("PARALLEL 1 3"), run.AllText);
        Assert.True(lines.Contains($"POOL Primary {_emulator.BaseUri} 0"), run.AllText);
        Assert.Contains($"OWN {second.BaseUri}", lines);
        Assert.Contains($"FIRST {_emulator.BaseUri}", lines);
        Assert.True(lines.Any(l => l.StartsWith("MAIN NotConnected,", StringComparison.Ordinal)), run.AllText);
        Assert.Contains($"SHARED {second.BaseUri}", lines);
        Assert.True(lines.Any(l => l.StartsWith("AFTER NotConnected,", StringComparison.Ordinal)), run.AllText);
    }
}
