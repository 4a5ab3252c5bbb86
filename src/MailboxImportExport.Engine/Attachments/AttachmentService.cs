using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using MailboxImportExport.Engine.Diagnostics;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Models;

namespace MailboxImportExport.Engine.Attachments;

public sealed class AttachmentUploadOptions
{
    /// <summary>Files from this size up go through an upload session; smaller ones are posted whole (the service's 3 MB line).</summary>
    public long SessionThreshold { get; set; } = 3 * 1024 * 1024;
    /// <summary>Bytes per PUT: under the documented 4 MB, and a multiple of 320 KiB, which every Graph upload endpoint accepts.</summary>
    public int ChunkSize { get; set; } = 12 * 320 * 1024;
    /// <summary>How often one upload may find out again where the service stands (after a failed or refused range) before it gives up.</summary>
    public int MaxResumeAttempts { get; set; } = 8;
}

/// <summary>How far an upload is: bytes at the service, of the total, and the rate of this run.</summary>
public readonly struct UploadProgress
{
    public UploadProgress(long bytesUploaded, long totalBytes, double bytesPerSecond)
    {
        BytesUploaded = bytesUploaded;
        TotalBytes = totalBytes;
        BytesPerSecond = bytesPerSecond;
    }

    public long BytesUploaded { get; }
    public long TotalBytes { get; }
    public double BytesPerSecond { get; }
    public int Percent => TotalBytes <= 0 ? 100 : (int)(BytesUploaded * 100 / TotalBytes);
}

/// <summary>
/// Adds files to messages and events on the Outlook endpoints: a single POST below <see cref="AttachmentUploadOptions.SessionThreshold"/>,
/// an upload session above it. A session sends ranges of at most <see cref="AttachmentUploadOptions.ChunkSize"/> in order,
/// each through the one <see cref="GraphClient"/> (so throttling is handled like every other call), never with a bearer
/// token. After a failed or refused range it asks the service where it stands and goes on from there; a resume file keeps
/// the session for another process; a cancelled upload deletes its session.
/// </summary>
public sealed class AttachmentService
{
    /// <summary>The largest attachment the service takes.</summary>
    public const long MaxAttachmentSize = 150L * 1024 * 1024;

    private static readonly Regex AttachmentIdInLocation = new(@"Attachments\('(?<id>[^']+)'\)", RegexOptions.IgnoreCase | RegexOptions.Compiled);

    private readonly GraphClient _graph;
    private readonly AttachmentUploadOptions _options;
    private readonly Func<TimeSpan, CancellationToken, Task> _delay;

    public AttachmentService(GraphClient graph, AttachmentUploadOptions? options = null)
        : this(graph, options, Task.Delay)
    {
    }

    internal AttachmentService(GraphClient graph, AttachmentUploadOptions? options, Func<TimeSpan, CancellationToken, Task> delay)
    {
        _graph = graph ?? throw new ArgumentNullException(nameof(graph));
        _options = options ?? new AttachmentUploadOptions();
        if (_options.ChunkSize is <= 0 or > 4 * 1024 * 1024) throw new ArgumentOutOfRangeException(nameof(options), "ChunkSize must be between 1 byte and 4 MB.");
        _delay = delay;
    }

    /// <summary>The MIME type a file name suggests (application/octet-stream when it suggests none).</summary>
    public static string ContentTypeFor(string fileName) => MimeKit.MimeTypes.GetMimeType(fileName);

    /// <summary>
    /// Adds a file. <paramref name="open"/> gives its bytes (seekable, <see cref="AttachmentFile.Size"/> long) as often
    /// as needed. With <paramref name="resumeFile"/>, a session is saved there after every range and picked up again by
    /// a later call for the same upload; the file is removed once the attachment is added (a file posted whole needs none).
    /// </summary>
    internal async Task<ExAttachment> AddAsync(AttachmentFile file, Func<Stream> open, string? resumeFile, IProgress<UploadProgress>? progress, CancellationToken ct)
    {
        if (file.Size > MaxAttachmentSize)
            throw new ArgumentException($"'{file.Name}' is {file.Size / 1048576.0:0.#} MB; the service takes attachments of up to {MaxAttachmentSize / 1048576} MB.");
        if (file.Size < _options.SessionThreshold)
        {
            // Below the session minimum there is nothing to resume: one request sends it all.
            var posted = await PostAsync(file, open, ct).ConfigureAwait(false);
            progress?.Report(new UploadProgress(file.Size, file.Size, 0));
            return posted;
        }
        var session = await ResumableSessionAsync(file, resumeFile, ct).ConfigureAwait(false)
                      ?? await CreateSessionAsync(file, ct).ConfigureAwait(false);
        if (resumeFile is not null) session.Save(resumeFile);
        try
        {
            var attachment = await UploadAsync(session, open, resumeFile, progress, ct).ConfigureAwait(false);
            DeleteResumeFile(resumeFile);
            return attachment;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await CancelAsync(session).ConfigureAwait(false);
            DeleteResumeFile(resumeFile);
            throw;
        }
        catch (UploadSessionGoneException)
        {
            DeleteResumeFile(resumeFile);
            throw;
        }
    }

