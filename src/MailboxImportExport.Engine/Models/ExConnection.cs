using MailboxImportExport.Engine.Auth;
using MailboxImportExport.Engine.Auth.TokenCache;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Services;

namespace MailboxImportExport.Engine.Models;

/// <summary>How a connection signs in.</summary>
public enum ExAuthMethod
{
    Emulator,
    AccessToken,
    ClientSecret,
    Certificate,
    Interactive,
    DeviceCode,
    ManagedIdentity,
}

/// <summary>
/// A signed-in connection to Graph (or the emulator), as <c>Get-ExConnection</c> shows it. It never exposes a
/// token: the client that holds the token provider is internal.
/// </summary>
public sealed class ExConnection
{
    internal ExConnection(GraphClient client, ExAuthMethod authMethod, string? tenantId, string? clientId, ServiceEndpoints endpoints,
        TokenCacheScope? tokenCacheScope)
    {
        Client = client;
        AuthMethod = authMethod;
        TenantId = tenantId;
        ClientId = clientId;
        Environment = endpoints.Name;
        GraphEndpoint = endpoints.GraphRoot;
        IsEmulator = endpoints.IsEmulator;
        TokenCacheScope = tokenCacheScope;
        ConnectedAt = DateTimeOffset.Now;
        Mailboxes = new MailboxService(client);
    }

    public string? TenantId { get; }
    public string? ClientId { get; }
    public ExAuthMethod AuthMethod { get; }
    /// <summary>The signed-in account for delegated sign-in; empty for app-only.</summary>
    public string? Account { get; internal set; }
    public string ApiVersion => Client.ApiVersion;
    /// <summary>The service root the module talks to.</summary>
    public Uri GraphEndpoint { get; }
    public bool IsEmulator { get; }
    /// <summary>The cloud: Global, USGovernment, USGovernmentDoD, China, Custom or Emulator.</summary>
    public string Environment { get; }
    /// <summary>Who shares this connection's tokens; empty when nothing is cached (access token, managed identity).</summary>
    public TokenCacheScope? TokenCacheScope { get; }
    /// <summary>When the current access token expires; follows refreshed tokens.</summary>
    public DateTimeOffset? TokenExpiresOn => Client.Tokens.Current?.ExpiresOn;
    /// <summary>Scopes (delegated) or app roles (app-only) granted to the current token.</summary>
    public IReadOnlyList<string> Scopes => Client.Tokens.Current?.Scopes ?? Array.Empty<string>();
    public DateTimeOffset ConnectedAt { get; }

    internal GraphClient Client { get; }

    /// <summary>Mailbox lookups of this connection; the ids behind user names are remembered for its lifetime.</summary>
    internal MailboxService Mailboxes { get; }

    /// <summary>Removes this connection's tokens from the shared cache, so the next sign-in asks again.</summary>
    internal Task SignOutAsync(CancellationToken cancellationToken) => Client.Tokens.SignOutAsync(cancellationToken);

    public override string ToString() => $"{AuthMethod} connection to {GraphEndpoint} ({ApiVersion})";
}
