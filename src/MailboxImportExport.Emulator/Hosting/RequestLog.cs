namespace MailboxImportExport.Emulator.Hosting;

/// <summary>The in-process request log, plus the optional console line per request. Never records a secret.</summary>
internal sealed class RequestLog
{
    /// <summary>
    /// The importUrl's authtoken, and the OAuth parameters that are credentials. Entra takes the latter in the form
    /// body, which is never logged; a client that puts them in the query string must not see them logged either.
    /// </summary>
    private static readonly HashSet<string> SecretParameters = new(StringComparer.OrdinalIgnoreCase)
    {
        "authtoken", "client_secret", "client_assertion", "refresh_token", "device_code", "code", "code_verifier",
        "access_token", "id_token", "password",
    };

    private readonly List<EmulatorRequestLogEntry> _entries = new();
    private readonly TextWriter? _writer;

    public RequestLog(TextWriter? writer) => _writer = writer;

    /// <summary>
    /// A raw query string as the log shows it: decoded, with the value of every credential parameter replaced by
    /// REDACTED. Redacting before decoding keeps an encoded '&amp;' inside a secret from cutting the secret in two.
    /// </summary>
    public static string Describe(string rawQuery) => string.Join("&", rawQuery.TrimStart('?')
        .Split('&', StringSplitOptions.RemoveEmptyEntries)
        .Select(parameter =>
        {
            var name = Uri.UnescapeDataString(parameter.Split('=', 2)[0]);
            return SecretParameters.Contains(name) ? name + "=REDACTED" : Uri.UnescapeDataString(parameter);
        }));

    public void Add(EmulatorRequestLogEntry entry)
    {
        lock (_entries) _entries.Add(entry);
        if (_writer is null) return;
        var query = entry.Query.Length > 0 ? "?" + entry.Query : "";
        lock (_writer) _writer.WriteLine($"{entry.Timestamp:HH:mm:ss.fff} {entry.Method} {entry.Path}{query} -> {entry.StatusCode}");
    }

    public IReadOnlyList<EmulatorRequestLogEntry> Snapshot()
    {
        lock (_entries) return _entries.ToArray();
    }

    public void Clear()
    {
        lock (_entries) _entries.Clear();
    }
}
