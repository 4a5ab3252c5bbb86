using System.Management.Automation;
using System.Text;
using MailboxImportExport.Engine.Models;
using MailboxImportExport.Engine.Outside;
using MailboxImportExport.Fts;
using MimeKit;

namespace MailboxImportExport.Module.Tests;

/// <summary>Import-ExMailMessage: .eml and .msg files made here (MimeKit, MsgKit) brought into a mailbox folder as received mail.</summary>
public sealed class MailMessageImportTests : IClassFixture<EmulatorFixture>, IDisposable
{
    private const string Bob = "bob@contoso.test";
    private static readonly DateTimeOffset Sent = new(2024, 2, 28, 17, 5, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Arrived = Sent.AddMinutes(3);
    private readonly EmulatorFixture _emulator;
    private readonly TemporaryDirectory _temp = new("mie-outside-");

    public MailMessageImportTests(EmulatorFixture emulator) => _emulator = emulator;

    public void Dispose() => _temp.Dispose();

    /// <summary>What a file held, to compare the imported item against.</summary>
    private sealed record Expected(string Subject, string From, string[] To, string[] Cc, DateTimeOffset Sent, DateTimeOffset Received, bool IsRead,
        Dictionary<string, byte[]> Attachments, string? EmbeddedSubject = null);

    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static MimeMessage Mail(string subject, bool read)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Zoë Ångström", "zoe@fabrikam.test"));
        message.To.Add(new MailboxAddress("Bob Berg", Bob));
        message.To.Add(new MailboxAddress("Ølaf Ünder", "olaf@contoso.test"));
        message.Cc.Add(new MailboxAddress("Carol Chen", "carol@contoso.test"));
        message.Subject = subject;
        message.Date = Sent;
        message.MessageId = $"{Guid.NewGuid():N}@fabrikam.test";
        message.Headers.Add(HeaderId.Received, $"from mx.fabrikam.test by mx.contoso.test; {MimeKit.Utils.DateUtils.FormatDate(Arrived)}");
        message.Headers.Add("X-Mozilla-Status", read ? "0001" : "0000");
        return message;
    }

    private Expected WriteEml(string name, MimeMessage message, bool read, Dictionary<string, byte[]> attachments, string? embeddedSubject = null)
    {
        message.WriteTo(Path.Combine(_temp.Path, name));
        return new Expected(message.Subject!, "zoe@fabrikam.test", [Bob, "olaf@contoso.test"], ["carol@contoso.test"], Sent, Arrived, read, attachments, embeddedSubject);
    }

    /// <summary>The sample folder: plain text, HTML with inline images, many attachments (one above 3 MB, one above 25 MB), non-ASCII, an embedded message, a .msg.</summary>
    private Dictionary<string, Expected> SampleFolder()
    {
        var expected = new Dictionary<string, Expected>();

        var plain = Mail("Plain text only", read: false);
        plain.Importance = MessageImportance.High;
        plain.Body = new TextPart("plain") { Text = "Just text." };
        expected["plain.eml"] = WriteEml("plain.eml", plain, false, new());

        var html = Mail("Ünïcödé — HTML mit Bildern 🖼", read: true);
        var logo = Bytes(30_000, 1);
        var chart = Bytes(1_200_000, 2);
        var htmlBody = new BodyBuilder { HtmlBody = "<p>Logo <img src=\"cid:logo@fabrikam.test\"> chart <img src=\"cid:chart@fabrikam.test\"></p>", TextBody = "Logo, chart" };
        htmlBody.LinkedResources.Add("logo.png", logo, ContentType.Parse("image/png")).ContentId = "logo@fabrikam.test";
        htmlBody.LinkedResources.Add("chart.png", chart, ContentType.Parse("image/png")).ContentId = "chart@fabrikam.test";
        html.Body = htmlBody.ToMessageBody();
        expected["html.eml"] = WriteEml("html.eml", html, true, new() { ["logo.png"] = logo, ["chart.png"] = chart });

        var many = Mail("Quarterly files", read: true);
        var files = new Dictionary<string, byte[]>
        {
            ["notes.txt"] = Encoding.UTF8.GetBytes("small notes ✓"),
            ["naïve résumé.docx"] = Bytes(12_000, 3),
            ["report.pdf"] = Bytes(3_500_000, 4),
            ["recording.mp4"] = Bytes(26 * 1024 * 1024, 5),
        };
        var manyBody = new BodyBuilder { TextBody = "Four files." };
        foreach (var (name, data) in files) manyBody.Attachments.Add(name, data);
        many.Body = manyBody.ToMessageBody();
        expected["attachments.eml"] = WriteEml("attachments.eml", many, true, files);

        var original = Mail("The original", read: true);
        var innerFile = Bytes(5000, 6);
        var originalBody = new BodyBuilder { TextBody = "First." };
        originalBody.Attachments.Add("inner.bin", innerFile);
        original.Body = originalBody.ToMessageBody();
        var forward = Mail("FW: The original", read: true);
        forward.Body = new Multipart("mixed") { new TextPart("plain") { Text = "See below." }, new MessagePart { Message = original } };
        expected["forward.eml"] = WriteEml("forward.eml", forward, true, new(), embeddedSubject: "The original");

        var msgAttachment = Bytes(4_000_000, 7);
        var msgPath = Path.Combine(_temp.Path, "outlook.msg");
        using (var email = new MsgKit.Email(new MsgKit.Sender("zoe@fabrikam.test", "Zoë Ångström"), "Grüße aus Köln — .msg"))
        {
            email.Recipients.AddTo(Bob, "Bob Berg");
            email.Recipients.AddTo("olaf@contoso.test", "Ølaf Ünder");
            email.Recipients.AddCc("carol@contoso.test", "Carol Chen");
            email.SentOn = Sent.UtcDateTime;
            email.ReceivedOn = Arrived.UtcDateTime;
            email.BodyText = "From Outlook.";
            email.BodyHtml = "<p>From <b>Outlook</b>.</p>";
            email.Attachments.Add(new MemoryStream(msgAttachment), "data.bin");
            email.Save(msgPath);
        }
        var msgRead = ((MailboxImportExport.Fts.Conversion.MsgFile.Read(File.OpenRead(msgPath)).GetInt32(FtsPropertyId.MessageFlags) ?? 0) & 1) != 0;
        expected["outlook.msg"] = new Expected("Grüße aus Köln — .msg", "zoe@fabrikam.test", [Bob, "olaf@contoso.test"], ["carol@contoso.test"], Sent, Arrived, msgRead,
            new() { ["data.bin"] = msgAttachment });
        return expected;
    }

