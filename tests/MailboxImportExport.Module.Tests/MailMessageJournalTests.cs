using MailboxImportExport.Emulator;
using MailboxImportExport.Engine.Journal;
using MailboxImportExport.Engine.Outside;
using MailboxImportExport.Engine.Transfer;
using MailboxImportExport.Fts;
using MimeKit;

namespace MailboxImportExport.Module.Tests;

/// <summary>Import-ExMailMessage -JournalPath: a re-run skips the files already imported; a changed file updates its copy.</summary>
public sealed class MailMessageJournalTests : IClassFixture<EmulatorFixture>, IDisposable
{
    private const string Bob = "bob@contoso.test";
    private readonly EmulatorFixture _emulator;
    private readonly TemporaryDirectory _temp = new("mie-outside-journal-");

    public MailMessageJournalTests(EmulatorFixture emulator) => _emulator = emulator;

    public void Dispose() => _temp.Dispose();

    private EmulatorControl Control => _emulator.Server.Control;

    private string WriteEml(string folder, string name, string subject, string body)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Zoë", "zoe@fabrikam.test"));
        message.To.Add(new MailboxAddress("Bob", Bob));
        message.Subject = subject;
        message.Date = new DateTimeOffset(2024, 3, 1, 9, 0, 0, TimeSpan.Zero);
        message.MessageId = $"{name}@fabrikam.test";
        message.Body = new TextPart("plain") { Text = body };
        var path = Path.Combine(folder, name);
        message.WriteTo(path);
        return path;
    }

    /// <summary>Calls that cost the service something: staging drafts and import posts.</summary>
    private int Sends() => Control.Requests.Count(r => r.Method == "POST" && (r.Path.EndsWith("/messages") || r.Path.EndsWith("/importItem")));

    private const string Import = """
        $bob = Get-ExMailbox $args[0]
        $folder = Get-ExMailboxFolder -MailboxId $bob.MailboxId -Recurse | Where-Object Path -eq $args[2]
        if (-not $folder) { $folder = New-ExMailboxFolder -MailboxId $bob.MailboxId -Name $args[2].TrimStart('/') }
        Import-ExMailMessage -Path $args[1] -TargetMailbox $bob -TargetFolder $folder -JournalPath $args[3] -Verbose
        """;

    [Fact]
    public void A_rerun_skips_imported_files_without_a_request_and_a_changed_file_updates_its_copy()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_temp.Path, "mail")).FullName;
        var journal = Path.Combine(_temp.Path, "mail.journal");
        var one = WriteEml(folder, "one.eml", "Journal one", "first");
        WriteEml(folder, "two.eml", "Journal two", "second");
        WriteEml(folder, "three.eml", "Journal three", "third");
        using var session = _emulator.Connect();
        var bob = Control.GetMailboxId(Bob);

        var first = session.Run(Import, Bob, folder, "/Journalled mail", journal);
        Assert.True(first.Errors.Count == 0, first.AllText);
        var copies = first.Output.Select(o => o.BaseObject).OfType<ExMailMessageImportResult>().ToDictionary(r => Path.GetFileName(r.Path));
        Assert.Equal(new[] { "one.eml", "three.eml", "two.eml" }, copies.Keys.Order());
        var target = Control.GetFolderId(bob, "/Journalled mail");

        // Run again: every file is skipped before it is read, so no draft is made and nothing is imported.
        var sendsBefore = Sends();
        var again = session.Run(Import, Bob, folder, "/Journalled mail", journal);
        Assert.True(again.Errors.Count == 0, again.AllText);
        Assert.Empty(again.Output);
        Assert.Equal(sendsBefore, Sends());
        Assert.Contains(again.Information, i => i.Contains("0 of 3 files imported, 0 updated, 3 skipped"));
        Assert.Contains(again.Verbose, v => v.Contains("one.eml was imported already"));

        // One file changed, one added: -WhatIf says which is updated, imported and skipped, and sends nothing.
        WriteEml(folder, "one.eml", "Journal one, corrected", "first, corrected");
        WriteEml(folder, "four.eml", "Journal four", "fourth");
        var preview = session.Run(Import + " -WhatIf", Bob, folder, "/Journalled mail", journal);
        Assert.True(preview.Errors.Count == 0, preview.AllText);
        Assert.Equal(sendsBefore, Sends());
        var host = string.Concat(preview.HostText.Where(c => !char.IsWhiteSpace(c)));
        Assert.Contains("\"Updatemailmessage(thefilechangedsinceitwasimported)\"on", host);
        Assert.Contains("\"Importmailmessage\"ontarget\"'Journalfour'", host);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Count(host, "\"Skipmailmessage\""));

        Control.ResetStatistics();
        var third = session.Run(Import, Bob, folder, "/Journalled mail", journal);

        Assert.True(third.Errors.Count == 0, third.AllText);
        var results = third.Output.Select(o => o.BaseObject).OfType<ExMailMessageImportResult>().ToDictionary(r => Path.GetFileName(r.Path));
        Assert.Equal(new[] { "four.eml", "one.eml" }, results.Keys.Order());
        Assert.Equal((TransferItemResult.Updated, copies["one.eml"].ItemId), (results["one.eml"].Result, results["one.eml"].ItemId));
        Assert.Equal(TransferItemResult.Copied, results["four.eml"].Result);
        Assert.Equal(1, Control.Statistics.TotalImportsCreated);
        Assert.Equal(1, Control.Statistics.ImportsUpdated.Values.Sum());
        Assert.Contains(third.Information, i => i.Contains("1 of 4 files imported, 1 updated, 2 skipped"));
        // One item per file in the folder, the changed one holding the file's new content.
        Assert.Equal(4, session.Run("Get-ExMailboxItem -MailboxId $args[0] -FolderId $args[1]", bob, target).Output.Count);
        Assert.Equal("Journal one, corrected", FtsMessageReader.Read(Control.GetItemData(copies["one.eml"].ItemId)).GetString(FtsPropertyId.Subject));

        // The job reads like any other: the files, by folder, into bob's mailbox.
        var statistics = Assert.Single(JournalReader.ReadStatistics(journal, includeFailedItems: false));
        Assert.Equal((MailMessageImporter.FilesSourceId, bob, 4, 4, "Completed"),
            (statistics.SourceMailboxId, statistics.TargetMailboxId, statistics.TotalItems, statistics.Copied, statistics.Status));
        Assert.Equal(Path.GetFullPath(one), JournalReader.ReadItems(journal).Single(r => r.Subject == "Journal one, corrected").SourceItemId);
    }

    [Fact]
    public void A_file_that_failed_is_recorded_and_tried_again_by_the_next_run()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_temp.Path, "retry")).FullName;
        var journal = Path.Combine(_temp.Path, "retry.journal");
        WriteEml(folder, "good.eml", "Journal retry good", "fine");
        var bad = Path.Combine(folder, "bad.eml");
        File.WriteAllText(bad, "not a message at all\n");
        using var session = _emulator.Connect();

        var first = session.Run(Import, Bob, folder, "/Journalled retry", journal);

        Assert.StartsWith("NotAMessage,", Assert.Single(first.Errors).FullyQualifiedErrorId);
        var failed = Assert.Single(Assert.Single(JournalReader.ReadStatistics(journal, includeFailedItems: true)).FailedItems);
        Assert.Equal(Path.GetFullPath(bad), failed.SourceItemId);
        Assert.Equal("InvalidDataException", failed.ErrorCode);

        // Fixed on disk, the file is imported by the next run; the good one is skipped.
        WriteEml(folder, "bad.eml", "Journal retry fixed", "now a message");
        var second = session.Run(Import, Bob, folder, "/Journalled retry", journal);

        Assert.True(second.Errors.Count == 0, second.AllText);
        Assert.Equal("Journal retry fixed", ((ExMailMessageImportResult)Assert.Single(second.Output).BaseObject).Subject);
        var statistics = Assert.Single(JournalReader.ReadStatistics(journal, includeFailedItems: true));
        Assert.Equal((2, 2, 0), (statistics.TotalItems, statistics.Copied, statistics.Failed));
    }
}
