using MailboxImportExport.Emulator;
using MailboxImportExport.Engine.Auth;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Journal;
using MailboxImportExport.Engine.Models;
using MailboxImportExport.Engine.Services;
using MailboxImportExport.Engine.Transfer;

namespace MailboxImportExport.Module.Tests;

/// <summary>
/// What an import batcher keeps per item does not grow with the items it imports: with a journal its resolver holds
/// only the copies whose rows are not saved yet, and no folder state once the folders are idle. Imports answered 503
/// after they committed make the resolver find (and claim) copies too.
/// </summary>
public class ImportBatcherBoundsTests
{
    private const int Items = 60;
    private const int Capacity = 8;

    [Fact]
    public async Task With_a_journal_the_resolver_forgets_each_copy_once_its_row_is_saved()
    {
        using var journalFile = new TemporaryDirectory("import-bounds");
        using var journal = SqliteTransferJournal.Open(Path.Combine(journalFile.Path, "bounds.journal"));

        var (held, heldAtMost, server) = await ImportAsync(journal);

        await using (server)
        {
            // Every row is in the journal, which answers for the copies from now on: nothing is left in memory.
            Assert.Equal((0, 0), held);
            Assert.InRange(heldAtMost, 0, Capacity);
            Assert.All(journal.ItemsOf(server.Control.GetMailboxId("user0001@contoso.test"), server.Control.GetMailboxId("user0002@contoso.test")),
                row => Assert.Equal(JournalItemState.Done, row.State));
        }
    }

    [Fact]
    public async Task Without_a_journal_the_resolver_keeps_the_runs_copies_and_no_folder_state()
    {
        var (held, _, server) = await ImportAsync(journal: null);

        await using (server)
        {
            // The run's claims are its only record of what it made: they stay; the folders' state does not.
            Assert.Equal((Items, 0), held);
        }
    }

    /// <summary>Imports every item of user0001 into /Bounds of user0002, three of them answered 503 after they committed.</summary>
    private static async Task<((int Claims, int Folders) Held, int ClaimsHeldAtMost, EmulatorServer Server)> ImportAsync(ITransferJournal? journal)
    {
        var server = await EmulatorServer.StartAsync(new EmulatorOptions { Seed = $"scale:2x{Items}:small" });
        using var graph = new GraphClient(new GraphClientOptions { GraphRoot = server.BaseUri, Lanes = new MailboxLanes() },
            new StaticTokenProvider(server.Control.IssueAccessToken()), new LoopbackCertificatePin(server.BaseUri).CreateHandler());
        var source = server.Control.GetMailboxId("user0001@contoso.test");
        var target = server.Control.GetMailboxId("user0002@contoso.test");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var ct = timeout.Token;
        var exported = await ExportAllAsync(graph, source, ct);
        Assert.Equal(Items, exported.Count);

        server.Control.ResetStatistics();
        server.Control.InjectNext(3, EmulatorRoutes.Import, EmulatorFault.StatusAfterCommit(503));
        var counters = new TransferCounters();
        using var importer = new ImportBatcher(graph, new ImportService(graph), new ImportPlan(target) { Folders = new FolderMapper(new FolderService(graph), "/Bounds") },
            journal, counters, new ImportBatcherOptions { Capacity = Capacity, SettleDelay = TimeSpan.Zero }, ct);
        var heldAtMost = 0;
        foreach (var item in exported)
        {
            await importer.AddAsync(item, ct);
            heldAtMost = Math.Max(heldAtMost, importer.ResolverHeld.Claims);
        }
        await importer.CompleteAsync(ct);
        var outcomes = new List<ImportOutcome>();
        while (importer.TryTake(out var outcome)) outcomes.Add(outcome);

        Assert.All(outcomes, o => Assert.Equal(TransferItemResult.Copied, o.Result));
        Assert.Equal(Items, outcomes.Count);
        Assert.Equal(3, counters.Resolved);
        Assert.Equal(Items, server.Control.Statistics.TotalImportsCreated);
        return (importer.ResolverHeld, heldAtMost, server);
    }

    private static async Task<List<ExExportedItem>> ExportAllAsync(GraphClient graph, string mailboxId, CancellationToken ct)
    {
        var folders = new FolderService(graph);
        var items = new ItemService(graph);
        var export = new ExportService(graph);
        var listed = new List<ExMailboxItem>();
        await foreach (var folder in folders.ListAsync(mailboxId, null, recurse: true, ct))
        {
            if (folder.TotalItemCount == 0) continue;
            await foreach (var item in items.ListAsync(mailboxId, folder.Id, folder.Path, new ItemQuery(), null, ct)) listed.Add(item);
        }
        var exported = new List<ExExportedItem>();
        foreach (var chunk in listed.Chunk(ExportService.MaxItemsPerCall))
        {
            var results = await export.ExportBatchAsync(mailboxId, chunk.Select(i => i.Id).ToList(), ct);
            exported.AddRange(chunk.Zip(results, (item, result) => ExExportedItem.FromExport(ExportRequest.For(item), result.ChangeKey, result.Data!)));
        }
        return exported;
    }
}