    private FtsMessage ExportedBack(PowerShellSession session, ExMailMessageImportResult result)
    {
        var exported = session.Run("Export-ExMailboxItem -MailboxId $args[0] -ItemId $args[1]", result.TargetMailboxId, result.ItemId);
        Assert.Empty(exported.Errors);
        return FtsMessageReader.Read(((ExExportedItem)Assert.Single(exported.Output).BaseObject).Data.ReadAllBytes());
    }

    private static string? SmtpOf(FtsPropertyBag bag) => bag.GetString(FtsPropertyId.SmtpAddress) ?? bag.GetString(FtsPropertyId.EmailAddress);

    [Fact]
    public void A_folder_of_eml_and_msg_files_becomes_received_mail_in_the_chosen_folder()
    {
        var expected = SampleFolder();
        using var session = _emulator.Connect();
        var control = _emulator.Server.Control;
        var bobMailbox = control.GetMailboxId(Bob);
        var draftsBefore = session.Run("(Get-ExMailbox $args[0] | Get-ExMailboxFolder -WellKnownName drafts).TotalItemCount", Bob).Output.Single().ToString();

        var run = session.Run("""
            $bob = Get-ExMailbox $args[0]
            $folder = New-ExMailboxFolder -MailboxId $bob.MailboxId -Name 'From outside'
            Import-ExMailMessage -Path $args[1] -TargetMailbox $bob -TargetFolder $folder -InformationVariable info
            $info | Where-Object Tags -contains Summary | ForEach-Object MessageData
            """, Bob, _temp.Path);

        Assert.Empty(run.Errors);
        var results = run.Output.Select(o => o.BaseObject).OfType<ExMailMessageImportResult>().ToList();
        Assert.Equal(expected.Keys.Order(), results.Select(r => Path.GetFileName(r.Path)).Order());
        var summary = run.Output.Single(o => o.BaseObject.GetType().Name == "ExMailImportSummary");
        Assert.Equal("5 5 0", $"{summary.Properties["Files"].Value} {summary.Properties["Imported"].Value} {summary.Properties["Failed"].Value}");
        Assert.Contains(run.Progress, p => p.PercentComplete == 40 && p.StatusDescription.StartsWith("File 3 of 5"));
        var folderId = control.GetFolderId(bobMailbox, "/From outside");
        foreach (var result in results)
        {
            var want = expected[Path.GetFileName(result.Path)];
            Assert.Equal(folderId, result.TargetFolderId);
            var item = ExportedBack(session, result);
            Assert.Equal(want.Subject, item.GetString(FtsPropertyId.Subject));
            Assert.Equal(want.From, item.GetString(FtsPropertyId.SenderSmtpAddress));
            Assert.Equal(want.To, item.Recipients.Where(r => r.GetInt32(FtsPropertyId.RecipientType) == 1).Select(SmtpOf));
            Assert.Equal(want.Cc, item.Recipients.Where(r => r.GetInt32(FtsPropertyId.RecipientType) == 2).Select(SmtpOf));
            Assert.Equal(want.Sent.UtcDateTime, item.GetTime(FtsPropertyId.ClientSubmitTime));
            Assert.Equal(want.Received.UtcDateTime, item.GetTime(FtsPropertyId.MessageDeliveryTime));
            var flags = item.GetInt32(FtsPropertyId.MessageFlags) ?? 0;
            Assert.True((flags & 0x8) == 0, $"{result.Path} was imported as a draft");
            Assert.Equal(want.IsRead, (flags & 0x1) != 0);
            Assert.Equal(Path.GetFileName(result.Path) == "plain.eml" ? 2 : 1, item.GetInt32(FtsPropertyId.Importance));
            var files = item.Attachments.Where(a => a.EmbeddedMessage is null)
                .ToDictionary(a => a.GetString(FtsPropertyId.AttachLongFilename)!, a => a.GetBinary(FtsPropertyId.AttachDataBinary)!);
            Assert.Equal(want.Attachments.Keys.Order(), files.Keys.Order());
            foreach (var (name, data) in want.Attachments) Assert.True(data.AsSpan().SequenceEqual(files[name]), $"{name} of {result.Path} differs");
            if (want.EmbeddedSubject is { } embedded)
            {
                var inner = Assert.Single(item.Attachments, a => a.EmbeddedMessage is not null).EmbeddedMessage!;
                Assert.Equal(embedded, inner.GetString(FtsPropertyId.Subject));
                Assert.Equal(Bytes(5000, 6), inner.Attachments.Single().GetBinary(FtsPropertyId.AttachDataBinary));
            }
        }
        // Inline images stayed inline; the large files went through upload sessions; every staging draft was purged.
        var html = ExportedBack(session, results.Single(r => r.Path.EndsWith("html.eml")));
        Assert.All(html.Attachments, a => Assert.True(a.GetBoolean(FtsPropertyId.AttachmentHidden)));
        Assert.Equal(2, results.Single(r => r.Path.EndsWith("attachments.eml")).AttachmentsAddedSeparately);
        Assert.Contains(control.UploadSessions, s => s.Name == "recording.mp4" && s.State == MailboxImportExport.Emulator.Outlook.UploadSessionState.Completed);
        Assert.Equal(draftsBefore, session.Run("(Get-ExMailbox $args[0] | Get-ExMailboxFolder -WellKnownName drafts).TotalItemCount", Bob).Output.Single().ToString());
    }

