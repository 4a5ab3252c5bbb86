namespace MailboxImportExport.Engine.Http;

/// <summary>
/// Builds Graph paths from opaque ids. Mailbox ids contain ':' and '@', folder ids may contain '/', '=' and
/// '+', so every segment is percent-encoded.
/// </summary>
public static class GraphPath
{
    public static string Segment(string value) => Uri.EscapeDataString(value);

    public static string User(string userId) => $"users/{Segment(userId)}";
    public static string Mailbox(string mailboxId) => $"admin/exchange/mailboxes/{Segment(mailboxId)}";

    /// <summary>A message or event of a user, on the Outlook endpoints: <c>users/{user}/messages/{id}</c> or <c>…/events/{id}</c>.</summary>
    public static string UserItem(string userId, Models.ExItemKind kind, string itemId) =>
        $"{User(userId)}/{(kind == Models.ExItemKind.Event ? "events" : "messages")}/{Segment(itemId)}";
}
