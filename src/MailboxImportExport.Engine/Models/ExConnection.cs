using MailboxImportExport.Engine.Http;

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
    internal ExConnection(GraphClient client, ExAuthMethod authMethod, string? tenantId, string? clientId, Uri graphEndpoint,
        bool isEmulator)
    {
        Client = client;
        AuthMethod = authMethod;
        TenantId = tenantId;
        ClientId = clientId;
        GraphEndpoint = graphEndpoint;
        IsEmulator = isEmulator;
        ConnectedAt = DateTimeOffset.Now;
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
    /// <summary>When the current access token expires; follows refreshed tokens.</summary>
    public DateTimeOffset? TokenExpiresOn => Client.Tokens.Current?.ExpiresOn;
    /// <summary>Scopes (delegated) or app roles (app-only) granted to the current token.</summary>
    public IReadOnlyList<string> Scopes => Client.Tokens.Current?.Scopes ?? Array.Empty<string>();
    public DateTimeOffset ConnectedAt { get; }

    internal GraphClient Client { get; }

    public override string ToString() => $"{AuthMethod} connection to {GraphEndpoint} ({ApiVersion})";
}
