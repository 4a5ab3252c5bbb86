namespace MailboxImportExport.Engine.Models;

public enum MailboxKind
{
    Primary,
    Archive,
}

/// <summary>A user's mailbox: what <c>Get-ExMailbox</c> emits and every mailbox-scoped cmdlet accepts by property name.</summary>
public sealed class ExMailbox
{
    public ExMailbox(string mailboxId, string userId, MailboxKind kind)
    {
        MailboxId = mailboxId;
        UserId = userId;
        Kind = kind;
    }

    /// <summary>The opaque <c>MBX:{guid}@{tenant}</c> id the import/export APIs address.</summary>
    public string MailboxId { get; }
    /// <summary>The user as given: a UPN or an object id.</summary>
    public string UserId { get; }
    public MailboxKind Kind { get; }

    public override string ToString() => $"{UserId} ({Kind})";
}
