using System.Collections.Concurrent;
using System.Net;

namespace MailboxImportExport.Engine.Http;

/// <summary>
/// Where the service sends a mailbox request when the data lives elsewhere: auto-expanding archives answer
/// <c>308 Permanent Redirect</c> with a Location under another <c>MBX:</c> id, and exportItems names the exportItems URL
/// of the right mailbox in <c>ErrorArchiveFolderMovedPermanently</c> (graph-api-notes §7). A redirect is followed only
/// over https, to the Graph host the token is for, to a <c>/mailboxes/</c> path, and at most <see cref="MaxHops"/> times;
/// the HTTP handler never follows one by itself, since it would drop the Authorization header.
/// </summary>
internal static class MailboxRedirect
{
    public const int MaxHops = 5;
    public const string ExportMovedCode = "ErrorArchiveFolderMovedPermanently";

    public static bool IsRedirect(HttpResponseMessage response) =>
        response.StatusCode is HttpStatusCode.MovedPermanently or HttpStatusCode.Redirect or HttpStatusCode.TemporaryRedirect || (int)response.StatusCode == 308;

    /// <summary>The URL to send the same request to, or a GraphException saying why the redirect is not followed.</summary>
    public static Uri Next(HttpResponseMessage response, Uri current, Uri graphBase, int hop)
    {
        var location = response.Headers.Location
            ?? throw new GraphException(response.StatusCode, "RedirectWithoutLocation", $"The service redirected {current.AbsolutePath} ({(int)response.StatusCode}) without saying where.");
        return Check(location.IsAbsoluteUri ? location : new Uri(current, location), graphBase, hop, response.StatusCode);
    }

    /// <summary>The exportItems URL an ErrorArchiveFolderMovedPermanently message names, checked like a redirect.</summary>
    public static Uri ExportLocation(string message, Uri graphBase, int hop)
    {
        if (!Uri.TryCreate(message.Trim(), UriKind.Absolute, out var url) || !url.AbsolutePath.EndsWith("/exportItems", StringComparison.OrdinalIgnoreCase))
            throw new GraphException(HttpStatusCode.OK, ExportMovedCode, $"The item moved to another archive mailbox, but the service named no exportItems URL: {message}");
        return Check(url, graphBase, hop, HttpStatusCode.OK);
    }

    private static Uri Check(Uri target, Uri graphBase, int hop, HttpStatusCode status)
    {
        if (hop > MaxHops)
            throw new GraphException(status, "TooManyRedirects", $"The service redirected more than {MaxHops} times; the last place was {target.AbsolutePath}.");
        if (!string.Equals(target.Scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase) ||
            !string.Equals(target.Authority, graphBase.Authority, StringComparison.OrdinalIgnoreCase) ||
            target.AbsolutePath.IndexOf("/mailboxes/", StringComparison.OrdinalIgnoreCase) < 0)
            throw new GraphException(status, "RedirectRefused",
                $"The service redirected to {target.Scheme}://{target.Authority}{target.AbsolutePath}; only https mailbox paths on {graphBase.Authority} are followed, so the access token goes nowhere else.");
        return target;
    }
}

/// <summary>
/// Where folders that answered a 308 live now, for one connection. The redirect is permanent, so it is remembered per
/// (mailbox, folder): later calls for that folder (its items, its subfolders, the next listing) go straight to the mailbox
/// that holds it instead of bouncing again. Should the folder move on, the new redirect replaces what was remembered.
/// </summary>
internal sealed class FolderRedirects
{
    private readonly ConcurrentDictionary<string, string> _homes = new(StringComparer.Ordinal);

    /// <summary>The URL under the mailbox its folder was last redirected to, or the URL itself.</summary>
    public Uri Apply(Uri url) =>
        FolderOf(url) is { } at && _homes.TryGetValue(at.Key, out var home) ? WithMailbox(url, at.MailboxSegment, home) : url;

    /// <summary>Remembers that the folder <paramref name="requested"/> names is answered at <paramref name="redirected"/>.</summary>
    public void Remember(Uri requested, Uri redirected)
    {
        if (FolderOf(requested) is not { } from || FolderOf(redirected) is not { } to || from.Folder != to.Folder) return;
        if (string.Equals(from.Mailbox, to.Mailbox, StringComparison.OrdinalIgnoreCase)) _homes.TryRemove(from.Key, out _);
        else _homes[from.Key] = to.Mailbox;
    }

    private static (string Mailbox, string Folder, int MailboxSegment, string Key)? FolderOf(Uri url)
    {
        var segments = url.AbsolutePath.Split('/');
        for (var i = 2; i + 3 < segments.Length; i++)
        {
            if (!segments[i].Equals("mailboxes", StringComparison.OrdinalIgnoreCase) || !segments[i - 1].Equals("exchange", StringComparison.OrdinalIgnoreCase) ||
                !segments[i - 2].Equals("admin", StringComparison.OrdinalIgnoreCase) || !segments[i + 2].Equals("folders", StringComparison.OrdinalIgnoreCase))
                continue;
            var mailbox = Uri.UnescapeDataString(segments[i + 1]);
            var folder = Uri.UnescapeDataString(segments[i + 3]);
            if (mailbox.Length == 0 || folder.Length == 0 || folder.Equals("delta", StringComparison.OrdinalIgnoreCase)) return null;
            return (mailbox, folder, i + 1, mailbox.ToUpperInvariant() + "/" + folder);
        }
        return null;
    }

    private static Uri WithMailbox(Uri url, int segment, string mailbox)
    {
        var segments = url.AbsolutePath.Split('/');
        segments[segment] = GraphPath.Segment(mailbox);
        return new Uri(url.GetLeftPart(UriPartial.Authority) + string.Join("/", segments) + url.Query);
    }
}
