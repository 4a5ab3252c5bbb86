using System.Collections.Concurrent;
using MailboxImportExport.Engine.Diagnostics;
using Microsoft.Identity.Client;

namespace MailboxImportExport.Engine.Auth.TokenCache;

/// <summary>
/// The process-wide cache: a serialized MSAL cache in memory that every application of its partition loads before
/// each access and saves after a change, so all runspaces share one set of tokens.
/// </summary>
/// <remarks>
/// Two applications saving at the same moment can drop the other's newest token; that costs one more token
/// request later, never a failure, and keeps removals (sign-out) final, which a merge would not.
/// </remarks>
internal sealed class ProcessTokenStore : ITokenCacheStore
{
    private static readonly ConcurrentDictionary<string, ProcessTokenStore> Partitions = new(StringComparer.OrdinalIgnoreCase);

    public static ProcessTokenStore For(string partition) => Partitions.GetOrAdd(partition, _ => new ProcessTokenStore());

    private readonly object _gate = new();
    private byte[] _data = Array.Empty<byte>();

    public void Register(ITokenCache cache)
    {
        cache.SetBeforeAccess(args =>
        {
            byte[] data;
            lock (_gate) data = _data;
            args.TokenCache.DeserializeMsalV3(data, shouldClearExistingCache: true);
        });
        cache.SetAfterAccess(args =>
        {
            if (!args.HasStateChanged) return;
            var data = args.TokenCache.SerializeMsalV3();
            lock (_gate) _data = data;
        });
    }

    public void RemoveAppTokens(string clientId, string tenantId)
    {
        int removed;
        lock (_gate) _data = MsalCacheDocument.WithoutAppTokens(_data, clientId, tenantId, out removed);
        EngineLog.Debug($"Removed {removed} app-only token(s) of {clientId} from the process token cache.");
    }
}
