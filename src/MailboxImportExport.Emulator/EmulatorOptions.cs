namespace MailboxImportExport.Emulator;

/// <summary>How to start an <see cref="EmulatorServer"/>.</summary>
public sealed class EmulatorOptions
{
    /// <summary>TCP port on 127.0.0.1; 0 picks a free one (see <see cref="EmulatorServer.BaseUri"/>).</summary>
    public int Port { get; set; }

    /// <summary>SQLite file that keeps the data across runs; null keeps it in memory, private to this emulator.</summary>
    public string? DataFile { get; set; }

    /// <summary>
    /// "demo" for the demo tenant's users and mailboxes; "scale:MxN" (or "scale:MxN:small") for M mailboxes of N
    /// generated items each; null for an empty tenant with just the demo app.
    /// </summary>
    public string? Seed { get; set; }

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    public TimeSpan ImportSessionLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The <c>interval</c> device code answers tell clients to poll at (Entra: 5 seconds; MSAL honours it).</summary>
    public TimeSpan DeviceCodePollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Page size when neither $top nor Prefer: odata.maxpagesize says one (the docs' nextLinks suggest 10).</summary>
    public int DefaultPageSize { get; set; } = 10;

    // Outlook's limits are on by default, as the real service always enforces them: a client that exceeds them meets
    // 429s here as it would there. A test that needs them off says so (null).

    /// <summary>In-flight requests per app and mailbox before 429 MailboxConcurrency (default Outlook's 4); null for no limit.</summary>
    public int? MailboxConcurrencyLimit { get; set; } = 4;

    /// <summary>Requests per app and mailbox per window before 429 RequestRate (default Outlook's 10,000 per 10 minutes); null for no limit.</summary>
    public EmulatorRateLimit? RequestRateLimit { get; set; } = EmulatorRateLimit.OutlookRequests;

    /// <summary>Request-body bytes per app and mailbox per window before 429 IncomingBytes (default Outlook's 150 MiB per 5 minutes); null for no limit.</summary>
    public EmulatorRateLimit? UploadLimit { get; set; } = EmulatorRateLimit.OutlookUploadBytes;

    /// <summary>Service time of each mailbox request, spent holding its concurrency slot.</summary>
    public TimeSpan Latency { get; set; } = TimeSpan.Zero;

    /// <summary>Each service time is drawn uniformly from Latency ± LatencyJitter.</summary>
    public TimeSpan LatencyJitter { get; set; } = TimeSpan.Zero;

    /// <summary>How far the service clock (Date header, item times) is ahead of this machine's; negative for behind.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.Zero;

    /// <summary>Faults to inject from the start (scripted counts and a random mix), or null.</summary>
    public EmulatorFaultMix? Faults { get; set; }

    /// <summary>createdDateTime of imported items: the import time (default) or the stream's PidTagCreationTime.</summary>
    public ImportedCreatedDateTime ImportedCreatedDateTime { get; set; } = ImportedCreatedDateTime.ImportTime;

    /// <summary>Whether imported items keep the stream's search key (default) or get a new one.</summary>
    public ImportedSearchKey ImportedSearchKey { get; set; } = ImportedSearchKey.Kept;

    /// <summary>False answers <c>$filter</c> on extended properties with 400 "not supported" (<see cref="EmulatorControl.ExtendedPropertyFilterSupported"/>).</summary>
    public bool ExtendedPropertyFilterSupported { get; set; } = true;

    /// <summary>True lists every folder flat from <c>GET …/folders</c> (<see cref="EmulatorControl.FlatFolderListing"/>).</summary>
    public bool FlatFolderListing { get; set; }

    /// <summary>Where to write one line per request (tokens and authtoken values redacted); null writes nothing.</summary>
    public TextWriter? RequestLogWriter { get; set; }
}
