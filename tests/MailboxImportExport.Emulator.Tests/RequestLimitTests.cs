using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace MailboxImportExport.Emulator.Tests;

/// <summary>What the service refuses before reading a body: not JSON (415), too large (413); and a port already taken.</summary>
public class RequestLimitTests(EmulatorFixture fx) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public async Task A_body_that_is_not_json_is_415_in_the_graph_envelope()
    {
        var reply = await fx.SendAsync(HttpMethod.Post, fx.MailboxPath("v1.0", fx.AliceMailbox, "exportItems"), null,
            configure: r => r.Content = new StringContent("""{"itemIds":["x"]}""", Encoding.UTF8, "text/plain"));

        reply.AssertGraphError((HttpStatusCode)415, "UnsupportedMediaType");
        Assert.Contains("text/plain", (string?)reply.Body!["error"]!["message"]);
    }

    [Fact]
    public async Task A_json_body_with_parameters_and_a_post_without_body_are_accepted()
    {
        var session = await fx.SendAsync(HttpMethod.Post, fx.MailboxPath("v1.0", fx.BobMailbox, "createImportSession"), null);
        var folder = await fx.SendAsync(HttpMethod.Post, fx.MailboxPath("v1.0", fx.BobMailbox, "folders"), null,
            configure: r => r.Content = new StringContent("""{"displayName":"Typed json","type":"IPF.Note"}""",
                new MediaTypeHeaderValue("application/json") { CharSet = "utf-8", Parameters = { new NameValueHeaderValue("odata.metadata", "minimal") } }));

        Assert.Equal(HttpStatusCode.OK, session.Status);
        Assert.Equal(HttpStatusCode.Created, folder.Status);
    }

    [Fact]
    public async Task A_graph_body_over_4_MiB_is_413_whether_its_length_is_declared_or_not()
    {
        var json = """{"itemIds":[""" + new string(' ', 4 * 1024 * 1024) + "]}";
        var declared = await fx.SendAsync(HttpMethod.Post, fx.MailboxPath("v1.0", fx.AliceMailbox, "exportItems"), json);
        var chunked = await fx.SendAsync(HttpMethod.Post, fx.MailboxPath("v1.0", fx.AliceMailbox, "exportItems"), null,
            configure: r => r.Content = Chunked(Encoding.UTF8.GetBytes(json)));

        declared.AssertGraphError((HttpStatusCode)413, "RequestEntityTooLarge");
        chunked.AssertGraphError((HttpStatusCode)413, "RequestEntityTooLarge");
    }

    [Fact]
    public async Task An_import_body_over_201_MiB_is_413_and_nothing_is_imported()
    {
        var session = await fx.PostJsonAsync(fx.MailboxPath("v1.0", fx.BobMailbox, "createImportSession"), "");
        var importUrl = (string)session.Body!["importUrl"]!;
        var before = fx.Control.Requests.Count;

        using var request = new HttpRequestMessage(HttpMethod.Post, importUrl) { Content = new LargeJsonContent(201L * 1024 * 1024 + 1) };
        using var response = await fx.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal((HttpStatusCode)413, response.StatusCode);
        Assert.Contains("\"RequestEntityTooLarge\"", text);
        Assert.Equal(413, fx.Control.Requests.Skip(before).Single().StatusCode);
    }

    [Fact]
    public async Task A_port_already_taken_ends_the_command_line_emulator_with_exit_code_2_and_one_line()
    {
        await using var running = await EmulatorServer.StartAsync(new EmulatorOptions());
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { typeof(EmulatorServer).Assembly.Location, "--port", running.BaseUri.Port.ToString() }) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(60_000), "the emulator did not exit");

        Assert.Equal(2, process.ExitCode);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"Port {running.BaseUri.Port} on 127.0.0.1 is already in use", line);
        Assert.DoesNotContain("Exception", error + await output);
    }

    private static HttpContent Chunked(byte[] bytes)
    {
        var content = new StreamContent(new MemoryStream(bytes));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    /// <summary>A JSON body of the given size, streamed without a Content-Length (chunked) and never held in memory.</summary>
    private sealed class LargeJsonContent : HttpContent
    {
        private readonly long _size;

        public LargeJsonContent(long size)
        {
            _size = size;
            Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var head = Encoding.ASCII.GetBytes("""{"FolderId":"inbox","Mode":"create","Data":" """.TrimEnd());
            await stream.WriteAsync(head);
            var chunk = Encoding.ASCII.GetBytes(new string('A', 64 * 1024));
            try
            {
                for (var written = (long)head.Length; written < _size; written += chunk.Length) await stream.WriteAsync(chunk);
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                // The server may stop reading once the limit is passed: its answer is what counts.
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
