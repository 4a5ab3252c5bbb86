using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using MailboxImportExport.Engine.Auth;
using MailboxImportExport.Emulator.Auth;
using MailboxImportExport.Emulator.Storage;

namespace MailboxImportExport.Emulator;

/// <summary>
/// In-process hooks for tests: the request log, token minting, fault injection, run-time settings, and data
/// changes between delta rounds. Thread-safe.
/// </summary>
public sealed class EmulatorControl
{
    private readonly EmulatorState _state;
    private long _accessTokenLifetimeTicks;
    private long _deviceCodeLifetimeTicks = TimeSpan.FromMinutes(15).Ticks;
    private long _importSessionLifetimeTicks;
    private long _latencyTicks;
    private long _latencyJitterTicks;
    private int _deltaEpoch;
    private int _importSessionGeneration;
    private int _exportErrorCasing;
    private int _uploadSessionCasing;
    private int _uploadSessionGeneration;
    private long _uploadSessionLifetimeTicks = TimeSpan.FromHours(1).Ticks;
    private long _uploadSessionMinimumSize = Outlook.OutlookHandlers.MaxPostedAttachmentBytes;
    private long _maxMessageSize = Outlook.UploadSessions.MaxAttachmentSize + 10L * 1024 * 1024;
    private int _mailboxConcurrencyLimit;
    private EmulatorRateLimit? _requestRateLimit;
    private EmulatorRateLimit? _uploadLimit;
    private int _importedCreatedDateTime;
    private int _importedSearchKey;
    private int _defaultPageSize;
    private int _extendedPropertyFilterUnsupported;
    private int _flatFolderListing;
    private string _defaultSignInUser = Seeding.DemoSeed.AliceUpn;

    internal EmulatorControl(EmulatorState state, EmulatorOptions options)
    {
        _state = state;
        AccessTokenLifetime = options.AccessTokenLifetime;
        ImportSessionLifetime = options.ImportSessionLifetime;
        DefaultPageSize = options.DefaultPageSize;
        MailboxConcurrencyLimit = options.MailboxConcurrencyLimit;
        RequestRateLimit = options.RequestRateLimit;
        UploadLimit = options.UploadLimit;
        Latency = options.Latency;
        LatencyJitter = options.LatencyJitter;
        ImportedCreatedDateTime = options.ImportedCreatedDateTime;
        ImportedSearchKey = options.ImportedSearchKey;
        if (options.Faults is { } faults) ApplyFaults(faults);
        ExtendedPropertyFilterSupported = options.ExtendedPropertyFilterSupported;
        FlatFolderListing = options.FlatFolderListing;
    }

    // ---- request log ----

    /// <summary>The requests answered so far, oldest first.</summary>
    public IReadOnlyList<EmulatorRequestLogEntry> Requests => _state.RequestLog.Snapshot();

    public void ClearRequests() => _state.RequestLog.Clear();

    // ---- app registrations ----

    /// <summary>
    /// Registers (or replaces) an app in the tenant, with the app-only permissions the demo app has. It authenticates
    /// with the secret or the certificate (only its public key is kept); <paramref name="allowPublicClient"/> lets it
    /// use device code and interactive sign-in without a credential. The demo app is registered with its secret and
    /// allows public client flows.
    /// </summary>
    public void RegisterApplication(string clientId, string? clientSecret = null, X509Certificate2? certificate = null, bool allowPublicClient = false) =>
        _state.Apps.Register(clientId, clientSecret, certificate, allowPublicClient);

    /// <summary>Adds a certificate credential (its public key) to a registered app.</summary>
    public void RegisterClientCertificate(string clientId, X509Certificate2 cert) =>
        _state.Apps.AddCertificate(clientId, cert ?? throw new ArgumentNullException(nameof(cert)));

    // ---- managed identity ----

    /// <summary>Client id of the system-assigned managed identity (the appid of its tokens).</summary>
    public const string SystemAssignedIdentityClientId = ManagedIdentities.SystemAssignedClientId;

