using System.Globalization;
using System.Net;
using MailboxImportExport.Emulator.Storage;
using MailboxImportExport.Fts;

namespace MailboxImportExport.Emulator.Tests;

/// <summary>What an imported item looks like (exactly-once-notes §6.2, §6.5, §6.7): times, search key, counts, clock.</summary>
public class StoreSemanticsTests
{
    [Fact]
    public async Task ByDefault_CreatedIsTheImportTime_AndTheSearchKeyAndBytesAreKept()
    {
        await using var fx = await EmulatorFixture.StartAsync();
        var (importUrl, inbox, blob) = await ExactlyOnceFaultTests.PrepareAsync(fx);
        var before = Second(DateTimeOffset.UtcNow);

        var id = await ImportAsync(fx, importUrl, inbox, blob);
        var item = await GetItemAsync(fx, inbox, id);

        var created = DateTimeOffset.Parse((string)item["createdDateTime"]!, CultureInfo.InvariantCulture);
        Assert.InRange(created, before, DateTimeOffset.UtcNow);
        Assert.NotEqual(ItemBlobProperties.CreationTime(blob), created);
        Assert.Equal(blob, fx.Control.GetItemData(id));
        Assert.Equal(16, ItemBlobProperties.SearchKey(blob)!.Length);
    }

    [Fact]
    public async Task CreatedFromSource_KeepsTheStreamsCreationTime()
    {
        await using var fx = await EmulatorFixture.StartAsync(o => o.ImportedCreatedDateTime = ImportedCreatedDateTime.Source);
        var (importUrl, inbox, blob) = await ExactlyOnceFaultTests.PrepareAsync(fx);

        var item = await GetItemAsync(fx, inbox, await ImportAsync(fx, importUrl, inbox, blob));

        var sourceTime = ItemBlobProperties.CreationTime(blob)!.Value;
        Assert.Equal(Second(sourceTime), DateTimeOffset.Parse((string)item["createdDateTime"]!, CultureInfo.InvariantCulture));
        Assert.True(sourceTime < DateTimeOffset.UtcNow.AddDays(-30), "the demo items were created long ago");
    }

    [Fact]
    public async Task RegeneratedSearchKey_ChangesOnlyTheKey_AndAnUpdateKeepsTheItemsOwnKey()
    {
        await using var fx = await EmulatorFixture.StartAsync(o => o.ImportedSearchKey = ImportedSearchKey.Regenerated);
        var (importUrl, inbox, blob) = await ExactlyOnceFaultTests.PrepareAsync(fx);

        var id = await ImportAsync(fx, importUrl, inbox, blob);
        var stored = fx.Control.GetItemData(id);
        var ownKey = ItemBlobProperties.SearchKey(stored)!;
        var changeKey = (string)(await GetItemAsync(fx, inbox, id))["changeKey"]!;
        var update = await fx.ImportAsync(importUrl,
            $$"""{"FolderId":"{{inbox}}","Mode":"update","Data":"{{Convert.ToBase64String(blob)}}","ItemId":"{{id}}","ChangeKey":"{{changeKey}}"}""");

        Assert.NotEqual(ItemBlobProperties.SearchKey(blob), ownKey);
        Assert.Equal(blob.Length, stored.Length);
        // Nothing but the key changed: putting the stream's key back gives the posted bytes.
        Assert.Equal(blob, ItemBlobProperties.WithSearchKey(stored, ItemBlobProperties.SearchKey(blob)!));
        Assert.Null(FtsReader.TryReadSummary(stored, out var problem) is null ? "unreadable" : problem);
        Assert.Equal(FtsReader.TryReadSummary(blob, out _)!.Subject, FtsReader.TryReadSummary(stored, out _)!.Subject);
        Assert.Equal(HttpStatusCode.OK, update.Status);
        Assert.Equal(ownKey, ItemBlobProperties.SearchKey(fx.Control.GetItemData(id)));
    }

