using System.Text.Json.Nodes;
using MailboxImportExport.Fts;
using MimeKit;
using OutlookAttachment = MsgReader.Outlook.Storage.Attachment;
using OutlookMessage = MsgReader.Outlook.Storage.Message;

namespace MailboxImportExport.Module.Tests;

/// <summary>
/// Export-ExMailboxItem -Format Msg/Eml and ConvertTo-ExMessageFile: files people open, read back with readers that are
/// not the module's (MsgReader, MimeKit) and compared with the stream each item has in the mailbox.
/// </summary>
public sealed class MessageFileExportTests : IClassFixture<EmulatorFixture>, IDisposable
{
    private readonly EmulatorFixture _emulator;
    private readonly TemporaryDirectory _temp = new("mie-files-");

    public MessageFileExportTests(EmulatorFixture emulator) => _emulator = emulator;

    public void Dispose() => _temp.Dispose();

    /// <summary>The manifest's lines: item id → file path relative to the folder.</summary>
    private static Dictionary<string, string> Manifest(string folder) =>
        File.ReadAllLines(Path.Combine(folder, "manifest.jsonl")).Select(l => JsonNode.Parse(l)!)
            .ToDictionary(n => (string)n["itemId"]!, n => (string)n["file"]!);

    private FtsMessage Stream(string itemId) => FtsMessageReader.Read(_emulator.Server.Control.GetItemData(itemId));

    private static string? Smtp(FtsPropertyBag bag) => bag.GetString(FtsPropertyId.SmtpAddress) ?? bag.GetString(FtsPropertyId.EmailAddress);

    private static IEnumerable<(string Name, byte[] Data)> Files(FtsMessage message) =>
        message.Attachments.Where(a => a.GetBinary(FtsPropertyId.AttachDataBinary) is not null)
            .Select(a => (Fts.Conversion.MimeConversion.AttachmentName(a)!, a.GetBinary(FtsPropertyId.AttachDataBinary)!));

    [Fact]
    public void Msg_files_of_a_live_folder_carry_what_each_items_stream_says()
    {
        using var session = _emulator.Connect();
        var folder = Path.Combine(_temp.Path, "msg");

        var run = session.Run("Get-ExMailbox alice@contoso.test | Get-ExMailboxFolder -WellKnownName inbox | Get-ExMailboxItem | Export-ExMailboxItem -Path $args[0] -Format Msg", folder);

        Assert.True(run.Errors.Count == 0, run.AllText);
        var files = Manifest(folder);
        Assert.Equal(120, files.Count);
        Assert.All(files.Values, f => Assert.Matches(@"^Inbox/\d{4}-\d\d-\d\d \d{4} .+\.msg$", f));
        var embeddedSeen = false;
        foreach (var (itemId, file) in files)
        {
            var item = Stream(itemId);
            using var msg = new OutlookMessage(Path.Combine(folder, file));
            Assert.Equal(item.GetString(FtsPropertyId.Subject), msg.Subject);
            Assert.Equal(item.GetString(FtsPropertyId.SenderSmtpAddress), msg.Sender.Email);
            Assert.Equal(item.Recipients.Select(Smtp), msg.Recipients.Select(r => r.Email));
            Assert.Equal(item.GetString(FtsPropertyId.Body), msg.BodyText.TrimEnd());
            var attachments = msg.Attachments.OfType<OutlookAttachment>().Select(a => (a.FileName, a.Data)).ToList();
            Assert.Equal(Files(item).Select(f => f.Name), attachments.Select(a => a.FileName));
            Assert.True(Files(item).Select(f => f.Data).SequenceEqual(attachments.Select(a => a.Data), ByteArrays.Comparer));
            if (item.Attachments.FirstOrDefault(a => a.EmbeddedMessage is not null) is { } embedded)
            {
                embeddedSeen = true;
                Assert.Equal(embedded.EmbeddedMessage!.GetString(FtsPropertyId.Subject), Assert.Single(msg.Attachments.OfType<OutlookMessage>()).Subject);
            }
        }
        Assert.True(embeddedSeen, "alice's Inbox has a forwarded message; its .msg should hold it");
    }