    /// <summary>
    /// The secret a client must send as X-IDENTITY-HEADER to {BaseUri}msi/token, random per emulator: what App
    /// Service puts in IDENTITY_HEADER (and {BaseUri}msi/token in IDENTITY_ENDPOINT).
    /// </summary>
    public string ManagedIdentityHeader => _state.ManagedIdentities.Header;

    /// <summary>Adds a user-assigned managed identity; clients ask for it by client_id.</summary>
    public void RegisterUserAssignedIdentity(string clientId) => _state.ManagedIdentities.RegisterUserAssigned(clientId);

    // ---- user sign-in ----

    /// <summary>Device code sign-ins waiting for the user: user code, client id and the scopes as requested.</summary>
    public IReadOnlyList<PendingDeviceCode> PendingDeviceCodes => _state.DeviceCodes.Pending();

    /// <summary>The user (a user of the tenant) approves a pending device code sign-in: the client's next poll gets tokens.</summary>
    public void ApproveDeviceCode(string userCode, string userPrincipalName) =>
        _state.DeviceCodes.Approve(userCode, _state.Store.FindUser(userPrincipalName) ?? throw new KeyNotFoundException($"No user '{userPrincipalName}'."));

    /// <summary>The user declines a pending device code sign-in: the client's next poll gets authorization_declined.</summary>
    public void DenyDeviceCode(string userCode) => _state.DeviceCodes.Decline(userCode);