    [Fact]
    public async Task ClockSkew_MovesTheDateHeader_ItemTimes_AndErrorDates()
    {
        var skew = TimeSpan.FromHours(-3);
        await using var fx = await EmulatorFixture.StartAsync(o => o.ClockSkew = skew);
        var (importUrl, inbox, blob) = await ExactlyOnceFaultTests.PrepareAsync(fx);

        var before = Second(DateTimeOffset.UtcNow + skew);
        var id = await ImportAsync(fx, importUrl, inbox, blob);
        var item = await GetItemAsync(fx, inbox, id);
        var missing = await fx.GetAsync(fx.MailboxPath("v1.0", fx.BobMailbox, "folders/inbox/items/AgAAAAAAAAAAAAAAAAAAAAAAAAA="));
        var after = DateTimeOffset.UtcNow + skew;

        var created = DateTimeOffset.Parse((string)item["createdDateTime"]!, CultureInfo.InvariantCulture);
        Assert.InRange(created, before, after);
        Assert.InRange(missing.Headers.Date!.Value, before, after);
        var errorDate = DateTimeOffset.Parse((string)missing.Body!["error"]!["innerError"]!["date"]! + "Z", CultureInfo.InvariantCulture);
        Assert.InRange(errorDate, before, after);
        fx.Control.ClockSkew = TimeSpan.Zero;
        var now = await fx.GetAsync(fx.MailboxPath("v1.0", fx.BobMailbox, "folders/inbox"));
        Assert.InRange(now.Headers.Date!.Value, Second(DateTimeOffset.UtcNow.AddMinutes(-1)), DateTimeOffset.UtcNow.AddMinutes(1));
    }

    [Fact]
    public async Task TotalItemCount_FollowsEveryCommit_LostAnswersAndLateCommitsIncluded()
    {
        await using var fx = await EmulatorFixture.StartAsync();
        var (importUrl, inbox, blob) = await ExactlyOnceFaultTests.PrepareAsync(fx);
        var start = await CountAsync(fx, inbox);
        fx.Control.InjectNext(1, EmulatorRoutes.Import, EmulatorFault.StatusAfterCommit(503));
        fx.Control.InjectNext(1, EmulatorRoutes.Import, EmulatorFault.Drop());
        fx.Control.InjectNext(1, EmulatorRoutes.Import, EmulatorFault.LateCommit(TimeSpan.FromHours(1)));

        await fx.ImportAsync(importUrl, EmulatorFixture.CreateBody(inbox, blob));
        await Assert.ThrowsAsync<HttpRequestException>(() => fx.ImportAsync(importUrl, EmulatorFixture.CreateBody(inbox, blob)));
        await fx.ImportAsync(importUrl, EmulatorFixture.CreateBody(inbox, blob));
        var beforeLanding = await CountAsync(fx, inbox);
        await fx.Control.LandLateCommitsAsync();
        var afterLanding = await CountAsync(fx, inbox);
        var id = await ImportAsync(fx, importUrl, inbox, blob);
        await fx.SendAsync(HttpMethod.Delete, fx.MailboxPath("v1.0", fx.BobMailbox, $"folders/inbox/items/{Uri.EscapeDataString(id)}?disposalType=hardDelete"), null);

        Assert.Equal(start + 1, beforeLanding);
        Assert.Equal(start + 2, afterLanding);
        Assert.Equal(start + 2, await CountAsync(fx, inbox));
        var listed = await fx.GetAllPagesAsync(fx.MailboxPath("v1.0", fx.BobMailbox, "folders/inbox/items?$top=100&$select=id"));
        Assert.Equal(start + 2, listed.Count);
    }

    private static async Task<string> ImportAsync(EmulatorFixture fx, string importUrl, string folderId, byte[] blob)
    {
        var reply = await fx.ImportAsync(importUrl, EmulatorFixture.CreateBody(folderId, blob));
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        return (string)reply.Body!["itemId"]!;
    }

    private static async Task<System.Text.Json.Nodes.JsonObject> GetItemAsync(EmulatorFixture fx, string folderId, string itemId)
    {
        var reply = await fx.GetAsync(fx.MailboxPath("v1.0", fx.BobMailbox, $"folders/{Uri.EscapeDataString(folderId)}/items/{Uri.EscapeDataString(itemId)}"));
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        return reply.Body!;
    }

    private static async Task<int> CountAsync(EmulatorFixture fx, string folderId)
    {
        var reply = await fx.GetAsync(fx.MailboxPath("v1.0", fx.BobMailbox, $"folders/{Uri.EscapeDataString(folderId)}"));
        return (int)reply.Body!["totalItemCount"]!;
    }

    private static DateTimeOffset Second(DateTimeOffset time) => new(time.UtcTicks - time.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
}
