using System.Net;
using System.Reflection;
using System.Text.Json;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Models;
using MailboxImportExport.Fts.Tests;
using MailboxImportExport.Engine.Tests.Http;
using MailboxImportExport.Engine.Transfer;
using static MailboxImportExport.Engine.Tests.Transfer.TransferTestData;

namespace MailboxImportExport.Engine.Tests.Transfer;

public class ImportServiceTests
{
    private const string ImportHost = "outlook.example.test";
    private const string Secret = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.c2Vzc2lvbg.c2lnbmF0dXJl";
    private static readonly DateTimeOffset Start = new(2026, 5, 7, 9, 0, 0, TimeSpan.Zero);

    private readonly List<long?> _contentLengths = new();
    private int _sessions;
    private DateTimeOffset _now = Start;

    /// <summary>
    /// A fake service: createImportSession hands out session n (valid 10 minutes from the fake clock), the import
    /// URL answers with <paramref name="importAnswer"/> given the session number the post used.
    /// </summary>
    private (ImportService, RoutingHandler) Service(Func<int, HttpResponseMessage>? importAnswer = null, HttpStatusCode sessionStatus = HttpStatusCode.OK,
        Func<Task>? beforeImportAnswer = null)
    {
        importAnswer ??= _ => RoutingHandler.Json(HttpStatusCode.OK, """{"@odata.context":"x","itemId":"new-item","changeKey":"new-ck"}""");
        var handler = new RoutingHandler(async (request, _) =>
        {
            if (request.RequestUri!.AbsolutePath.EndsWith("/createImportSession", StringComparison.Ordinal))
            {
                var n = Interlocked.Increment(ref _sessions);
                return RoutingHandler.Json(sessionStatus,
                    $$"""{"importUrl":"https://{{ImportHost}}/api/gv1.0/Mailboxes('{{Mailbox}}')/importItem?authtoken={{Secret}}-{{n}}","expirationDateTime":"{{_now.AddMinutes(10):O}}"}""");
            }
            lock (_contentLengths) _contentLengths.Add(request.Content!.Headers.ContentLength);
            if (beforeImportAnswer is not null) await beforeImportAnswer();
            return importAnswer(int.Parse(request.RequestUri.Query.Split('-').Last()));
        });
        handler.Tracked.Add("/importItem");
        return (new ImportService(handler.Client(), new ImportServiceOptions(), () => _now), handler);
    }

    private static ImportRequest Create(byte[] data) => new(Mailbox, "target-folder", FtsData.FromBytes(data));

