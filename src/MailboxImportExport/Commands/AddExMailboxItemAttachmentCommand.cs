using System.Management.Automation;
using MailboxImportExport.Engine.Attachments;
using MailboxImportExport.Engine.Models;

namespace MailboxImportExport.Commands;

/// <summary>
/// Adds files to a message or event of a user's mailbox: a single request below 3 MB, an upload session from 3 MB to
/// 150 MB (ranges in order, progress, resume with -ResumeFile, the session deleted on Ctrl+C).
/// </summary>
[Cmdlet(VerbsCommon.Add, "ExMailboxItemAttachment", DefaultParameterSetName = MessageSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(ExAttachment))]
public sealed class AddExMailboxItemAttachmentCommand : ExCmdlet
{
    private const string MessageSet = "Message";
    private const string EventSet = "Event";

    private AttachmentService _attachments = null!;
    private UploadProgressDisplay? _progress;

    /// <summary>The mailbox's user: a UPN or object id (a mailbox from Get-ExMailbox binds by its UserId).</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string UserId { get; set; } = null!;

    [Parameter(Mandatory = true, ParameterSetName = MessageSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string MessageId { get; set; } = null!;

    [Parameter(Mandatory = true, ParameterSetName = EventSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string EventId { get; set; } = null!;

    /// <summary>The files to attach (wildcards allowed).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = null!;

    /// <summary>The attachment's name, when it should differ from the file's (one file only).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary>The MIME type; by default guessed from the file name.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ContentType { get; set; }

    /// <summary>Shows the file in the body (an image the HTML refers to as cid:ContentId) instead of as an attachment.</summary>
    [Parameter]
    public SwitchParameter Inline { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ContentId { get; set; }

    /// <summary>
    /// Keeps a large upload's session in this file after every range, so that running the same command again (in
    /// this or another process) continues where it stopped; the file is removed once the attachment is added.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ResumeFile { get; set; }

    protected override void BeginProcessing()
    {
        _attachments = new AttachmentService(RequireConnection().Client);
        if (ContentId is not null && !Inline) ThrowInvalidCombination("ContentIdWithoutInline", "-ContentId goes with -Inline: it names an inline image for the HTML body.");
    }

    protected override void ProcessRecord()
    {
        var kind = ParameterSetName == EventSet ? ExItemKind.Event : ExItemKind.Message;
        var itemId = kind == ExItemKind.Event ? EventId : MessageId;
        var files = ResolveFiles();
        if ((Name is not null || ResumeFile is not null) && files.Count > 1)
        {
            WriteError(new ErrorRecord(new ArgumentException($"-Name and -ResumeFile go with one file; -Path names {files.Count}."),
                "OneFileOnly", ErrorCategory.InvalidArgument, Path));
            return;
        }
        foreach (var path in files) Add(kind, itemId, path);
    }

    private List<string> ResolveFiles()
    {
        var files = new List<string>();
        foreach (var pattern in Path)
        {
            try
            {
                files.AddRange(GetResolvedProviderPathFromPSPath(pattern, out _));
            }
            catch (Exception e) when (e is ItemNotFoundException or System.Management.Automation.DriveNotFoundException or ProviderNotFoundException)
            {
                WriteError(new ErrorRecord(new FileNotFoundException($"No file at '{pattern}'.", pattern, e), "PathNotFound", ErrorCategory.ObjectNotFound, pattern)
                {
                    ErrorDetails = new ErrorDetails($"No file at '{pattern}'.") { RecommendedAction = "Check the path; the other files are attached." },
                });
            }
        }
        return files;
    }

    private void Add(ExItemKind kind, string itemId, string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            WriteError(new ErrorRecord(new FileNotFoundException($"'{path}' is not a file.", path), "NotAFile", ErrorCategory.InvalidArgument, path));
            return;
        }
        var name = Name ?? info.Name;
        var file = new AttachmentFile(UserId, kind, itemId, name, info.Length, ContentType ?? AttachmentService.ContentTypeFor(name), Inline, ContentId,
            info.FullName, info.LastWriteTimeUtc);
        if (file.Size > AttachmentService.MaxAttachmentSize)
        {
            WriteError(new ErrorRecord(new ArgumentException($"'{path}' is {file.Size / 1048576.0:0.#} MB; the service takes attachments of up to 150 MB."),
                "AttachmentTooLarge", ErrorCategory.InvalidArgument, path)
            {
                ErrorDetails = new ErrorDetails($"'{path}' is {file.Size / 1048576.0:0.#} MB; the service takes attachments of up to 150 MB.")
                {
                    RecommendedAction = "Share large files through OneDrive or SharePoint and attach a link instead.",
                },
            });
            return;
        }
        var target = $"{kind.ToString().ToLowerInvariant()} {itemId} of {UserId}";
        if (!ShouldProcess(target, $"Attach '{name}' ({file.Size:N0} bytes)")) return;

        var progress = _progress = new UploadProgressDisplay(this, $"Attaching {name} to {target}");
        var resumeFile = ResumeFile is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(ResumeFile);
        try
        {
            var attachment = Await(ct => _attachments.AddAsync(file, () => File.OpenRead(info.FullName), resumeFile, progress, ct));
            progress.Show();
            WriteObject(attachment);
        }
        catch (UploadSessionGoneException e)
        {
            WriteError(new ErrorRecord(e, "UploadSessionExpired", ErrorCategory.OperationTimeout, path)
            {
                ErrorDetails = new ErrorDetails(e.Message) { RecommendedAction = "Run the command again: a new session uploads the whole file." },
            });
        }
        catch (Exception e) when (IsServiceFailure(e) || e is ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException)
        {
            WriteError(ErrorFor(e, e is Engine.Http.GraphException g ? g.Code : "AttachFailed", path));
        }
        finally
        {
            progress.Complete();
            _progress = null;
        }
    }

    /// <summary>Keeps the upload's progress bar moving while a range is on its way.</summary>
    protected override void OnWaiting() => _progress?.Show();

    /// <summary>Write-Progress for one upload: bytes, percent and rate, shown from the pipeline thread.</summary>
    private sealed class UploadProgressDisplay(Cmdlet cmdlet, string activity) : IProgress<UploadProgress>
    {
        private readonly object _gate = new();
        private UploadProgress? _latest;
        private UploadProgress? _shown;

        /// <summary>Called by the engine on any thread: only remembers the value.</summary>
        public void Report(UploadProgress value)
        {
            lock (_gate) _latest = value;
        }

        public void Show()
        {
            UploadProgress? latest;
            lock (_gate) latest = _latest;
            if (latest is not { } current || Equals(_shown, latest)) return;
            _shown = latest;
            cmdlet.WriteProgress(new ProgressRecord(0, activity,
                $"{current.BytesUploaded / 1048576.0:0.0} of {current.TotalBytes / 1048576.0:0.0} MB ({current.Percent}%) at {current.BytesPerSecond / 1048576.0:0.0} MB/s")
            {
                PercentComplete = current.Percent,
            });
        }

        public void Complete()
        {
            if (_shown is null) return;
            cmdlet.WriteProgress(new ProgressRecord(0, activity, "Done") { RecordType = ProgressRecordType.Completed });
        }
    }
}
