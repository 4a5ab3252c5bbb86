using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Identity.Client;

namespace MailboxImportExport.Engine.Auth;

/// <summary>
/// One MSAL confidential-client application (and so one token cache) per app, authority and credential, for
/// the whole process: every runspace that connects the same way reuses its tokens without signing in again.
/// The credential is part of the key, so a wrong secret is never answered from a cache the right one filled.
/// </summary>
internal static class ConfidentialClientApps
{
    private static readonly ConcurrentDictionary<string, IConfidentialClientApplication> Apps = new(StringComparer.Ordinal);

    public static IConfidentialClientApplication GetOrCreate(string authority, string clientId, string credential,
        Func<IConfidentialClientApplication> create) =>
        Apps.GetOrAdd($"{authority.TrimEnd('/').ToLowerInvariant()}|{clientId.ToLowerInvariant()}|{Fingerprint(credential)}", _ => create());

    private static string Fingerprint(string credential)
    {
        using var sha = SHA256.Create();
        return Convert.ToBase64String(sha.ComputeHash(Encoding.UTF8.GetBytes(credential)));
    }
}
