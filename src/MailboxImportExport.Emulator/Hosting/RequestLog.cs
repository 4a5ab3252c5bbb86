using System.Text.RegularExpressions;

namespace MailboxImportExport.Emulator.Hosting;

/// <summary>The in-process request log, plus the optional console line per request. Never records a secret.</summary>
internal sealed class RequestLog
{
    private static readonly Regex AuthToken = new("(authtoken=)[^&]*", RegexOptions.IgnoreCase | RegexOptions.Compiled);

    private readonly List<EmulatorRequestLogEntry> _entries = new();
    private readonly TextWriter? _writer;

    public RequestLog(TextWriter? writer) => _writer = writer;

    /// <summary>Replaces every authtoken value (the importUrl's credential) with REDACTED.</summary>
    public static string Redact(string text) => AuthToken.Replace(text, "$1REDACTED");

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