    [Fact]
    public void Eml_files_are_written_for_mail_and_msg_for_the_rest_and_MimeKit_reads_them()
    {
        using var session = _emulator.Connect();
        var folder = Path.Combine(_temp.Path, "eml");

        var run = session.Run("""
            $alice = Get-ExMailbox alice@contoso.test
            $alice | Get-ExMailboxFolder -Recurse | Where-Object { $_.Path -in '/Inbox/Receipts', '/Calendar' } | Get-ExMailboxItem |
                Export-ExMailboxItem -Path $args[0] -Format Eml
            """, folder);

        Assert.Empty(run.Errors);
        var files = Manifest(folder);
        Assert.Contains(files.Values, f => f.StartsWith("Calendar/") && f.EndsWith(".msg"));
        Assert.Contains(files.Values, f => f.StartsWith("Inbox/Receipts/") && f.EndsWith(".eml"));
        foreach (var (itemId, file) in files.Where(f => f.Value.EndsWith(".eml")))
        {
            var item = Stream(itemId);
            var eml = MimeMessage.Load(Path.Combine(folder, file));
            Assert.Equal(item.GetString(FtsPropertyId.Subject), eml.Subject);
            Assert.Equal(item.GetString(FtsPropertyId.SenderSmtpAddress), eml.From.Mailboxes.Single().Address);
            Assert.Equal(item.Recipients.Select(Smtp), eml.To.Mailboxes.Concat(eml.Cc.Mailboxes).Select(m => m.Address));
            Assert.Equal(item.GetString(FtsPropertyId.Body), eml.TextBody!.TrimEnd()); // the line break before the MIME boundary
            var attachments = eml.Attachments.OfType<MimePart>().Select(p => (p.FileName, Decode(p))).ToList();
            Assert.Equal(Files(item).Select(f => f.Name), attachments.Select(a => a.FileName));
            Assert.True(Files(item).Select(f => f.Data).SequenceEqual(attachments.Select(a => a.Item2), ByteArrays.Comparer));
        }
    }

    private static byte[] Decode(MimePart part)
    {
        var output = new MemoryStream();
        part.Content!.DecodeTo(output);
        return output.ToArray();
    }

    [Fact]
    public void An_existing_export_folder_converts_without_a_connection_and_a_rerun_writes_nothing_twice()
    {
        var fts = Path.Combine(_temp.Path, "fts");
        var readable = Path.Combine(_temp.Path, "readable");
        using (var connected = _emulator.Connect())
        {
            var exported = connected.Run("Get-ExMailbox alice@contoso.test | Get-ExMailboxFolder -WellKnownName inbox | Get-ExMailboxItem -First 10 | Export-ExMailboxItem -Path $args[0]", fts);
            Assert.Empty(exported.Errors);
        }
        using var offline = new PowerShellSession();

        var first = offline.Run("ConvertTo-ExMessageFile -Path $args[0] -Destination $args[1]", fts, readable);
        var again = offline.Run("ConvertTo-ExMessageFile -Path $args[0] -Destination $args[1] -Verbose", fts, readable);
        var import = offline.Run("Import-ExMailboxItem -Path $args[0] -TargetMailboxId x -TargetWellKnownName inbox", readable);

        Assert.Empty(first.Errors);
        var written = first.Output.Select(o => (FileInfo)o.BaseObject).ToList();
        Assert.Equal(10, written.Count);
        Assert.All(written, f => Assert.Equal(".msg", f.Extension));
        Assert.All(written, f => Assert.StartsWith(Path.Combine(readable, "Inbox"), f.FullName));
        Assert.Empty(again.Errors);
        Assert.Empty(again.Output);
        Assert.Equal(10, again.Verbose.Count(v => v.StartsWith("Skipped")));
        Assert.Equal(10, Directory.GetFiles(readable, "*.msg", SearchOption.AllDirectories).Length);
        // A folder of .msg files is for people: the import says so rather than sending it.
        Assert.NotEmpty(import.Errors);
    }

    [Fact]
    public void A_folder_keeps_one_format_and_Format_needs_Path()
    {
        using var session = _emulator.Connect();
        var folder = Path.Combine(_temp.Path, "one-format");
        var script = "Get-ExMailbox alice@contoso.test | Get-ExMailboxFolder -WellKnownName inbox | Get-ExMailboxItem -First 2 | Export-ExMailboxItem -Path $args[0] -Format $args[1]";

        Assert.Empty(session.Run(script, folder, "Msg").Errors);
        var mixed = session.Run(script, folder, "Fts");
        var noPath = session.Run("Get-ExMailbox alice@contoso.test | Get-ExMailboxFolder -WellKnownName inbox | Get-ExMailboxItem -First 1 | Export-ExMailboxItem -Format Eml");

        Assert.Equal("ExportFormatMismatch", Assert.Single(mixed.Errors).FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("holds items exported as Msg", mixed.Errors[0].Exception.Message);
        Assert.Equal("FormatWithoutPath", Assert.Single(noPath.Errors).FullyQualifiedErrorId.Split(',')[0]);
    }

    private sealed class ByteArrays : IEqualityComparer<byte[]>
    {
        public static readonly ByteArrays Comparer = new();
        public bool Equals(byte[]? x, byte[]? y) => x is not null && y is not null && x.AsSpan().SequenceEqual(y);
        public int GetHashCode(byte[] obj) => obj.Length;
    }
}