    private static IEnumerable<RecordedRequest> Imports(RoutingHandler handler) => handler.Requests.Where(r => r.Url.Host == ImportHost);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(48 * 1024 * 2 + 1)]
    public async Task The_body_is_pascal_case_json_with_the_data_as_base64_and_no_authorization(int size)
    {
        var (service, handler) = Service(sessionStatus: HttpStatusCode.Created);
        var bytes = FtsTestMessages.Pattern(size);
        var source = ExExportedItem.FromExport(new ExportRequest("MBX:source@tenant", "source-item") { FolderId = "source-folder" }, "ck", FtsData.FromBytes(bytes));

        var result = await service.ImportAsync(ImportRequest.For(source, Mailbox, "target-folder"), CancellationToken.None);

        var post = Assert.Single(Imports(handler));
        Assert.Equal(HttpMethod.Post, post.Method);
        Assert.Null(post.Authorization);
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(post.Body!), Assert.Single(_contentLengths));
        var body = JsonDocument.Parse(post.Body!).RootElement;
        Assert.Equal(new[] { "FolderId", "Mode", "Data" }, body.EnumerateObject().Select(p => p.Name));
        Assert.Equal("target-folder", body.GetProperty("FolderId").GetString());
        Assert.Equal("create", body.GetProperty("Mode").GetString());
        Assert.Equal(bytes, Convert.FromBase64String(body.GetProperty("Data").GetString()!));

        Assert.Equal("new-item", result.ItemId);
        Assert.Equal("new-ck", result.ChangeKey);
        Assert.Equal(ImportMode.Create, result.Mode);
        Assert.Equal(("MBX:source@tenant", "source-folder", "source-item"), (result.SourceMailboxId, result.SourceFolderId, result.SourceItemId));
        Assert.Equal((Mailbox, "target-folder", (long)size), (result.TargetMailboxId, result.TargetFolderId, result.Size));
    }

    [Fact]
    public async Task An_update_names_the_item_and_its_change_key_and_streams_from_a_file()
    {
        var (service, handler) = Service();
        var path = Path.GetTempFileName();
        try
        {
            var bytes = Blob();
            File.WriteAllBytes(path, bytes);
            var request = new ImportRequest(Mailbox, "target-folder", FtsData.FromFile(path))
            {
                Mode = ImportMode.Update,
                ItemId = "existing-item",
                ChangeKey = "existing-ck",
            };

            await service.ImportAsync(request, CancellationToken.None);

            var body = JsonDocument.Parse(Assert.Single(Imports(handler)).Body!).RootElement;
            Assert.Equal("update", body.GetProperty("Mode").GetString());
            Assert.Equal("existing-item", body.GetProperty("ItemId").GetString());
            Assert.Equal("existing-ck", body.GetProperty("ChangeKey").GetString());
            Assert.Equal(bytes, Convert.FromBase64String(body.GetProperty("Data").GetString()!));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(ImportMode.Create, "item", null, "target-folder", "must not name an existing one, but ItemId was given")]
    [InlineData(ImportMode.Create, "item", "ck", "target-folder", "ItemId and ChangeKey were given")]
    [InlineData(ImportMode.Update, "item", null, "target-folder", "no ChangeKey was given")]
    [InlineData(ImportMode.Update, null, null, "target-folder", "no ItemId and ChangeKey were given")]
    [InlineData(ImportMode.Create, null, null, " ", "target folder id is empty")]
    public async Task Mode_rules_are_checked_before_anything_is_sent(ImportMode mode, string? itemId, string? changeKey, string folder, string expected)
    {
        var (service, handler) = Service();
        var request = new ImportRequest(Mailbox, folder, FtsData.FromBytes(Blob())) { Mode = mode, ItemId = itemId, ChangeKey = changeKey };

        var e = await Assert.ThrowsAsync<ArgumentException>(() => service.ImportAsync(request, CancellationToken.None));

        Assert.Contains(expected, e.Message);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task A_session_of_another_mailbox_is_refused()
    {
        var (service, handler) = Service();
        var session = await service.CreateSessionAsync("MBX:other@tenant", CancellationToken.None);

        var e = await Assert.ThrowsAsync<ArgumentException>(() => service.ImportAsync(new ImportRequest(Mailbox, "f", FtsData.FromBytes(Blob())) { Session = session }, CancellationToken.None));

        Assert.Contains("belongs to mailbox MBX:other@tenant", e.Message);
        Assert.Empty(Imports(handler));
    }

    [Fact]
    public async Task One_session_serves_many_imports_and_is_renewed_before_it_expires()
    {
        var (service, handler) = Service();
        await service.ImportAsync(Create(Blob()), CancellationToken.None);
        _now = Start.AddMinutes(7);
        await service.ImportAsync(Create(Blob()), CancellationToken.None);
        Assert.Equal(1, _sessions);

        // 1 m 30 s left, less than the 2-minute margin.
        _now = Start.AddMinutes(8.5);
        await service.ImportAsync(Create(Blob()), CancellationToken.None);

        Assert.Equal(2, _sessions);
        Assert.Equal(new[] { "1", "1", "2" }, Imports(handler).Select(r => r.Url.Query.Split('-').Last()));
    }

    [Fact]
    public async Task A_refused_session_is_renewed_once_and_the_item_sent_once_more()
    {
        var (service, handler) = Service(session => session == 1
            ? RoutingHandler.Json(HttpStatusCode.Unauthorized, """{"error":{"code":"InvalidAuthenticationToken","message":"Access token has expired."}}""")
            : RoutingHandler.Json(HttpStatusCode.OK, """{"itemId":"new-item","changeKey":"new-ck"}"""));

        var result = await service.ImportAsync(Create(Blob()), CancellationToken.None);

        Assert.Equal("new-item", result.ItemId);
        Assert.Equal(2, _sessions);
        Assert.Equal(2, Imports(handler).Count());
    }

    [Fact]
    public async Task A_session_refused_twice_fails_after_one_retry_without_showing_the_url_credential()
    {
        var (service, handler) = Service(_ => RoutingHandler.Json(HttpStatusCode.Forbidden,
            $$$"""{"error":{"code":"ErrorAccessDenied","message":"Token for https://{{{ImportHost}}}/importItem?authtoken={{{Secret}}} refused"}}"""));

        var e = await Assert.ThrowsAsync<GraphException>(() => service.ImportAsync(Create(Blob()), CancellationToken.None));

        Assert.Equal(HttpStatusCode.Forbidden, e.StatusCode);
        Assert.Equal(2, Imports(handler).Count());
        Assert.DoesNotContain(Secret, e.ToString());
        Assert.DoesNotContain("authtoken=" + Secret[..10], e.ToString());
        Assert.DoesNotContain("authtoken", e.Url!, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task An_archive_session_mismatch_imports_once_through_a_session_on_the_mailbox_the_service_names()
    {
        var (service, handler) = Service(session => session == 1
            ? RoutingHandler.Json(HttpStatusCode.Conflict, """{"Message":"Invalid import session. The target session is expected in mailbox MBX:archive@tenant"}""")
            : RoutingHandler.Json(HttpStatusCode.OK, """{"itemId":"aux-item","changeKey":"aux-ck"}"""));

        var result = await service.ImportAsync(Create(Blob()), CancellationToken.None);
        var second = await service.ImportAsync(Create(Blob()), CancellationToken.None);

        Assert.Equal(("aux-item", Mailbox), (result.ItemId, result.TargetMailboxId));
        var sessions = handler.To("/createImportSession").Select(r => Uri.UnescapeDataString(r.Url.AbsolutePath)).ToList();
        Assert.Equal(2, sessions.Count);
        Assert.Contains("MBX:archive@tenant", sessions[1]);
        // The folder is known to live there now: the next item goes straight through the archive's session.
        Assert.Equal(3, Imports(handler).Count());
        Assert.Equal("aux-item", second.ItemId);
    }

    [Fact]
    public async Task Other_failures_are_not_retried_so_nothing_is_imported_twice()
    {
        var (service, handler) = Service(_ => RoutingHandler.Json(HttpStatusCode.BadRequest,
            """{"error":{"code":"ErrorCorruptData","message":"Data is not an item export."}}"""));

        var e = await Assert.ThrowsAsync<GraphException>(() => service.ImportAsync(Create(Blob()), CancellationToken.None));

        Assert.Equal(HttpStatusCode.BadRequest, e.StatusCode);
        Assert.Single(Imports(handler));
        Assert.Equal(1, _sessions);
        Assert.DoesNotContain("authtoken", e.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    [InlineData(408)]
    public async Task A_status_that_may_hide_a_commit_is_an_unknown_outcome_and_is_not_sent_again(int status)
    {
        var (service, handler) = Service(_ => RoutingHandler.Json((HttpStatusCode)status, """{"error":{"code":"x","message":"y"}}"""));

        var e = await Assert.ThrowsAsync<ImportOutcomeUnknownException>(() => service.ImportAsync(Create(Blob()), CancellationToken.None));

        Assert.Equal((HttpStatusCode)status, e.StatusCode);
        Assert.Single(Imports(handler));
    }

    [Fact]
    public async Task Concurrent_imports_share_one_session_and_at_most_four_run_per_mailbox()
    {
        var release = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var (service, handler) = Service(beforeImportAnswer: () => release.Task);

        var imports = Enumerable.Range(0, 10).Select(_ => Task.Run(() => service.ImportAsync(Create(Blob()), CancellationToken.None))).ToList();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (Imports(handler).Count() < 4 && clock.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(10);
        Assert.Equal(4, Imports(handler).Count());

        release.SetResult(true);
        await Task.WhenAll(imports);

        Assert.Equal(10, Imports(handler).Count());
        Assert.Equal(4, handler.MaxInFlight("/importItem"));
        Assert.Equal(1, _sessions);
    }

    [Fact]
    public async Task The_import_url_is_never_exposed_by_the_session()
    {
        var (service, _) = Service();
        var session = await service.CreateSessionAsync(Mailbox, CancellationToken.None);

        Assert.Equal(Start.AddMinutes(10), session.ExpirationDateTime);
        Assert.DoesNotContain("authtoken", session.ToString(), StringComparison.OrdinalIgnoreCase);
        var publicMembers = typeof(ExImportSession).GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static);
        Assert.DoesNotContain(publicMembers, m => m is PropertyInfo p && p.PropertyType == typeof(Uri)
            || m is MethodInfo method && method.ReturnType == typeof(Uri)
            || m is FieldInfo);
        foreach (var property in typeof(ExImportSession).GetProperties(BindingFlags.Public | BindingFlags.Instance))
            Assert.DoesNotContain("authtoken", property.GetValue(session)?.ToString() ?? "", StringComparison.OrdinalIgnoreCase);
    }
}
