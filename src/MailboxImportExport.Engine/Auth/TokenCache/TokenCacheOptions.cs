namespace MailboxImportExport.Engine.Auth.TokenCache;

/// <summary>Who shares a connection's tokens.</summary>
public enum TokenCacheScope
{
    /// <summary>Every runspace of this process; gone when the process exits.</summary>
    Process,
    /// <summary>Every process of the current user, persisted in the platform's protected store.</summary>
    CurrentUser,
}

/// <summary>Where a connection's tokens are kept.</summary>
public sealed class TokenCacheOptions
{
    public static TokenCacheOptions ProcessOnly { get; } = new();

    public TokenCacheScope Scope { get; set; } = TokenCacheScope.Process;

    /// <summary>
    /// Where no protected store exists (Linux without a keyring), keep the persisted cache in a plain file only the
    /// current user can read instead of failing. Ignored for <see cref="TokenCacheScope.Process"/>.
    /// </summary>
    public bool AllowUnencryptedFile { get; set; }

    /// <summary>Part of the key under which MSAL applications are shared: apps with different caches are different apps.</summary>
    internal string Key => Scope == TokenCacheScope.Process ? "process" : AllowUnencryptedFile ? "user+file" : "user";
}
