using System.Text.RegularExpressions;

namespace MailboxImportExport.Emulator.Hosting;

/// <summary>The in-process request log, plus the optional console line per request. Never records a secret.</summary>
internal sealed class RequestLog
{
    /// <summary>
    /// The importUrl's authtoken, and the OAuth parameters that are credentials. Entra takes the latter in the form
    /// body, which is never logged; a client that puts them in the query string must not see them logged either.
    /// </summary>
    private static readonly Regex Secret = new(
        "((?:^|&)(?:authtoken|client_secret|client_assertion|refresh_token|device_code|code|code_verifier|access_token|id_token|password)=)[^&]*",
        RegexOptions.IgnoreCase | RegexOptions.Compiled);

    private readonly List<EmulatorRequestLogEntry> _entries = new();
    private readonly TextWriter? _writer;

    public RequestLog(TextWriter? writer) => _writer = writer;

    /// <summary>Replaces the value of every credential parameter in a query string with REDACTED.</summary>
    public static string Redact(string text) => Secret.Replace(text, "$1REDACTED");

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