    /// <summary>How long device codes issued from now on stay valid (Entra: 15 minutes).</summary>
    public TimeSpan DeviceCodeLifetime
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _deviceCodeLifetimeTicks));
        set => Interlocked.Exchange(ref _deviceCodeLifetimeTicks, value.Ticks);
    }

    /// <summary>
    /// Who the authorize endpoint signs in (it has no login page): a user principal name of the tenant. Defaults to
    /// the first demo user, alice@contoso.test.
    /// </summary>
    public string DefaultSignInUser
    {
        get => Volatile.Read(ref _defaultSignInUser);
        set => Volatile.Write(ref _defaultSignInUser, value ?? throw new ArgumentNullException(nameof(value)));
    }

    /// <summary>Revokes the refresh tokens of a user (all users when null): using one answers invalid_grant AADSTS50173.</summary>
    public void RevokeRefreshTokens(string? userPrincipalName = null) =>
        _state.UserTokens.Revoke(userPrincipalName is null ? null
            : (_state.Store.FindUser(userPrincipalName) ?? throw new KeyNotFoundException($"No user '{userPrincipalName}'.")).ObjectId);

    // ---- tokens and sessions ----

    /// <summary>A bearer token for the demo app, as the token endpoint would issue; a negative lifetime gives an expired one.</summary>
    public string IssueAccessToken(TimeSpan? lifetime = null) => _state.AccessTokens.Issue(EmulatorDefaults.ClientId, lifetime ?? AccessTokenLifetime);

    /// <summary>Lifetime of tokens issued from now on (the token endpoint's expires_in).</summary>
    public TimeSpan AccessTokenLifetime
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _accessTokenLifetimeTicks));
        set => Interlocked.Exchange(ref _accessTokenLifetimeTicks, value.Ticks);
    }

    /// <summary>Lifetime of import sessions created from now on.</summary>
    public TimeSpan ImportSessionLifetime
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _importSessionLifetimeTicks));
        set => Interlocked.Exchange(ref _importSessionLifetimeTicks, value.Ticks);
    }

    /// <summary>Every importUrl issued so far stops working (401); new sessions work.</summary>
    public void ExpireImportSessions() => Interlocked.Increment(ref _importSessionGeneration);

    /// <summary>Every delta and skip token issued so far answers 410 syncStateNotFound.</summary>
    public void ExpireDeltaTokens() => Interlocked.Increment(ref _deltaEpoch);

    internal int ImportSessionGeneration => Volatile.Read(ref _importSessionGeneration);
    internal int DeltaEpoch => Volatile.Read(ref _deltaEpoch);

    // ---- behaviour switches ----

    /// <summary>The key casing of exportItems' per-item error object.</summary>
    public ExportErrorCasing ExportErrorCasing
    {
        get => (ExportErrorCasing)Volatile.Read(ref _exportErrorCasing);
        set => Volatile.Write(ref _exportErrorCasing, (int)value);
    }

    // ---- limits and service time (per app and mailbox, graph-api-notes §8.2) ----

    /// <summary>
    /// Requests one app may have in flight for one mailbox before 429 ApplicationThrottled "MailboxConcurrency"; null
    /// turns the limit off. Outlook's limit is 4.
    /// </summary>
    public int? MailboxConcurrencyLimit
    {
        get => Volatile.Read(ref _mailboxConcurrencyLimit) is var limit and > 0 ? limit : null;
        set => Volatile.Write(ref _mailboxConcurrencyLimit, value is > 0 ? value.Value : 0);
    }

    /// <summary>
    /// Requests one app may make for one mailbox in any window before 429 ApplicationThrottled "RequestRate" (with the
    /// Retry-After that admits the next); null turns it off. Outlook: 10,000 per 10 minutes. Tests shrink the window.
    /// </summary>
    public EmulatorRateLimit? RequestRateLimit
    {
        get => Volatile.Read(ref _requestRateLimit);
        set => Volatile.Write(ref _requestRateLimit, value);
    }

    /// <summary>
    /// Request-body bytes (POST, PUT, PATCH) one app may send for one mailbox in any window before 429
    /// ApplicationThrottled "IncomingBytes"; null turns it off. Outlook: 150 MB per 5 minutes.
    /// </summary>
    public EmulatorRateLimit? UploadLimit
    {
        get => Volatile.Read(ref _uploadLimit);
        set => Volatile.Write(ref _uploadLimit, value);
    }

    /// <summary>
    /// Service time of every mailbox request (Graph and importUrl), spent while it holds its concurrency slot, after
    /// admission and before the handler. Zero by default.
    /// </summary>
    public TimeSpan Latency
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _latencyTicks));
        set => Interlocked.Exchange(ref _latencyTicks, value >= TimeSpan.Zero ? value.Ticks : throw new ArgumentOutOfRangeException(nameof(value)));
    }

    /// <summary>Each request's service time is drawn uniformly from <see cref="Latency"/> ± this (never below zero).</summary>
    public TimeSpan LatencyJitter
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _latencyJitterTicks));
        set => Interlocked.Exchange(ref _latencyJitterTicks, value >= TimeSpan.Zero ? value.Ticks : throw new ArgumentOutOfRangeException(nameof(value)));
    }

    internal TimeSpan NextServiceTime()
    {
        var latency = Latency;
        var jitter = LatencyJitter;
        if (jitter == TimeSpan.Zero) return latency;
        var drawn = latency + jitter * (2 * Random.Shared.NextDouble() - 1);
        return drawn > TimeSpan.Zero ? drawn : TimeSpan.Zero;
    }

    // ---- the service clock and store semantics (exactly-once-notes §6.2, §6.7) ----

    /// <summary>
    /// How far the service's clock is ahead of this machine's (negative: behind). The Date header, item times, import
    /// session expiry and error dates follow it.
    /// </summary>
    public TimeSpan ClockSkew
    {
        get => _state.Clock.Skew;
        set => _state.Clock.Skew = value;
    }

    /// <summary>createdDateTime of imported items: the import time (default) or the PidTagCreationTime of the stream.</summary>
    public ImportedCreatedDateTime ImportedCreatedDateTime
    {
        get => (ImportedCreatedDateTime)Volatile.Read(ref _importedCreatedDateTime);
        set => Volatile.Write(ref _importedCreatedDateTime, (int)value);
    }

    /// <summary>Whether imported items keep the stream's PidTagSearchKey (default) or get one of their own.</summary>
    public ImportedSearchKey ImportedSearchKey
    {
        get => (ImportedSearchKey)Volatile.Read(ref _importedSearchKey);
        set => Volatile.Write(ref _importedSearchKey, (int)value);
    }

    /// <summary>
    /// Whether item listings accept <c>$filter=singleValueExtendedProperties/Any(...)</c> (the default), or answer it
    /// with 400 "not supported", as the real service may (it is documented for the resource, unverified for this API).
    /// </summary>
    public bool ExtendedPropertyFilterSupported
    {
        get => Volatile.Read(ref _extendedPropertyFilterUnsupported) == 0;
        set => Volatile.Write(ref _extendedPropertyFilterUnsupported, value ? 0 : 1);
    }

    /// <summary>
    /// How <c>GET …/folders</c> answers, since the docs leave it open: false (the default) lists the children of
    /// msgfolderroot; true lists every folder of the mailbox flat (msgfolderroot itself, its whole tree and the hidden
    /// folders beside it), parents first. <c>childFolders</c> always lists children.
    /// </summary>
    public bool FlatFolderListing
    {
        get => Volatile.Read(ref _flatFolderListing) != 0;
        set => Volatile.Write(ref _flatFolderListing, value ? 1 : 0);
    }

    /// <summary>Page size when the request names none.</summary>
    public int DefaultPageSize
    {
        get => Volatile.Read(ref _defaultPageSize);
        set => Volatile.Write(ref _defaultPageSize, value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value)));
    }

    // ---- Outlook messages and attachment upload sessions ----

    /// <summary>
    /// The largest message (its stream) a mailbox takes: adding an attachment or uploading past it answers 413
    /// ErrorMessageSizeExceeded. Defaults to a tenant set to the service's 150 MB maximum (plus room for the message itself).
    /// </summary>
    public long MaxMessageSize
    {
        get => Interlocked.Read(ref _maxMessageSize);
        set => Interlocked.Exchange(ref _maxMessageSize, value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value)));
    }

    /// <summary>The smallest attachment createUploadSession takes (ErrorAttachmentSizeShouldNotBeLessThanMinimumSize below it); 3 MB as documented.</summary>
    public long UploadSessionMinimumSize
    {
        get => Interlocked.Read(ref _uploadSessionMinimumSize);
        set => Interlocked.Exchange(ref _uploadSessionMinimumSize, value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value)));
    }

    /// <summary>Lifetime of upload sessions created from now on (their expirationDateTime).</summary>
    public TimeSpan UploadSessionLifetime
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _uploadSessionLifetimeTicks));
        set => Interlocked.Exchange(ref _uploadSessionLifetimeTicks, value.Ticks);
    }

    /// <summary>Every upload URL issued so far stops working (401, the session expired); new sessions work.</summary>
    public void ExpireUploadSessions() => Interlocked.Increment(ref _uploadSessionGeneration);

    internal int UploadSessionGeneration => Volatile.Read(ref _uploadSessionGeneration);

    /// <summary>The key casing of the upload URL's JSON answers.</summary>
    public Outlook.UploadSessionCasing UploadSessionCasing
    {
        get => (Outlook.UploadSessionCasing)Volatile.Read(ref _uploadSessionCasing);
        set => Volatile.Write(ref _uploadSessionCasing, (int)value);
    }

    /// <summary>
    /// Upload ranges starting at or after <paramref name="offset"/> wait, before their bytes are read, until
    /// <see cref="ReleaseUploads"/>: a test stops or kills a client mid-upload there, at a known point.
    /// </summary>
    public void HoldUploadsFrom(long offset) => _state.UploadSessions.HoldFrom(offset);

    /// <summary>Lets held upload ranges go on, and holds no more.</summary>
    public void ReleaseUploads() => _state.UploadSessions.Release();

    /// <summary>How many upload ranges are waiting because of <see cref="HoldUploadsFrom"/>.</summary>
    public int HeldUploadRanges => _state.UploadSessions.HeldRanges;

    /// <summary>Every upload session created so far: declared size, offset expected next, bytes that arrived, state.</summary>
    public IReadOnlyList<Outlook.UploadSessionInfo> UploadSessions => _state.UploadSessions.Snapshot();

    // ---- fault injection ----

    /// <summary>
    /// The next <paramref name="count"/> requests whose decoded path matches the regular expression fail with
    /// <paramref name="statusCode"/> (429, 503, 504…) and Graph's error body, before any work; 429 and 503 always carry
    /// Retry-After.
    /// </summary>
    public void FailNext(int count, string pathPattern, int statusCode, double? retryAfterSeconds = null)
    {
        var regex = new Regex(pathPattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        FailNext(count, request => regex.IsMatch(request.Path), statusCode, retryAfterSeconds);
    }

    public void FailNext(int count, Func<EmulatorRequestInfo, bool> predicate, int statusCode, double? retryAfterSeconds = null) =>
        InjectNext(count, predicate, EmulatorFault.Status(statusCode, retryAfterSeconds));

    /// <summary>
    /// The next <paramref name="count"/> requests the predicate matches get <paramref name="fault"/> (e.g. "the next 3
    /// import posts answer 503 after the item was committed": <c>InjectNext(3, r => r.IsImport, EmulatorFault.StatusAfterCommit(503))</c>).
    /// Mailbox requests take their fault once authenticated and admitted; scripted faults go before the mix, oldest first.
    /// </summary>
    public void InjectNext(int count, Func<EmulatorRequestInfo, bool> predicate, EmulatorFault fault) =>
        _state.Faults.Add(count, predicate ?? throw new ArgumentNullException(nameof(predicate)), fault);

    /// <summary>The next <paramref name="count"/> requests of a route (an <see cref="EmulatorRoutes"/> name or "any") get the fault.</summary>
    public void InjectNext(int count, string route, EmulatorFault fault)
    {
        if (!EmulatorRoutes.Selectors.Contains(route)) throw new ArgumentException($"Unknown route '{route}'.", nameof(route));
        InjectNext(count, request => EmulatorRoutes.Matches(route, request.Route), fault);
    }

    /// <summary>Queues the mix's scripted faults and draws its percentages from now on (replacing an earlier mix).</summary>
    public void ApplyFaults(EmulatorFaultMix mix) => _state.Faults.SetMix(mix ?? throw new ArgumentNullException(nameof(mix)));

    /// <summary>The same, written as on the command line: <c>ApplyFaults("import:503-after-commit=10%,503=10%", seed: 7)</c>.</summary>
    public void ApplyFaults(string spec, int seed = 1, TimeSpan? lateCommitDelay = null) => ApplyFaults(EmulatorFaultMix.Parse(spec, seed, lateCommitDelay));

    /// <summary>The random mix in force, or null.</summary>
    public EmulatorFaultMix? FaultMix => _state.Faults.CurrentMix;

    /// <summary>Removes every scripted fault and the mix (late commits already answered still land).</summary>
    public void ClearFaults() => _state.Faults.Clear();

    /// <summary>Carries out every late commit still waiting, now; completes when they have landed.</summary>
    public Task LandLateCommitsAsync() => _state.LateCommits.LandAllAsync();

    // ---- what happened ----

    /// <summary>Counters since start (or <see cref="ResetStatistics"/>): faults, 429s, in-flight maxima, import commits.</summary>
    public EmulatorStatistics Statistics
    {
        get
        {
            var (created, updated) = _state.Imports.Snapshot();
            return new EmulatorStatistics
            {
                FaultsInjected = _state.Faults.Injected(),
                Throttled = _state.Limits.Throttled(),
                MaxInFlight = _state.Limits.MaxInFlight(),
                ImportsCreated = created,
                ImportsUpdated = updated,
                LateCommitsPending = _state.LateCommits.PendingCount,
                LateCommitsLanded = _state.LateCommits.Landed,
            };
        }
    }

    /// <summary>Zeroes the counters (in-flight maxima restart from what is in flight now); the limits' windows are kept.</summary>
    public void ResetStatistics()
    {
        _state.Faults.ResetCounts();
        _state.Limits.ResetObservations();
        _state.Imports.Reset();
    }

    // ---- data ----

    /// <summary>The primary (or in-place archive) mailbox id of a user, by user principal name.</summary>
    public string GetMailboxId(string userPrincipalName, bool archive = false)
    {
        var user = _state.Store.FindUser(userPrincipalName) ?? throw new KeyNotFoundException($"No user '{userPrincipalName}'.");
        return _state.Store.MailboxesOf(user.ObjectId).FirstOrDefault(m => m.IsArchive == archive)?.Id
            ?? throw new KeyNotFoundException($"User '{userPrincipalName}' has no {(archive ? "archive" : "primary")} mailbox.");
    }

    /// <summary>A folder id by display-name path from the top of the information store, e.g. "/Inbox/Projects" ("/" is msgfolderroot).</summary>
    public string GetFolderId(string mailboxId, string path) => FolderByPath(mailboxId, path).Id;

    /// <summary>The id of a mailbox's well-known folder (inbox, recoverableitemsdeletions …).</summary>
    public string GetWellKnownFolderId(string mailboxId, string wellKnownName) =>
        _state.Store.GetWellKnownFolder(mailboxId, wellKnownName)?.Id ?? throw new KeyNotFoundException($"No folder '{wellKnownName}' in mailbox '{mailboxId}'.");

    /// <summary>
    /// Adds an item holding exactly <paramref name="ftsData"/> and returns its id. <paramref name="folder"/> is a path
    /// ("/Inbox/Projects"), a well-known name or a folder id. The type defaults to the blob's message class.
    /// </summary>
    public string AddItem(string mailboxId, string folder, byte[] ftsData, string? messageClass = null, DateTimeOffset? createdDateTime = null)
    {
        var target = folder.StartsWith('/')
            ? FolderByPath(mailboxId, folder)
            : _state.Store.FindFolder(mailboxId, folder) ?? throw new KeyNotFoundException($"No folder '{folder}' in mailbox '{mailboxId}'.");
        return _state.Items.Create(target, ftsData, messageClass, createdDateTime).Id;
    }

    /// <summary>
    /// Moves a folder of an archive mailbox (a path such as "/Old Mail", with its subfolders and items) to the archive's
    /// auxiliary archive, created the first time, as an auto-expanding archive does: requests for it through the archive
    /// are then answered 308 with the auxiliary archive's URL, and exportItems reports its items as
    /// ErrorArchiveFolderMovedPermanently with the exportItems URL there. Returns the auxiliary archive's mailbox id.
    /// </summary>
    public string MoveFolderToAuxiliaryArchive(string archiveMailboxId, string folderPath)
    {
        var archive = _state.Store.FindMailbox(archiveMailboxId) is { IsArchive: true } found
            ? found
            : throw new ArgumentException($"'{archiveMailboxId}' is not an archive mailbox.", nameof(archiveMailboxId));
        var folder = FolderByPath(archive.Id, folderPath);
        var auxiliary = _state.Store.AuxiliaryArchiveOf(archive, () => $"MBX:{Guid.NewGuid()}@{EmulatorDefaults.TenantId}");
        _state.Store.MoveFolderTree(folder, auxiliary);
        return auxiliary;
    }

    /// <summary>Marks an item modified (new changeKey and lastModifiedDateTime); returns the new changeKey.</summary>
    public string TouchItem(string itemId) => _state.Items.Touch(Item(itemId)).ChangeKey;

    /// <summary>Removes an item for good, as a hard delete does.</summary>
    public void DeleteItem(string itemId) => _state.Items.Delete(Item(itemId), soft: false);

    /// <summary>The bytes stored for an item.</summary>
    public byte[] GetItemData(string itemId)
    {
        var item = Item(itemId);
        return _state.Store.GetItemWithData(item.MailboxId, item.Id)!.Value.Data;
    }

    private ItemRecord Item(string itemId) => _state.Store.FindItem(itemId) ?? throw new KeyNotFoundException($"No item '{itemId}'.");

    private FolderRecord FolderByPath(string mailboxId, string path)
    {
        var folder = _state.Store.GetWellKnownFolder(mailboxId, WellKnownFolders.MsgFolderRoot)
            ?? throw new KeyNotFoundException($"No mailbox '{mailboxId}'.");
        foreach (var name in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            folder = _state.Store.FindChildFolderByName(folder.Id, name)
                ?? throw new KeyNotFoundException($"No folder '{name}' on the path '{path}'.");
        }
        return folder;
    }
}
