using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using MailboxImportExport.Emulator;
using MailboxImportExport.Engine.Auth;

// dotnet run --project src/MailboxImportExport.Emulator -- --port N --seed demo [--data FILE] [--token-lifetime S] [--session-lifetime S] ...
const string Usage = """
    Usage: MailboxImportExport.Emulator [--port N] [--seed demo] [--data FILE] [--token-lifetime SECONDS] [--session-lifetime SECONDS]
                                        [--device-code-interval SECONDS] [--managed-identity] [--app-certificate CLIENT_ID FILE]...
                                        [--no-extended-property-filter] [--flat-folder-list] [--log]

    Runs a local emulator of the Microsoft Graph mailbox import/export APIs on https://127.0.0.1:N/ until Ctrl+C.
      --port N                    TCP port on 127.0.0.1 (default 0: pick a free one)
      --seed demo                 load the demo tenant's users, mailboxes and items (default: an empty tenant)
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
    """;

var options = new EmulatorOptions();
var showManagedIdentity = false;
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
                options.Seed = Value() is "demo" ? "demo" : throw new FormatException("--seed accepts only 'demo'.");
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
            default:
                throw new FormatException($"Unknown argument '{args[i]}'.");
        }
    }
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
    int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
        ? value
        : throw new FormatException($"{name} needs a whole number from {min} to {max}, not '{text}'.");
