namespace MailboxImportExport.Emulator;

/// <summary>One request the emulator answered. <see cref="Query"/> is decoded, with authtoken values redacted.</summary>
public sealed record EmulatorRequestLogEntry(
    string Method,
    string Path,
    string Query,
    bool HadAuthorization,
    int StatusCode,
    DateTimeOffset Timestamp);

/// <summary>What a fault-injection predicate sees of a request: its method and decoded path.</summary>
public sealed record EmulatorRequestInfo(string Method, string Path);

/// <summary>The key casing of exportItems' per-item error: the schema's <c>error</c>, or <c>Error</c> as a doc example shows.</summary>
public enum ExportErrorCasing
{
    Lowercase,
    Capitalized,
}
