using System.Diagnostics;
using MailboxImportExport.Emulator.Outlook;
using MailboxImportExport.Emulator;
using MailboxImportExport.Engine.Auth;
using MailboxImportExport.Engine.Models;
using MailboxImportExport.Fts;

namespace MailboxImportExport.Module.Tests;

/// <summary>Add-ExMailboxItemAttachment against the emulator: posts, upload sessions, resume, Ctrl+C and bad inputs.</summary>
public sealed class AttachmentTests : IClassFixture<EmulatorFixture>, IDisposable
{
    private const string Bob = "bob@contoso.test";
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);
    private readonly EmulatorFixture _emulator;
    private readonly TemporaryDirectory _temp = new("mie-attach-");

    public AttachmentTests(EmulatorFixture emulator) => _emulator = emulator;

    public void Dispose()
    {
        _emulator.Server.Control.ReleaseUploads();
        _temp.Dispose();
    }

    /// <summary>A draft of bob's to attach to (or an event in his calendar), planted straight in the store.</summary>
    private string Draft(string subject, string messageClass = "IPM.Note", string folder = "drafts")
    {
        var message = new FtsMessage();
        message.Properties.Add(FtsProperty.String(FtsPropertyId.MessageClass, messageClass));
        message.Properties.Add(FtsProperty.String(FtsPropertyId.Subject, subject));
        message.Properties.Add(FtsProperty.Int32(FtsPropertyId.MessageFlags, 0x9));
        var control = _emulator.Server.Control;
        return control.AddItem(control.GetMailboxId(Bob), folder, new FtsWriter().Write(message));
    }

    private string File(string name, int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        var path = Path.Combine(_temp.Path, name);
        System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }

    private byte[] AttachmentBytes(string itemId, string name) =>
        FtsMessageReader.Read(_emulator.Server.Control.GetItemData(itemId)).Attachments
            .Single(a => a.GetString(FtsPropertyId.AttachLongFilename) == name).GetBinary(FtsPropertyId.AttachDataBinary)!;

    private UploadSessionInfo SessionOf(string itemId) => _emulator.Server.Control.UploadSessions.Single(s => s.ItemId == itemId);

    private static void WaitFor(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > Patience) throw new TimeoutException($"Gave up waiting for {what}.");
            Thread.Yield();
        }
    }

    [Fact]
    public void A_40_MB_file_goes_through_an_upload_session_in_ranges_of_at_most_4_MB_and_arrives_byte_for_byte_with_progress()
    {
        using var session = _emulator.Connect();
        var itemId = Draft("Forty megabytes");
        var path = File("video.mp4", 40 * 1024 * 1024, seed: 40);

        var run = session.Run("Add-ExMailboxItemAttachment -UserId $args[0] -MessageId $args[1] -Path $args[2]", Bob, itemId, path);

        Assert.Empty(run.Errors);
        var attachment = (ExAttachment)Assert.Single(run.Output).BaseObject;
        Assert.Equal("video.mp4", attachment.Name);
        Assert.Equal(40 * 1024 * 1024, attachment.Size);
        Assert.Equal("video/mp4", attachment.ContentType);
        Assert.True(attachment.UploadedInChunks);
        Assert.False(string.IsNullOrEmpty(attachment.Id));
        Assert.Equal(System.IO.File.ReadAllBytes(path), AttachmentBytes(itemId, "video.mp4"));
        var upload = SessionOf(itemId);
        Assert.Equal(UploadSessionState.Completed, upload.State);
        Assert.Equal(upload.Size, upload.BytesReceived);
        Assert.Equal((int)Math.Ceiling(upload.Size / (double)(12 * 320 * 1024)), upload.ChunksAccepted);
        // Progress: bytes, percent and rate while it ran, and a completed record at the end.
        var shown = run.Progress.Where(p => p.RecordType == System.Management.Automation.ProgressRecordType.Processing).ToList();
        Assert.Contains(shown, p => p.PercentComplete is > 0 and < 100 && p.StatusDescription.Contains("MB/s"));
        Assert.Equal(System.Management.Automation.ProgressRecordType.Completed, run.Progress[^1].RecordType);
        Assert.DoesNotContain("authtoken=ey", run.AllText);
    }

    [Fact]
    public void An_upload_killed_halfway_resumes_in_a_new_process_and_sends_only_the_remaining_bytes()
    {
        var control = _emulator.Server.Control;
        var itemId = Draft("Resumed");
        var path = File("archive.zip", 20 * 1024 * 1024, seed: 20);
        var resumeFile = Path.Combine(_temp.Path, "archive.upload.json");
        var script = Path.Combine(_temp.Path, "upload.ps1");
        System.IO.File.WriteAllText(script, """
            param([string] $Manifest, [uri] $Emulator, [string] $Secret, [string] $MessageId, [string] $File, [string] $ResumeFile)
            Import-Module $Manifest -ErrorAction Stop
            $secure = [System.Net.NetworkCredential]::new('', $Secret).SecurePassword
            Connect-ExMailboxService -Emulator $Emulator -ClientSecret $secure -ErrorAction Stop
            Add-ExMailboxItemAttachment -UserId bob@contoso.test -MessageId $MessageId -Path $File -ResumeFile $ResumeFile -ErrorAction Stop
            """);
        control.HoldUploadsFrom(8 * 1024 * 1024);
        using (var child = ScriptProcess.StartInBareHost(script, ModuleUnderTest.ManifestPath, _emulator.BaseUri.ToString(), EmulatorDemoApp.ClientSecret,
                   itemId, path, resumeFile))
        {
            WaitFor(() => control.HeldUploadRanges == 1 || child.HasExited, "the child's upload to reach 8 MB");
            Assert.False(child.HasExited, "the child process ended before its upload was held");
            child.Kill(entireProcessTree: true);
            child.WaitForExit();
        }
        var putsBefore = Puts();
        control.ReleaseUploads();
        // The held range was sent by a process that no longer exists: wait until the emulator has finished with it.
        WaitFor(() => Puts() > putsBefore, "the emulator to finish the killed process's last range");
        var atKill = SessionOf(itemId);
        Assert.True(System.IO.File.Exists(resumeFile));
        Assert.InRange(atKill.NextExpectedOffset, 1, atKill.Size - 1);

        using var session = _emulator.Connect();
        var run = session.Run("Add-ExMailboxItemAttachment -UserId $args[0] -MessageId $args[1] -Path $args[2] -ResumeFile $args[3] -Verbose", Bob, itemId, path, resumeFile);

        Assert.Empty(run.Errors);
        Assert.Contains(run.Verbose, v => v.Contains("Resuming the upload of 'archive.zip' at byte"));
        var done = SessionOf(itemId); // still the one session: none was created for the resumed run
        Assert.Equal(UploadSessionState.Completed, done.State);
        Assert.Equal(atKill.Size - atKill.NextExpectedOffset, done.BytesReceived - atKill.BytesReceived);
        Assert.Equal(System.IO.File.ReadAllBytes(path), AttachmentBytes(itemId, "archive.zip"));
        Assert.False(System.IO.File.Exists(resumeFile));
    }

    private int Puts() => _emulator.Server.Control.Requests.Count(r => r.Method == "PUT" && r.Path.Contains("AttachmentSessions"));

    [Fact]
    public async Task Ctrl_C_during_an_upload_deletes_its_session_and_attaches_nothing()
    {
        var control = _emulator.Server.Control;
        using var session = _emulator.Connect();
        var itemId = Draft("Cancelled");
        var path = File("big.iso", 12 * 1024 * 1024, seed: 12);
        var resumeFile = Path.Combine(_temp.Path, "big.upload.json");
        control.HoldUploadsFrom(4 * 1024 * 1024);

        using var running = session.Start("Add-ExMailboxItemAttachment -UserId $args[0] -MessageId $args[1] -Path $args[2] -ResumeFile $args[3] -Verbose", Bob, itemId, path, resumeFile);
        WaitFor(() => control.HeldUploadRanges == 1, "the upload to reach 4 MB");
        running.Stop();
        var stopped = await running.Result.WaitAsync(Patience);

        Assert.True(SessionOf(itemId).State == UploadSessionState.Deleted, $"The session is {SessionOf(itemId).State}, not Deleted:\n{stopped.AllText}");
        Assert.Contains(control.Requests, r => r.Method == "DELETE" && r.Path.Contains("AttachmentSessions") && !r.HadAuthorization);
        Assert.Empty(FtsMessageReader.Read(control.GetItemData(itemId)).Attachments);
        Assert.False(System.IO.File.Exists(resumeFile));
    }

    [Fact]
    public void Small_files_are_posted_whole_to_messages_and_events()
    {
        using var session = _emulator.Connect();
        var itemId = Draft("Small");
        var small = File("notes.txt", 100_000, seed: 1);
        var eventId = Draft("Planning", "IPM.Appointment", "calendar");
        var control = _emulator.Server.Control;

        var run = session.Run("""
            Add-ExMailboxItemAttachment -UserId $args[0] -MessageId $args[1] -Path $args[2]
            Get-ExMailbox $args[0] | Add-ExMailboxItemAttachment -EventId $args[3] -Path $args[2] -Name agenda.txt
            """, Bob, itemId, small, eventId);

        Assert.Empty(run.Errors);
        Assert.All(run.Output.Select(o => (ExAttachment)o.BaseObject), a => Assert.False(a.UploadedInChunks));
        Assert.Equal(System.IO.File.ReadAllBytes(small), AttachmentBytes(itemId, "notes.txt"));
        Assert.Equal(System.IO.File.ReadAllBytes(small), AttachmentBytes(eventId, "agenda.txt"));
        Assert.DoesNotContain(control.UploadSessions, s => s.ItemId == itemId || s.ItemId == eventId);
    }

    [Fact]
    public void Bad_inputs_get_clear_errors_and_stop_nothing_else()
    {
        using var session = _emulator.Connect();
        var itemId = Draft("Errors");
        var good = File("good.txt", 1000, seed: 2);
        var huge = Path.Combine(_temp.Path, "huge.bin");
        using (var sparse = System.IO.File.Create(huge)) sparse.SetLength(151L * 1024 * 1024);

        var run = session.Run("""
            Add-ExMailboxItemAttachment -UserId $args[0] -MessageId $args[1] -Path $args[2], $args[3], $args[4]
            Add-ExMailboxItemAttachment -UserId $args[0] -MessageId 'AgAAAAAAAAAAAAAAAAAAAAAAAAA=' -Path $args[4]
            """, Bob, itemId, Path.Combine(_temp.Path, "missing.txt"), huge, good);

        Assert.Equal(new[] { "PathNotFound", "AttachmentTooLarge", "ErrorItemNotFound" },
            run.Errors.Select(e => e.FullyQualifiedErrorId.Split(',')[0]));
        Assert.Contains("missing.txt", run.Errors[0].Exception.Message);
        Assert.Contains("150 MB", run.Errors[1].Exception.Message);
        Assert.Equal(System.Management.Automation.ErrorCategory.ObjectNotFound, run.Errors[2].CategoryInfo.Category);
        Assert.Equal("good.txt", ((ExAttachment)Assert.Single(run.Output).BaseObject).Name);
    }

    [Fact]
    public async Task A_session_that_expires_midway_is_reported_as_expired_with_what_to_do()
    {
        var control = _emulator.Server.Control;
        using var session = _emulator.Connect();
        var itemId = Draft("Expired");
        // The range held at 4 MB is taken (it was let in before the expiry); the one after it meets the expired session.
        var path = File("slow.bin", 16 * 1024 * 1024, seed: 10);
        control.HoldUploadsFrom(4 * 1024 * 1024);

        using var running = session.Start("Add-ExMailboxItemAttachment -UserId $args[0] -MessageId $args[1] -Path $args[2]", Bob, itemId, path);
        WaitFor(() => control.HeldUploadRanges == 1, "the upload to reach 4 MB");
        control.ExpireUploadSessions();
        control.ReleaseUploads();
        var result = await running.Result.WaitAsync(Patience);

        var error = Assert.Single(result.Errors);
        Assert.Equal("UploadSessionExpired", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("Run the command again", error.ErrorDetails.RecommendedAction);
        Assert.Contains("expired", error.Exception.Message);
    }
}