    /// <summary>The session of a resume file, when it is for this upload and still usable; null to start a new one.</summary>
    private async Task<ExUploadSession?> ResumableSessionAsync(AttachmentFile file, string? resumeFile, CancellationToken ct)
    {
        if (resumeFile is null || ExUploadSession.Load(resumeFile) is not { } saved) return null;
        if (!saved.File.SameUploadAs(file))
            throw new ArgumentException($"The resume file '{resumeFile}' is for another upload ({saved}). Give another -ResumeFile, or delete that one.");
        if (saved.ExpirationDateTime <= DateTimeOffset.UtcNow)
        {
            EngineLog.Verbose($"The upload session in '{resumeFile}' expired at {saved.ExpirationDateTime:u}; starting a new session (the whole file is sent again).");
            DeleteResumeFile(resumeFile);
            return null;
        }
        try
        {
            saved.NextExpectedOffset = await StatusAsync(saved, ct).ConfigureAwait(false) ?? saved.NextExpectedOffset;
        }
        catch (UploadSessionGoneException)
        {
            EngineLog.Verbose($"The upload session in '{resumeFile}' is no longer known to the service; starting a new session.");
            DeleteResumeFile(resumeFile);
            return null;
        }
        EngineLog.Verbose($"Resuming the upload of '{file.Name}' at byte {saved.NextExpectedOffset:N0} of {file.Size:N0}.");
        return saved;
    }

    private async Task<ExAttachment> PostAsync(AttachmentFile file, Func<Stream> open, CancellationToken ct)
    {
        byte[] bytes;
        using (var stream = open()) bytes = ReadExactly(stream, 0, (int)file.Size, file);
        var body = new Dictionary<string, object?>
        {
            ["@odata.type"] = "#microsoft.graph.fileAttachment",
            ["name"] = file.Name,
            ["contentType"] = file.ContentType,
            ["contentBytes"] = Convert.ToBase64String(bytes),
            ["isInline"] = file.IsInline,
            ["contentId"] = file.ContentId,
        };
        var answer = await _graph.PostAsync<AttachmentDto>($"{GraphPath.UserItem(file.UserId, file.ItemKind, file.ItemId)}/attachments", body, ct).ConfigureAwait(false);
        return Result(file, answer.Id ?? "", chunked: false);
    }

    private async Task<ExUploadSession> CreateSessionAsync(AttachmentFile file, CancellationToken ct)
    {
        var body = new Dictionary<string, object?>
        {
            ["AttachmentItem"] = new Dictionary<string, object?>
            {
                ["attachmentType"] = "file",
                ["name"] = file.Name,
                ["size"] = file.Size,
                ["contentType"] = file.ContentType,
                ["isInline"] = file.IsInline,
                ["contentId"] = file.ContentId,
            },
        };
        var answer = await _graph.PostAsync<SessionDto>($"{GraphPath.UserItem(file.UserId, file.ItemKind, file.ItemId)}/attachments/createUploadSession", body, ct)
            .ConfigureAwait(false);
        if (!Uri.TryCreate(answer.UploadUrl, UriKind.Absolute, out var url) || !url.Scheme.StartsWith("http", StringComparison.OrdinalIgnoreCase))
            throw new GraphException(HttpStatusCode.Created, "InvalidResponse", $"createUploadSession for '{file.Name}' returned no usable uploadUrl.");
        EngineLog.Verbose($"Created an upload session for '{file.Name}' ({file.Size:N0} bytes) on {file.ItemKind.ToString().ToLowerInvariant()} {file.ItemId}, valid until {answer.ExpirationDateTime:u}.");
        return new ExUploadSession(file, url, answer.ExpirationDateTime ?? DateTimeOffset.UtcNow.AddMinutes(15)) { NextExpectedOffset = NextOffset(answer.NextExpectedRanges) ?? 0 };
    }

