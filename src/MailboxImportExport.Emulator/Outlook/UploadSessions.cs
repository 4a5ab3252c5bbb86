using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using MailboxImportExport.Emulator.Graph;
using MailboxImportExport.Emulator.Storage;

namespace MailboxImportExport.Emulator.Outlook;

/// <summary>What an upload session is doing, as a test sees it.</summary>
public enum UploadSessionState
{
    Active,
    Completed,
    Deleted,
    Failed,
}

/// <summary>
/// An upload session as a test sees it: what was declared, the offset expected next, every byte that arrived in a PUT
/// body (accepted or refused: what a client sent), and the ranges accepted.
/// </summary>
public sealed record UploadSessionInfo(
    string SessionId,
    string ItemId,
    string Name,
    long Size,
    long NextExpectedOffset,
    long BytesReceived,
    int ChunksAccepted,
    UploadSessionState State,
    string? AttachmentId);

/// <summary>The key casing of an upload URL's JSON answers, which varies in the field (graph-api-notes §9.2).</summary>
public enum UploadSessionCasing
{
    /// <summary>As the docs' example: <c>ExpirationDateTime</c> in PascalCase, <c>nextExpectedRanges</c> in camelCase.</summary>
    Documented,
    Camel,
    Pascal,
}

/// <summary>
/// Outlook's large-attachment upload sessions: <c>createUploadSession</c> on a message or event, then the
/// pre-authenticated upload URL <c>{BaseUri}api/v2.0/Users('{user}')/Messages|Events('{item}')/AttachmentSessions('{id}')?authtoken=…</c>
/// taking the bytes in order with PUT (200 with a single-offset nextExpectedRanges, then 201 with a Location and an empty
/// body), GET for the status (an emulator choice: undocumented for Outlook), and DELETE to cancel. The bytes are held in
/// memory until the last one arrives and the attachment is added to the item.
/// </summary>
internal sealed class UploadSessions
{
    public const long MaxAttachmentSize = 150L * 1024 * 1024;
    /// <summary>The largest PUT the upload URL takes (the docs: "up to 4 MB each time").</summary>
    public const int MaxChunkSize = 4 * 1024 * 1024;
    private const string TokenUse = "upload";
    private static readonly System.Text.RegularExpressions.Regex ContentRange = new(@"^\s*bytes\s+(\d{1,15})-(\d{1,15})/(\d{1,15})\s*$");

    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);
    private readonly EmulatorState _state;
    private readonly object _holdGate = new();
    private long? _holdFrom;
    private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _held;

    public UploadSessions(EmulatorState state) => _state = state;

    private sealed class Session(string id, string userId, OutlookItemKind kind, ItemRecord item, NewAttachment declared, long size, DateTimeOffset expires)
    {
        public string Id { get; } = id;
        public string UserId { get; } = userId;
        public OutlookItemKind Kind { get; } = kind;
        public ItemRecord Item { get; } = item;
        public NewAttachment Declared { get; } = declared;
        public long Size { get; } = size;
        public DateTimeOffset Expires { get; } = expires;
        public MemoryStream Bytes { get; } = new();
        /// <summary>The offset the next range must start at (nextExpectedRanges).</summary>
        public long Next { get; set; }
        public long BytesReceived { get; set; }
        public int ChunksAccepted { get; set; }
        public UploadSessionState State { get; set; }
        public string? AttachmentId { get; set; }
        public object Gate { get; } = new();
    }

    /// <summary>From now on, ranges starting at or after <paramref name="offset"/> wait (before their body is read) until <see cref="Release"/>.</summary>
    public void HoldFrom(long offset)
    {
        lock (_holdGate) _holdFrom = offset;
    }

    /// <summary>Lets every held range go on, and holds no more.</summary>
    public void Release()
    {
        lock (_holdGate)
        {
            _holdFrom = null;
            _release.TrySetResult();
            _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public int HeldRanges => Volatile.Read(ref _held);

    private async Task WaitIfHeldAsync(HttpContext http, long from)
    {
        Task release;
        lock (_holdGate)
        {
            if (_holdFrom is not { } holdFrom || from < holdFrom) return;
            release = _release.Task;
        }
        Interlocked.Increment(ref _held);
        try
        {
            await release.WaitAsync(http.RequestAborted);
        }
        finally
        {
            Interlocked.Decrement(ref _held);
        }
    }

    public IReadOnlyList<UploadSessionInfo> Snapshot() =>
        _sessions.Values.Select(s =>
        {
            lock (s.Gate) return new UploadSessionInfo(s.Id, s.Item.Id, s.Declared.Name, s.Size, s.Next, s.BytesReceived, s.ChunksAccepted, s.State, s.AttachmentId);
        }).ToList();

    /// <summary>POST …/attachments/createUploadSession with <c>{"AttachmentItem":{attachmentType,name,size,contentType,isInline,contentId}}</c>.</summary>
    public async Task CreateAsync(GraphRequest request, UserRecord user, OutlookItemKind kind, ItemRecord item)
    {
        var body = await request.ReadJsonObjectAsync();
        if (FolderHandlers.Property(body, "AttachmentItem") is not JsonObject attachment)
            throw GraphException.InvalidRequest("The request body must have 'AttachmentItem': the attachment's attachmentType, name and size.");
        var type = Text(attachment, "attachmentType") ?? throw GraphException.InvalidRequest("AttachmentItem.attachmentType is required: file.");
        if (!type.Equals("file", StringComparison.OrdinalIgnoreCase))
            throw GraphException.InvalidRequest($"AttachmentItem.attachmentType '{type}' is not supported by the emulator: use file.");
        var name = Text(attachment, "name") ?? throw GraphException.InvalidRequest("AttachmentItem.name is required.");
        var size = FolderHandlers.Property(attachment, "size") is JsonValue sizeValue && sizeValue.TryGetValue<long>(out var declared) ? declared
            : throw GraphException.InvalidRequest("AttachmentItem.size is required: the attachment's length in bytes.");
        if (size < _state.Control.UploadSessionMinimumSize)
            throw new GraphException(400, "ErrorAttachmentSizeShouldNotBeLessThanMinimumSize",
                $"Attachment size must be greater than the minimum size. (Emulator: the minimum is {_state.Control.UploadSessionMinimumSize:N0} bytes; attach smaller files with POST .../attachments.)");
        if (size > MaxAttachmentSize)
            throw new GraphException(413, "ErrorMessageSizeExceeded", "The message exceeds the maximum supported size.");
        var isInline = FolderHandlers.Property(attachment, "isInline") is JsonValue inlineValue && inlineValue.TryGetValue<bool>(out var inline) && inline;

        var id = Guid.NewGuid().ToString("N");
        // Outlook names the user as {object id}@{tenant id} in these URLs (the docs' example).
        var userId = $"{user.ObjectId}@{Engine.Auth.EmulatorDefaults.TenantId}";
        var expires = DateTimeOffset.UtcNow + _state.Control.UploadSessionLifetime;
        _sessions[id] = new Session(id, userId, kind, item, new NewAttachment(name, Text(attachment, "contentType"), isInline, Text(attachment, "contentId"), Array.Empty<byte>()), size, expires);
        var token = _state.Signer.Sign(TokenUse, new JsonObject
        {
            ["sid"] = id,
            ["gen"] = _state.Control.UploadSessionGeneration,
            ["exp"] = expires.ToUnixTimeMilliseconds(),
        });
        var url = $"{_state.BaseUri}api/v2.0/Users('{userId}')/{OutlookItems.KindSegment(kind)}('{Uri.EscapeDataString(item.Id)}')/AttachmentSessions('{id}')?authtoken={Uri.EscapeDataString(token)}";
        await request.WriteJsonAsync(201, new JsonObject
        {
            ["@odata.context"] = GraphJson.Context(request, "microsoft.graph.uploadSession"),
            ["uploadUrl"] = url,
            ["expirationDateTime"] = Time(expires),
            ["nextExpectedRanges"] = new JsonArray("0-"),
        });
    }

    /// <summary>api/v2.0/Users('{user}')/{Messages|Events}('{item}')/AttachmentSessions('{id}').</summary>
    public static bool IsRoute(IReadOnlyList<string> segments) =>
        segments.Count == 5 && segments[0] == "api" && segments[1] == "v2.0"
        && segments[4].StartsWith("AttachmentSessions('", StringComparison.OrdinalIgnoreCase);

    public async Task HandleUploadUrlAsync(HttpContext http, IReadOnlyList<string> segments)
    {
        if (http.Request.Headers.ContainsKey("Authorization"))
        {
            // The URL is its own credential: a Graph token sent along is refused for its audience (graph-api-notes §3.9).
            throw new GraphException(401, "InvalidAudience",
                $"The audience claim value is invalid for current resource. Audience claim is 'https://graph.microsoft.com', request url is '{_state.BaseUri}api/v2.0/...'.");
        }
        var session = Authenticate(http, segments[4]);
        switch (http.Request.Method)
        {
            case "PUT":
                await PutAsync(http, session);
                break;
            case "GET":
                await WriteStatusAsync(http, session, 200);
                break;
            case "DELETE":
                lock (session.Gate) session.State = UploadSessionState.Deleted;
                http.Response.StatusCode = 204;
                break;
            default:
                throw new GraphException(405, "Request_BadRequest", "The upload URL accepts PUT, GET and DELETE.");
        }
    }

    private Session Authenticate(HttpContext http, string sessionSegment)
    {
        var claims = _state.Signer.Verify(http.Request.Query["authtoken"].ToString(), TokenUse);
        var sid = (string?)claims?["sid"];
        if (claims is null || sid is null || !sessionSegment.Equals($"AttachmentSessions('{sid}')", StringComparison.OrdinalIgnoreCase))
            throw new GraphException(401, "InvalidAuthenticationToken", "The authtoken of this upload URL is missing or invalid.");
        if ((int?)claims["gen"] != _state.Control.UploadSessionGeneration || (long?)claims["exp"] <= DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())
            throw new GraphException(401, "InvalidAuthenticationToken", "The upload session has expired. Create a new upload session.");
        if (!_sessions.TryGetValue(sid, out var session) || session.State is UploadSessionState.Deleted or UploadSessionState.Completed)
            throw new GraphException(404, "ErrorItemNotFound", "The upload session was not found: it was cancelled or has completed.");
        if (session.State == UploadSessionState.Failed)
            throw new GraphException(400, "uploadSessionFailed", "The upload session failed; create a new one.");
        return session;
    }

    private async Task PutAsync(HttpContext http, Session session)
    {
        if (!string.Equals(http.Request.ContentType, "application/octet-stream", StringComparison.OrdinalIgnoreCase))
            throw GraphException.InvalidRequest("The upload URL takes the bytes as Content-Type: application/octet-stream.");
        // Parsed by hand: .NET's parser refuses a range that ends beyond its total, which must get its own answer.
        var range = ContentRange.Match(http.Request.Headers.ContentRange.ToString());
        if (!range.Success || !long.TryParse(range.Groups[1].Value, out var from) || !long.TryParse(range.Groups[2].Value, out var to)
            || !long.TryParse(range.Groups[3].Value, out var total) || to < from)
            throw new GraphException(400, "invalidRange", "The Content-Range header is missing or malformed: send 'bytes {start}-{end}/{total}'.");
        if (total != session.Size)
            throw new GraphException(400, "invalidRange", $"Content-Range declares a total of {total:N0} bytes; the session was created for {session.Size:N0}.");
        if (to >= total)
            throw new GraphException(416, "invalidRange", $"The range {from}-{to} goes beyond the declared size of {total:N0} bytes.");
        await WaitIfHeldAsync(http, from);
        var declaredLength = to - from + 1;
        if (declaredLength > MaxChunkSize)
            throw new GraphException(413, "RequestEntityTooLarge", $"A range may carry up to {MaxChunkSize:N0} bytes; this one declares {declaredLength:N0}.");
        var chunk = await ReadBodyAsync(http, declaredLength);
        lock (session.Gate) session.BytesReceived += chunk.Length;
        if (chunk.Length != declaredLength)
            throw new GraphException(400, "fragmentLengthMismatch",
                $"Content size exceeds specified contentLength. {chunk.Length} bytes written while expected {declaredLength}.");

        lock (session.Gate)
        {
            var next = session.Next;
            if (from > next)
                throw new GraphException(400, "fragmentOutOfOrder", $"The range starts at {from}; the session expects offset {next} next (nextExpectedRanges).");
            if (from < next)
                throw new GraphException(416, "fragmentOverlap", $"The range starts at {from}, before offset {next}: those bytes were already received.");
            if (session.Item.Size + to + 1 > _state.Control.MaxMessageSize)
            {
                session.State = UploadSessionState.Failed;
                OutlookItems.CheckMessageSize(_state, session.Item.Size + to + 1);
            }
            session.Bytes.Write(chunk, 0, chunk.Length);
            session.Next += chunk.Length;
            session.ChunksAccepted++;
        }
        if (session.Next < session.Size)
        {
            await WriteStatusAsync(http, session, 200);
            return;
        }
        Complete(http, session);
    }

    private void Complete(HttpContext http, Session session)
    {
        var item = _state.Store.GetItem(session.Item.MailboxId, session.Item.Id) ?? throw GraphException.ItemNotFound();
        var (_, attachmentId) = OutlookItems.AddAttachment(_state, item, session.Declared with { Data = session.Bytes.ToArray() });
        lock (session.Gate)
        {
            session.State = UploadSessionState.Completed;
            session.AttachmentId = attachmentId;
            session.Bytes.SetLength(0);
            session.Bytes.Capacity = 0;
        }
        http.Response.StatusCode = 201;
        http.Response.ContentLength = 0;
        http.Response.Headers.Location =
            $"{_state.BaseUri}api/v2.0/Users('{session.UserId}')/{OutlookItems.KindSegment(session.Kind)}('{Uri.EscapeDataString(session.Item.Id)}')/Attachments('{attachmentId}')";
    }

    /// <summary>Reads the body, at most one byte more than declared (enough to tell that it is longer).</summary>
    private static async Task<byte[]> ReadBodyAsync(HttpContext http, long declaredLength)
    {
        var buffer = new MemoryStream();
        var scratch = new byte[81920];
        int read;
        while ((read = await http.Request.Body.ReadAsync(scratch, http.RequestAborted)) > 0)
        {
            buffer.Write(scratch, 0, read);
            if (buffer.Length > declaredLength) break;
        }
        return buffer.ToArray();
    }

    private Task WriteStatusAsync(HttpContext http, Session session, int status)
    {
        var casing = _state.Control.UploadSessionCasing;
        var expirationKey = casing == UploadSessionCasing.Camel ? "expirationDateTime" : "ExpirationDateTime";
        var rangesKey = casing == UploadSessionCasing.Pascal ? "NextExpectedRanges" : "nextExpectedRanges";
        long next;
        lock (session.Gate) next = session.Next;
        return GraphResponses.WriteJsonAsync(http, status, new JsonObject
        {
            ["@odata.context"] = $"{_state.BaseUri}api/v2.0/$metadata#Users('{session.UserId}')/{OutlookItems.KindSegment(session.Kind)}('{session.Item.Id}')/AttachmentSessions/$entity",
            [expirationKey] = Time(session.Expires),
            [rangesKey] = new JsonArray(next.ToString(CultureInfo.InvariantCulture)),
        });
    }

    private static string? Text(JsonObject body, string name) =>
        FolderHandlers.Property(body, name) is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);
}
