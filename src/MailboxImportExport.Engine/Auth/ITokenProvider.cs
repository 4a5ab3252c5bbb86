namespace MailboxImportExport.Engine.Auth;

/// <summary>An access token and what is safe to show about it.</summary>
public sealed class AccessTokenInfo
{
    public AccessTokenInfo(string token, DateTimeOffset? expiresOn, string? account = null, IReadOnlyList<string>? scopes = null)
    {
        Token = token;
        ExpiresOn = expiresOn;
        Account = account;
        Scopes = scopes ?? Array.Empty<string>();
    }

    internal string Token { get; }
    public DateTimeOffset? ExpiresOn { get; }
    public string? Account { get; }
    public IReadOnlyList<string> Scopes { get; }

    public override string ToString() => $"Access token (expires {ExpiresOn:u})";
}

/// <summary>
/// Supplies bearer tokens for Graph calls. Every call asks again, so providers that can refresh (MSAL) hand
/// out a fresh token when the old one nears expiry and long runs never fail on an expired token.
/// </summary>
public interface ITokenProvider
{
    /// <summary>Whether asking again with <paramref name="forceRefresh"/> can yield a different token.</summary>
    bool CanRefresh { get; }
    /// <summary>The token handed out last, for showing its expiry and roles; null before the first call.</summary>
    AccessTokenInfo? Current { get; }
    Task<AccessTokenInfo> GetTokenAsync(bool forceRefresh, CancellationToken cancellationToken);
    /// <summary>Removes this sign-in's tokens from the shared cache (a no-op where nothing is cached).</summary>
    Task SignOutAsync(CancellationToken cancellationToken);
}

/// <summary>A token the caller obtained elsewhere (<c>-AccessToken</c>): used as is, never refreshed.</summary>
public sealed class StaticTokenProvider : ITokenProvider
{
    private readonly AccessTokenInfo _token;

    public StaticTokenProvider(string token)
    {
        if (string.IsNullOrWhiteSpace(token)) throw new ArgumentException("The access token is empty.", nameof(token));
        _token = new AccessTokenInfo(token.Trim(), JwtClaims.ExpiresOn(token), JwtClaims.Account(token), JwtClaims.Roles(token));
    }

    public bool CanRefresh => false;
    public AccessTokenInfo? Current => _token;
    public Task<AccessTokenInfo> GetTokenAsync(bool forceRefresh, CancellationToken cancellationToken) => Task.FromResult(_token);
    public Task SignOutAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