    [Fact]
    public void Mail_goes_into_an_archive_mailbox_with_its_drafts_made_in_the_owners_primary()
    {
        var mail = Mail("Archived from outside", read: true);
        mail.Body = new TextPart("plain") { Text = "old" };
        var path = Path.Combine(_temp.Path, "archived.eml");
        mail.WriteTo(path);
        using var session = _emulator.Connect("beta");
        var control = _emulator.Server.Control;

        // The archive as a mailbox object (how Get-ExMailbox lists archives is changing elsewhere).
        var run = session.Run("""
            $archive = [MailboxImportExport.Engine.Models.ExMailbox]::new($args[1], 'alice@contoso.test', 'Archive')
            Import-ExMailMessage -Path $args[0] -TargetMailbox $archive -TargetWellKnownName inbox
            """, path, control.GetMailboxId("alice@contoso.test", archive: true));

        Assert.True(run.Errors.Count == 0, run.AllText);
        var result = (ExMailMessageImportResult)Assert.Single(run.Output).BaseObject;
        Assert.Equal(control.GetMailboxId("alice@contoso.test", archive: true), result.TargetMailboxId);
        Assert.Equal("Archived from outside", FtsMessageReader.Read(control.GetItemData(result.ItemId)).GetString(FtsPropertyId.Subject));
        Assert.Contains(control.Requests, r => r.Method == "POST" && r.Path == "/beta/users/alice@contoso.test/messages");
    }

