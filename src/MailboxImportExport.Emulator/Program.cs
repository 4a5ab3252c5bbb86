using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using MailboxImportExport.Emulator;
using MailboxImportExport.Emulator.Seeding;
using MailboxImportExport.Engine.Auth;

// mailbox-emulator (the .NET tool) or dotnet run --project src/MailboxImportExport.Emulator -- --port N --seed demo [--data FILE] [--token-lifetime S] [--session-lifetime S] ...
const string Usage = """
    Usage: mailbox-emulator [--port N] [--seed demo|empty|scale:MxN|FILE.json] [--data FILE] [--token-lifetime SECONDS] [--session-lifetime SECONDS]
                            [--device-code-interval SECONDS] [--managed-identity] [--app-certificate CLIENT_ID FILE]... [--log]
                            [--latency MS] [--latency-jitter MS] [--outlook-limits] [--concurrency-limit N|off] [--request-limit N/SECONDS|off]
                            [--upload-limit MB/SECONDS|off] [--faults SPEC] [--fault-seed N] [--late-commit-delay MS]
                            [--clock-skew SECONDS] [--imported-created-time import|source] [--imported-search-key keep|regenerate]
                            [--no-extended-property-filter] [--flat-folder-list]

    Runs a local emulator of the Microsoft Graph mailbox import/export APIs on https://127.0.0.1:N/ until Ctrl+C.
      --port N                    TCP port on 127.0.0.1 (default 0: pick a free one)
      --seed demo                 load the demo tenant's users, mailboxes and items
      --seed empty                a tenant with no users (the default)
      --seed FILE.json            the users, mailboxes, folders and items a seed file lists (see docs/emulator.md)
      --seed scale:MxN[:small]    M mailboxes (user0001@contoso.test ...) of N generated items each, sizes like a real
                                  mailbox (or :small, text only); the same at every start, seeded in seconds
      --data FILE                 keep the data in this SQLite file (default: in memory)
      --token-lifetime SECONDS    lifetime of issued access tokens (default 3600)
      --session-lifetime SECONDS  lifetime of import sessions (default 3600)
      --device-code-interval SECONDS
                                  how often device code sign-ins poll (default 5, as Entra ID)
      --managed-identity          print the IDENTITY_ENDPOINT and IDENTITY_HEADER values that make a script on this
                                  machine sign in as the emulator's managed identity (Connect-ExMailboxService -Identity)
      --app-certificate CLIENT_ID FILE
                                  let the app CLIENT_ID (registered if new) sign in with the certificate in FILE (.cer,
                                  .pem or .crt; only its public key is read); may be repeated
      --no-extended-property-filter
                                  answer $filter on singleValueExtendedProperties with 400 "not supported"
      --flat-folder-list          GET .../folders lists every folder of the mailbox flat, not only the top ones
      --log                       print one line per request (tokens redacted)
      --help                      show this help

    Service realism (limits are per app and mailbox, as Outlook's, and on by default; see docs/emulator.md):
      --latency MS                service time of every mailbox request, spent holding its concurrency slot (default 0)
      --latency-jitter MS         each service time is drawn from latency +/- jitter (default 0)
      --outlook-limits            Outlook's limits (the default): --concurrency-limit 4 --request-limit 10000/600 --upload-limit 150/300
      --no-limits                 no limits at all: --concurrency-limit off --request-limit off --upload-limit off
      --concurrency-limit N|off   requests in flight per app and mailbox before 429 MailboxConcurrency (Outlook: 4)
      --request-limit N/SECONDS|off
                                  requests per app and mailbox per sliding window before 429 RequestRate (Outlook: 10000/600)
      --upload-limit MB/SECONDS|off
                                  request-body MiB per app and mailbox per window before 429 IncomingBytes (Outlook: 150/300)
                                  (a later option overrides an earlier one)
      --faults SPEC               inject faults: ROUTE:FAULT=PERCENT%|COUNT[,...][;ROUTE:...], e.g.
                                  "import:503-after-commit=10%,503=10%,drop-after-commit=5%" or "import:drop-after-commit=3"
                                  ROUTE: import export session items folders mailbox settings identity other any
                                  FAULT: 429 503 504 (any 4xx/5xx) 503-after-commit 504-after-commit drop drop-after-commit
                                         late-commit 401 (expires the session or token it hits)
      --fault-seed N              seed of the random fault draws (default 1): same seed, same faults in request order
      --late-commit-delay MS      how long after its 504 a late-commit lands (default 2000)
      --clock-skew SECONDS        the service clock (Date header, item times) runs this far ahead (negative: behind)
      --imported-created-time import|source
                                  createdDateTime of imported items: the import time (default) or the stream's creation time
      --imported-search-key keep|regenerate
                                  imported items keep the stream's search key (default) or get a new one
    """;

