namespace MailboxImportExport.Emulator;

/// <summary>
/// One request the emulator answered. <see cref="Query"/> is decoded, with authtoken values redacted.
/// <see cref="Timestamp"/> is when the answer was complete (or the connection dropped), <see cref="Started"/> when the
/// request arrived; both on the machine's clock, not the skewed service clock.
/// </summary>
public sealed record EmulatorRequestLogEntry(
    string Method,
    string Path,
    string Query,
    bool HadAuthorization,
    int StatusCode,
    DateTimeOffset Timestamp)
{
    public DateTimeOffset Started { get; init; }

    /// <summary>What kind of request it was (see <see cref="EmulatorRoutes"/>).</summary>
    public string Route { get; init; } = EmulatorRoutes.Other;

    /// <summary>The app (client id) a mailbox request counted against; null for requests that reached no mailbox.</summary>
    public string? AppId { get; init; }

    /// <summary>The mailbox a request was for; null for requests that reached no mailbox.</summary>
    public string? MailboxId { get; init; }

    /// <summary>The injected fault's name (<see cref="EmulatorFault.Name"/>), or null.</summary>
    public string? Fault { get; init; }

    /// <summary>The limit that answered 429 (MailboxConcurrency, RequestRate, IncomingBytes), or null.</summary>
    public string? Throttled { get; init; }

    /// <summary>True when the connection was reset instead of answered (<see cref="StatusCode"/> is then 0).</summary>
    public bool Dropped { get; init; }
}

/// <summary>What a fault-injection predicate sees of a request: its method, decoded path and kind of route.</summary>
public sealed record EmulatorRequestInfo(string Method, string Path)
{
    /// <summary>One of the <see cref="EmulatorRoutes"/> names.</summary>
    public string Route { get; init; } = EmulatorRoutes.Other;

    /// <summary>A POST to an importUrl.</summary>
    public bool IsImport => Route == EmulatorRoutes.Import;
}

/// <summary>The kinds of request the fault selectors and the request log name.</summary>
public static class EmulatorRoutes
{
    /// <summary>POST {importUrl}.</summary>
    public const string Import = "import";

    /// <summary>POST …/mailboxes/{id}/exportItems.</summary>
    public const string Export = "export";

    /// <summary>POST …/mailboxes/{id}/createImportSession.</summary>
    public const string Session = "session";

    /// <summary>Item reads and deletes: …/items, …/items/{id}, …/items/delta.</summary>
    public const string Items = "items";

    /// <summary>Folder reads and writes (list, get, create, rename, delete, delta).</summary>
    public const string Folders = "folders";

    /// <summary>GET …/mailboxes/{id}.</summary>
    public const string Mailbox = "mailbox";

    /// <summary>GET /users/{id}/settings/exchange.</summary>
    public const string Settings = "settings";

    /// <summary>The Entra ID endpoints, the device login page and the managed identity endpoint.</summary>
    public const string Identity = "identity";

    /// <summary>Anything else (unknown routes).</summary>
    public const string Other = "other";

    /// <summary>Selector that matches every request (for <see cref="EmulatorFaultMix"/>).</summary>
    public const string Any = "any";

    /// <summary>The routes that reach a mailbox: they pass its limits and latency, and take faults inside them.</summary>
    public static bool IsMailboxRoute(string route) => route is Import or Export or Session or Items or Folders or Mailbox;

    internal static readonly string[] Selectors = { Import, Export, Session, Items, Folders, Mailbox, Settings, Identity, Other, Any };

    /// <summary>Whether a selector (a route name or <see cref="Any"/>) matches a route.</summary>
    public static bool Matches(string selector, string route) => selector == Any || selector == route;

    /// <summary>The route of a request from its method and decoded path segments.</summary>
    internal static string Classify(string method, IReadOnlyList<string> segments)
    {
        static bool Is(string segment, string name) => segment.Equals(name, StringComparison.OrdinalIgnoreCase);
        if (Hosting.ImportRoute.TryMatch(segments, out _, out _)) return Import;
        if (segments.Count >= 1 && segments[0] is "v1.0" or "beta")
        {
            if (segments.Count == 5 && Is(segments[1], "users") && Is(segments[3], "settings") && Is(segments[4], "exchange")) return Settings;
            if (segments.Count < 5 || !Is(segments[1], "admin") || !Is(segments[2], "exchange") || !Is(segments[3], "mailboxes")) return Other;
            if (segments.Count == 5) return Mailbox;
            if (segments.Count == 6 && Is(segments[5], "exportItems")) return method == "POST" ? Export : Other;
            if (segments.Count == 6 && Is(segments[5], "createImportSession")) return method == "POST" ? Session : Other;
            if (!Is(segments[5], "folders")) return Other;
            return segments.Skip(6).Any(s => Is(s, "items")) ? Items : Folders;
        }
        if (segments is ["msi", "token"] or ["devicelogin"] || segments.Count >= 2 && segments[1] is "oauth2" or "v2.0" or "discovery") return Identity;
        return Other;
    }
}

/// <summary>The key casing of exportItems' per-item error: the schema's <c>error</c>, or <c>Error</c> as a doc example shows.</summary>
public enum ExportErrorCasing
{
    Lowercase,
    Capitalized,
}
