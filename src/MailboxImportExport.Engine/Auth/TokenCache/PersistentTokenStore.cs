using System.Runtime.InteropServices;
using MailboxImportExport.Engine.Diagnostics;
using MailboxImportExport.Engine.Threading;
using Microsoft.Identity.Client;
using Microsoft.Identity.Client.Extensions.Msal;

namespace MailboxImportExport.Engine.Auth.TokenCache;

/// <summary>
/// The current user's cache, shared by every process of that user: DPAPI on Windows, the Keychain on macOS,
/// the Secret Service keyring (libsecret) on Linux. Where no keyring answers, it refuses, unless the user opted
/// into a plain file that only they can read.
/// </summary>
internal sealed class PersistentTokenStore : ITokenCacheStore
{
    /// <summary>Lets tests, containers and service accounts keep the cache somewhere else than the user profile.</summary>
    public const string DirectoryVariable = "MAILBOXIMPORTEXPORT_TOKEN_CACHE_DIRECTORY";
    private static readonly AsyncCache<(bool, string), PersistentTokenStore> Stores = new();

    private readonly MsalCacheHelper _helper;

    private PersistentTokenStore(MsalCacheHelper helper, string path)
    {
        _helper = helper;
        FilePath = path;
    }

    public string FilePath { get; }

    public static string Directory =>
        Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create),
                "MailboxImportExport");

    /// <summary>The store of a partition (opened once per process; a failed attempt is retried next time).</summary>
    public static Task<PersistentTokenStore> GetAsync(bool allowUnencryptedFile, string partition) =>
        Stores.GetAsync((allowUnencryptedFile, partition), key => CreateAsync(key.Item1, key.Item2));

    public void Register(ITokenCache cache) => _helper.RegisterCache(cache);

    public void RemoveAppTokens(string clientId, string tenantId)
    {
        var data = MsalCacheDocument.WithoutAppTokens(_helper.LoadUnencryptedTokenCache(), clientId, tenantId, out var removed);
        if (removed > 0) _helper.SaveUnencryptedTokenCache(data);
        EngineLog.Debug($"Removed {removed} app-only token(s) of {clientId} from the token cache of the current user.");
    }

    private static async Task<PersistentTokenStore> CreateAsync(bool allowUnencryptedFile, string partition)
    {
        var directory = Directory;
        var createdDirectory = !System.IO.Directory.Exists(directory);
        try
        {
            System.IO.Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ExAuthenticationException("TokenCacheUnavailable",
                $"The token cache folder {directory} cannot be created: {e.Message} Set {DirectoryVariable} to a folder you own, or use -TokenCacheScope Process.", e);
        }
        var protectedProperties = new StorageCreationPropertiesBuilder(partition + ".cache", directory)
            .WithMacKeyChain("MailboxImportExport.TokenCache", $"{partition}|{directory}")
            .WithLinuxKeyring("com.mailboximportexport.tokencache", MsalCacheHelper.LinuxKeyRingDefaultCollection,
                "MailboxImportExport token cache", new KeyValuePair<string, string>("Version", "1"),
                // Entries are told apart by folder too, so a relocated cache (tests, service accounts) is a separate cache.
                new KeyValuePair<string, string>("Partition", $"{partition}|{directory}"))
            .Build();
        string reason;
        try
        {
            var helper = await MsalCacheHelper.CreateAsync(protectedProperties).ConfigureAwait(false);
            helper.VerifyPersistence();
            EngineLog.Verbose($"Token cache of the current user: {protectedProperties.CacheFilePath} ({ProtectionName()}).");
            return new PersistentTokenStore(helper, protectedProperties.CacheFilePath);
        }
        catch (Exception e) when (e is MsalCachePersistenceException or DllNotFoundException or TypeInitializationException
                                      or EntryPointNotFoundException or InvalidOperationException or PlatformNotSupportedException)
        {
            reason = FirstSentence(e.GetBaseException().Message);
        }

        var unprotectedFileName = partition + ".unprotected.cache";
        var unprotectedPath = Path.Combine(directory, unprotectedFileName);
        if (!allowUnencryptedFile)
        {
            throw new ExAuthenticationException("TokenCacheUnprotectable",
                $"The token cache of the current user cannot be protected on this machine ({ProtectionName()}: {reason}). " +
                "Headless Linux machines and scheduled jobs usually have no keyring. Use -TokenCacheScope Process to keep tokens " +
                $"in this process only, or add -AllowUnencryptedTokenCache to keep them in {unprotectedPath}, a file only you can read.");
        }
        var unprotectedProperties = new StorageCreationPropertiesBuilder(unprotectedFileName, directory).WithUnprotectedFile().Build();
        var fileHelper = await MsalCacheHelper.CreateAsync(unprotectedProperties).ConfigureAwait(false);
        OwnerOnlyFile.Ensure(unprotectedPath, createdDirectory ? directory : null);
        EngineLog.Warning($"The token cache is not encrypted ({reason}); it is kept in {unprotectedPath}, readable by the current user only.");
        return new PersistentTokenStore(fileHelper, unprotectedPath);
    }

    private static string ProtectionName() =>
        RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "DPAPI"
        : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? "the macOS Keychain"
        : "the Secret Service keyring (libsecret)";

    private static string FirstSentence(string text)
    {
        var line = text.Split('\n')[0].Trim();
        var end = line.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? line.TrimEnd('.') : line.Substring(0, end);
    }
}