var options = new EmulatorOptions();
var showManagedIdentity = false;
string? faultSpec = null;
var faultSeed = 1;
var lateCommitDelay = EmulatorFault.DefaultLateCommitDelay;
var appCertificates = new List<(string ClientId, X509Certificate2 Certificate)>();
try
{
    for (var i = 0; i < args.Length; i++)
    {
        string Value() => i + 1 < args.Length ? args[++i] : throw new FormatException($"{args[i]} needs a value.");
        switch (args[i])
        {
            case "--help" or "-h" or "-?":
                Console.WriteLine(Usage);
                return 0;
            case "--port":
                options.Port = ParseInt(args[i], Value(), 0, 65535);
                break;
            case "--seed":
                var seed = Value();
                options.Seed = seed is "demo" or EmulatorServer.EmptySeed ? seed
                    : ScaleSeed.IsScale(seed) ? ScaleSeed.Parse(seed).ToString()
                    : FileSeed.IsFile(seed) ? Path.GetFullPath(seed)
                    : throw new FormatException("--seed accepts 'demo', 'empty', 'scale:MxN[:mixed|small]' (e.g. scale:50x2000) or a seed file (FILE.json).");
                break;
            case "--data":
                options.DataFile = Value();
                break;
            case "--token-lifetime":
                options.AccessTokenLifetime = TimeSpan.FromSeconds(ParseInt(args[i], Value(), 1, int.MaxValue));
                break;
            case "--session-lifetime":
                options.ImportSessionLifetime = TimeSpan.FromSeconds(ParseInt(args[i], Value(), 1, int.MaxValue));
                break;
            case "--device-code-interval":
                options.DeviceCodePollInterval = TimeSpan.FromSeconds(ParseInt(args[i], Value(), 1, 3600));
                break;
            case "--managed-identity":
                showManagedIdentity = true;
                break;
            case "--app-certificate":
                var clientId = Guid.TryParse(Value(), out var id) ? id.ToString() : throw new FormatException("--app-certificate needs a client id (a GUID) first.");
                appCertificates.Add((clientId, LoadCertificate(Value())));
                break;
            case "--no-extended-property-filter":
                options.ExtendedPropertyFilterSupported = false;
                break;
            case "--flat-folder-list":
                options.FlatFolderListing = true;
                break;
            case "--log":
                options.RequestLogWriter = Console.Out;
                break;
            case "--latency":
                options.Latency = TimeSpan.FromMilliseconds(ParseInt(args[i], Value(), 0, 600_000));
                break;
            case "--latency-jitter":
                options.LatencyJitter = TimeSpan.FromMilliseconds(ParseInt(args[i], Value(), 0, 600_000));
                break;
            case "--outlook-limits":
                options.MailboxConcurrencyLimit = 4;
                options.RequestRateLimit = EmulatorRateLimit.OutlookRequests;
                options.UploadLimit = EmulatorRateLimit.OutlookUploadBytes;
                break;
            case "--no-limits":
                options.MailboxConcurrencyLimit = null;
                options.RequestRateLimit = options.UploadLimit = null;
                break;
            case "--concurrency-limit":
                var concurrency = Value();
                options.MailboxConcurrencyLimit = concurrency == "off" ? null : ParseInt("--concurrency-limit", concurrency, 1, 10_000);
                break;
            case "--request-limit":
                options.RequestRateLimit = ParseRateLimit(args[i], Value(), unit: 1);
                break;
            case "--upload-limit":
                options.UploadLimit = ParseRateLimit(args[i], Value(), unit: 1024 * 1024);
                break;
            case "--faults":
                faultSpec = Value();
                break;
            case "--fault-seed":
                faultSeed = ParseInt(args[i], Value(), 0, int.MaxValue);
                break;
            case "--late-commit-delay":
                lateCommitDelay = TimeSpan.FromMilliseconds(ParseInt(args[i], Value(), 0, 3_600_000));
                break;
            case "--clock-skew":
                options.ClockSkew = TimeSpan.FromSeconds(ParseInt(args[i], Value(), -7 * 86_400, 7 * 86_400));
                break;
            case "--imported-created-time":
                options.ImportedCreatedDateTime = Value() switch
                {
                    "import" => ImportedCreatedDateTime.ImportTime,
                    "source" => ImportedCreatedDateTime.Source,
                    var other => throw new FormatException($"--imported-created-time accepts 'import' or 'source', not '{other}'."),
                };
                break;
            case "--imported-search-key":
                options.ImportedSearchKey = Value() switch
                {
                    "keep" => ImportedSearchKey.Kept,
                    "regenerate" => ImportedSearchKey.Regenerated,
                    var other => throw new FormatException($"--imported-search-key accepts 'keep' or 'regenerate', not '{other}'."),
                };
                break;
            default:
                throw new FormatException($"Unknown argument '{args[i]}'.");
        }
    }
    // After the loop: --fault-seed and --late-commit-delay may come after --faults.
    if (faultSpec is not null) options.Faults = EmulatorFaultMix.Parse(faultSpec, faultSeed, lateCommitDelay);
}
catch (FormatException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(Usage);
    return 2;
}

