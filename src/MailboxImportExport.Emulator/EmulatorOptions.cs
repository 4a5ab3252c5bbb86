namespace MailboxImportExport.Emulator;

/// <summary>How to start an <see cref="EmulatorServer"/>.</summary>
public sealed class EmulatorOptions
{
    /// <summary>TCP port on 127.0.0.1; 0 picks a free one (see <see cref="EmulatorServer.BaseUri"/>).</summary>
    public int Port { get; set; } = 0;

    /// <summary>SQLite file that keeps the data across runs; null keeps it in memory, private to this emulator.</summary>
    public string? DataFile { get; set; }

    /// <summary>"demo" for the demo tenant's users and mailboxes, or null for an empty tenant with just the demo app.</summary>
    public string? Seed { get; set; }

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    public TimeSpan ImportSessionLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The <c>interval</c> device code answers tell clients to poll at (Entra: 5 seconds; MSAL honours it).</summary>
    public TimeSpan DeviceCodePollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Page size when neither $top nor Prefer: odata.maxpagesize says one (the docs' nextLinks suggest 10).</summary>
    public int DefaultPageSize { get; set; } = 10;

    /// <summary>False answers <c>$filter</c> on extended properties with 400 "not supported" (<see cref="EmulatorControl.ExtendedPropertyFilterSupported"/>).</summary>
    public bool ExtendedPropertyFilterSupported { get; set; } = true;

    /// <summary>True lists every folder flat from <c>GET …/folders</c> (<see cref="EmulatorControl.FlatFolderListing"/>).</summary>
    public bool FlatFolderListing { get; set; }

    /// <summary>Where to write one line per request (tokens and authtoken values redacted); null writes nothing.</summary>
    public TextWriter? RequestLogWriter { get; set; }
}