    [Fact]
    public void Bad_files_get_clear_errors_and_the_good_ones_are_still_imported()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_temp.Path, "mixed")).FullName;
        File.WriteAllBytes(Path.Combine(folder, "empty.eml"), []);
        File.WriteAllText(Path.Combine(folder, "not-mime.eml"), "hello, this is just a line of text\nand another\n");
        var good = Mail("The good one", read: true);
        good.Body = new TextPart("plain") { Text = "ok" };
        good.WriteTo(Path.Combine(folder, "good.eml"));
        var msgPath = Path.Combine(_temp.Path, "whole.msg");
        using (var email = new MsgKit.Email(new MsgKit.Sender("zoe@fabrikam.test", "Zoë"), "Cut short"))
        {
            email.BodyText = "x";
            email.Attachments.Add(new MemoryStream(Bytes(200_000, 8)), "a.bin");
            email.Save(msgPath);
        }
        var whole = File.ReadAllBytes(msgPath);
        File.WriteAllBytes(Path.Combine(folder, "truncated.msg"), whole.Take(whole.Length / 2).ToArray());
        WriteHugeAttachmentEml(Path.Combine(folder, "huge.eml"), 151L * 1024 * 1024);
        using var session = _emulator.Connect();
        var draftRequests = _emulator.Server.Control.Requests.Count(r => r.Method == "POST" && r.Path.EndsWith("/messages"));

        var run = session.Run("Import-ExMailMessage -Path $args[0], $args[1] -TargetMailbox (Get-ExMailbox $args[2]) -TargetWellKnownName inbox",
            folder, Path.Combine(_temp.Path, "missing.eml"), Bob);

        var errors = run.Errors.ToDictionary(e => Path.GetFileName(e.TargetObject?.ToString() ?? ""), e => e);
        Assert.Equal(new[] { "empty.eml", "huge.eml", "missing.eml", "not-mime.eml", "truncated.msg" }, errors.Keys.Order());
        Assert.Contains("empty (0 bytes)", errors["empty.eml"].Exception.Message);
        Assert.Contains("150 MB", errors["huge.eml"].Exception.Message);
        Assert.Equal(ErrorCategory.ObjectNotFound, errors["missing.eml"].CategoryInfo.Category);
        Assert.Contains("not a MIME message", errors["not-mime.eml"].Exception.Message);
        Assert.Contains("not a readable .msg file", errors["truncated.msg"].Exception.Message);
        var imported = (ExMailMessageImportResult)Assert.Single(run.Output).BaseObject;
        Assert.Equal("The good one", imported.Subject);
        // Only the good file reached the service: the bad ones were refused before any draft was made.
        Assert.Equal(draftRequests + 1, _emulator.Server.Control.Requests.Count(r => r.Method == "POST" && r.Path.EndsWith("/messages")));
    }

    /// <summary>An .eml with one attachment of <paramref name="size"/> zero bytes, written as it is encoded (never whole in memory).</summary>
    private static void WriteHugeAttachmentEml(string path, long size)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false)) { NewLine = "\r\n" };
        writer.WriteLine("From: zoe@fabrikam.test");
        writer.WriteLine("To: bob@contoso.test");
        writer.WriteLine("Subject: Too large");
        writer.WriteLine("MIME-Version: 1.0");
        writer.WriteLine("Content-Type: multipart/mixed; boundary=\"b\"");
        writer.WriteLine();
        writer.WriteLine("--b");
        writer.WriteLine("Content-Type: text/plain");
        writer.WriteLine();
        writer.WriteLine("body");
        writer.WriteLine("--b");
        writer.WriteLine("Content-Type: application/octet-stream");
        writer.WriteLine("Content-Disposition: attachment; filename=\"huge.bin\"");
        writer.WriteLine("Content-Transfer-Encoding: base64");
        writer.WriteLine();
        var line = Convert.ToBase64String(new byte[57]); // 76 characters: a full base64 line
        for (long written = 0; written < size; written += 57) writer.WriteLine(line);
        writer.WriteLine("--b--");
    }

    [Fact]
    public void WhatIf_creates_nothing()
    {
        var plain = Mail("Only a preview", read: true);
        plain.Body = new TextPart("plain") { Text = "x" };
        var path = Path.Combine(_temp.Path, "preview.eml");
        plain.WriteTo(path);
        using var session = _emulator.Connect();
        var before = _emulator.Server.Control.Requests.Count;

        var run = session.Run("[System.IO.FileInfo]::new($args[0]) | Import-ExMailMessage -TargetMailbox (Get-ExMailbox $args[1]) -TargetWellKnownName inbox -WhatIf", path, Bob);

        Assert.Empty(run.Errors);
        Assert.Empty(run.Output);
        Assert.Contains("'Only a preview'", run.HostText);
        Assert.DoesNotContain(_emulator.Server.Control.Requests.Skip(before), r => r.Method == "POST");
    }
}