    private async Task<ExAttachment> UploadAsync(ExUploadSession session, Func<Stream> open, string? resumeFile, IProgress<UploadProgress>? progress, CancellationToken ct)
    {
        var file = session.File;
        var clock = Stopwatch.StartNew();
        var startedAt = session.NextExpectedOffset;
        var buffer = new byte[_options.ChunkSize];
        var attempts = 0;
        using var stream = open();
        if (stream.CanSeek && stream.Length != file.Size)
            throw new InvalidDataException($"'{file.SourcePath ?? file.Name}' is now {stream.Length:N0} bytes, not the {file.Size:N0} the upload was started with: it changed.");
        progress?.Report(new UploadProgress(session.NextExpectedOffset, file.Size, 0));
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var offset = session.NextExpectedOffset;
            if (offset >= file.Size)
                throw new GraphException(HttpStatusCode.OK, "UploadUnconfirmed",
                    $"Every byte of '{file.Name}' was sent but the service did not confirm the attachment; check the {file.ItemKind.ToString().ToLowerInvariant()}'s attachments before sending it again.");
            var count = (int)Math.Min(buffer.Length, file.Size - offset);
            var chunk = ReadExactly(stream, offset, count, file, buffer);
            RangeAnswer answer;
            try
            {
                answer = await _graph.SendToUploadUrlAsync(HttpMethod.Put, session.UploadUrl, () => RangeContent(chunk, count, offset, file.Size), ReadRangeAnswerAsync, ct).ConfigureAwait(false);
            }
            catch (GraphException e) when (e.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.NotFound)
            {
                throw new UploadSessionGoneException(session, e);
            }
            catch (GraphException e) when (IsRecoverable(e) && attempts < _options.MaxResumeAttempts)
            {
                attempts++;
                EngineLog.Verbose($"The range at byte {offset:N0} of '{file.Name}' was not taken ({e.Message}); asking the service where the upload stands (attempt {attempts} of {_options.MaxResumeAttempts}).");
                if (IsTransient(e)) await _delay(TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, attempts - 1))), ct).ConfigureAwait(false);
                session.NextExpectedOffset = await StatusAsync(session, ct).ConfigureAwait(false) ?? offset;
                continue;
            }
            if (answer.Location is { } location)
            {
                progress?.Report(new UploadProgress(file.Size, file.Size, Rate(file.Size - startedAt, clock)));
                var id = AttachmentIdInLocation.Match(location) is { Success: true } match ? match.Groups["id"].Value : "";
                if (id.Length == 0) EngineLog.Warning($"The service added '{file.Name}' but did not say its attachment id (Location: '{Redactor.Redact(location)}').");
                return Result(file, id, chunked: true);
            }
            session.NextExpectedOffset = NextOffset(answer.Status!.NextExpectedRanges) ?? offset + count;
            attempts = 0;
            if (resumeFile is not null) session.Save(resumeFile);
            progress?.Report(new UploadProgress(session.NextExpectedOffset, file.Size, Rate(session.NextExpectedOffset - startedAt, clock)));
        }
    }

    /// <summary>What the upload URL answered a range: 201 with the attachment's Location, or 200 with where it stands.</summary>
    private sealed record RangeAnswer(string? Location, SessionDto? Status);

    private static async Task<RangeAnswer> ReadRangeAnswerAsync(HttpResponseMessage response, CancellationToken ct) =>
        response.StatusCode == HttpStatusCode.Created
            ? new RangeAnswer(response.Headers.Location?.ToString() ?? "", null)
            : new RangeAnswer(null, await GraphClient.ReadJsonAsync<SessionDto>(response, ct).ConfigureAwait(false));

    /// <summary>Where the service stands: GET on the upload URL (undocumented for Outlook, so null when it is not answered).</summary>
    private async Task<long?> StatusAsync(ExUploadSession session, CancellationToken ct)
    {
        try
        {
            var status = await _graph.SendToUploadUrlAsync(HttpMethod.Get, session.UploadUrl, null, GraphClient.ReadJsonAsync<SessionDto>, ct).ConfigureAwait(false);
            return NextOffset(status.NextExpectedRanges);
        }
        catch (GraphException e) when (e.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.NotFound)
        {
            throw new UploadSessionGoneException(session, e);
        }
        catch (GraphException e)
        {
            EngineLog.Verbose($"The upload URL did not say where the upload stands ({e.Message}); going on from byte {session.NextExpectedOffset:N0}.");
            return null;
        }
    }

    /// <summary>Deletes a session whose upload is being abandoned; best effort, since the caller is already stopping.</summary>
    private async Task CancelAsync(ExUploadSession session)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _graph.SendToUploadUrlAsync(HttpMethod.Delete, session.UploadUrl, null, (_, _) => Task.FromResult(true), timeout.Token).ConfigureAwait(false);
            EngineLog.Verbose($"Cancelled the upload session of '{session.Name}'; nothing was attached.");
        }
        catch (Exception e) when (e is GraphException or OperationCanceledException)
        {
            EngineLog.Verbose($"Could not delete the upload session of '{session.Name}' ({e.Message}); it expires by itself at {session.ExpirationDateTime:u}.");
        }
    }

    private static void DeleteResumeFile(string? resumeFile)
    {
        if (resumeFile is not null && File.Exists(resumeFile)) File.Delete(resumeFile);
    }

    /// <summary>Failures after which the bytes at the service are unknown or elsewhere: ask where it stands and go on.</summary>
    private static bool IsRecoverable(GraphException e) =>
        IsTransient(e) || e.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable
        || e.Code is "fragmentOverlap" or "fragmentOutOfOrder" or "invalidRange" or "fragmentLengthMismatch";

    private static bool IsTransient(GraphException e) => e.StatusCode == 0 || (int)e.StatusCode == 429 || (int)e.StatusCode >= 500;

    private static HttpContent RangeContent(byte[] chunk, int count, long offset, long total)
    {
        var content = new ByteArrayContent(chunk, 0, count);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.ContentRange = new ContentRangeHeaderValue(offset, offset + count - 1, total);
        return content;
    }

    private static byte[] ReadExactly(Stream stream, long offset, int count, AttachmentFile file, byte[]? buffer = null)
    {
        buffer ??= new byte[count];
        if (stream.CanSeek) stream.Position = offset;
        var read = 0;
        while (read < count)
        {
            var n = stream.Read(buffer, read, count - read);
            if (n == 0) throw new InvalidDataException($"'{file.SourcePath ?? file.Name}' ended after {offset + read:N0} of {file.Size:N0} bytes: it changed during the upload.");
            read += n;
        }
        return buffer;
    }

    /// <summary>The start of the first range ("2097152" or "2097152-"), in either form the services use.</summary>
    private static long? NextOffset(string[]? ranges)
    {
        var first = ranges?.FirstOrDefault();
        if (string.IsNullOrEmpty(first)) return null;
        var start = first!.Split('-')[0];
        return long.TryParse(start, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var offset) ? offset : null;
    }

    private static double Rate(long bytes, Stopwatch clock) => bytes / Math.Max(clock.Elapsed.TotalSeconds, 0.001);

    private static ExAttachment Result(AttachmentFile file, string id, bool chunked) => new()
    {
        UserId = file.UserId,
        ItemKind = file.ItemKind,
        ItemId = file.ItemId,
        Id = id,
        Name = file.Name,
        Size = file.Size,
        ContentType = file.ContentType,
        IsInline = file.IsInline,
        ContentId = file.ContentId,
        UploadedInChunks = chunked,
    };

    private sealed class AttachmentDto
    {
        [JsonPropertyName("id")] public string? Id { get; set; }
    }

    private sealed class SessionDto
    {
        [JsonPropertyName("uploadUrl")] public string? UploadUrl { get; set; }
        [JsonPropertyName("expirationDateTime")] public DateTimeOffset? ExpirationDateTime { get; set; }
        [JsonPropertyName("nextExpectedRanges")] public string[]? NextExpectedRanges { get; set; }
    }
}

/// <summary>The upload session expired or was deleted: the upload cannot go on, and the file must be sent again.</summary>
public sealed class UploadSessionGoneException : InvalidOperationException
{
    internal UploadSessionGoneException(ExUploadSession session, GraphException inner)
        : base($"The upload session of '{session.Name}' has expired or was cancelled (the service answered {(int)inner.StatusCode} {inner.Code}); " +
               $"{session.NextExpectedOffset:N0} of {session.Size:N0} bytes had arrived. Run the command again to upload the file in a new session.", inner)
    {
        Session = session;
    }

    public ExUploadSession Session { get; }
}