EmulatorServer server;
try
{
    server = await EmulatorServer.StartAsync(options);
}
catch (FormatException e)
{
    // A seed file that is missing or wrong: the message names the file, line and field.
    Console.Error.WriteLine(e.Message);
    return 2;
}
catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
{
    Console.Error.WriteLine($"Port {options.Port} on 127.0.0.1 is already in use: stop what listens there, or choose another port with --port (0 picks a free one).");
    return 2;
}
await using var running = server;
foreach (var (clientId, certificate) in appCertificates)
{
    if (clientId.Equals(EmulatorDefaults.ClientId, StringComparison.OrdinalIgnoreCase)) server.Control.RegisterClientCertificate(clientId, certificate);
    else server.Control.RegisterApplication(clientId, certificate: certificate);
    Console.WriteLine($"App {clientId} accepts certificate {certificate.Thumbprint} ({certificate.Subject})");
}
if (showManagedIdentity)
{
    // Printed before the address line, which scripts wait for: by then they have these too.
    Console.WriteLine($"IDENTITY_ENDPOINT={server.BaseUri}msi/token");
    Console.WriteLine($"IDENTITY_HEADER={server.Control.ManagedIdentityHeader}");
}
if (options.Faults is { } faults) Console.WriteLine($"Faults: {faults} (seed {faults.Seed})");
Console.WriteLine($"Emulator listening on {server.BaseUri}");
Console.WriteLine($"Tenant ID: {EmulatorDefaults.TenantId}");
Console.WriteLine($"Client ID: {EmulatorDefaults.ClientId}");
Console.WriteLine("Press Ctrl+C to stop.");

var stopped = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stopped.TrySetResult();
};
AppDomain.CurrentDomain.ProcessExit += (_, _) => stopped.TrySetResult();
// SIGTERM never reaches ProcessExit: the host's console lifetime cancels it and stops the host instead.
server.Stopping.Register(() => stopped.TrySetResult());
await stopped.Task;
return 0;

static X509Certificate2 LoadCertificate(string path)
{
    try
    {
        return X509CertificateLoader.LoadCertificateFromFile(path);
    }
    catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
    {
        throw new FormatException($"--app-certificate: '{path}' is not a readable certificate file (.cer, .pem or .crt): {e.Message}");
    }
}

static int ParseInt(string name, string text, int min, int max) =>
    int.TryParse(text, min < 0 ? NumberStyles.AllowLeadingSign : NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
        ? value
        : throw new FormatException($"{name} needs a whole number from {min} to {max}, not '{text}'.");

// "N/SECONDS" (N in units: requests, or MiB), or "off".
static EmulatorRateLimit? ParseRateLimit(string name, string text, long unit)
{
    if (text == "off") return null;
    var parts = text.Split('/');
    return parts.Length == 2
        && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var amount) && amount is > 0 and <= 1_000_000_000
        && double.TryParse(parts[1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) && seconds is > 0 and <= 86_400
        ? new EmulatorRateLimit(amount * unit, TimeSpan.FromSeconds(seconds))
        : throw new FormatException($"{name} needs AMOUNT/SECONDS (e.g. {(unit == 1 ? "10000/600" : "150/300")}) or 'off', not '{text}'.");
}
