namespace MailboxImportExport.Engine.Models;

/// <summary>
/// An import session of one mailbox. Its import URL carries its own credential (an <c>authtoken</c> in the query),
/// so it is kept internal: no public member exposes it and <see cref="ToString"/> never shows it.
/// </summary>
public sealed class ExImportSession
{
    internal ExImportSession(string mailboxId, Uri importUrl, DateTimeOffset expirationDateTime)
    {
        MailboxId = mailboxId;
        ImportUrl = importUrl;
        ExpirationDateTime = expirationDateTime;
    }

    public string MailboxId { get; }
    /// <summary>When the session's URL stops working; sessions are renewed before then.</summary>
    public DateTimeOffset ExpirationDateTime { get; }

    internal Uri ImportUrl { get; }

    public override string ToString() => $"Import session for {MailboxId} (expires {ExpirationDateTime:u})";
}
