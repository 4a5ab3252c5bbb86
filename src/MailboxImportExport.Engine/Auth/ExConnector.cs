using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Models;

namespace MailboxImportExport.Engine.Auth;

/// <summary>Turns sign-in options into a working <see cref="ExConnection"/>.</summary>
public static class ExConnector
{
    /// <summary>Signs in now, so a wrong secret or an unreachable service fails here and not at first use.</summary>
    /// <param name="host">What runs the engine, for the User-Agent (e.g. <c>PowerShell Core 7.6.9</c>).</param>
    public static async Task<ExConnection> ConnectAsync(SignInOptions options, CancellationToken cancellationToken, string? host = null)
    {
        SignedIn signedIn;
        try
        {
            signedIn = await options.SignInAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (ServiceUnreachable.Is(e))
        {
            throw new ExAuthenticationException("ServiceUnreachable", ServiceUnreachable.Message(options.Endpoints.AuthorityHost, e), e);
        }
        var client = new GraphClient(new GraphClientOptions
            {
                GraphRoot = options.Endpoints.GraphRoot,
                ApiVersion = options.ApiVersion,
                // The service counts requests per app and mailbox: every connection of this app shares its lanes.
                App = $"{signedIn.TenantId}/{signedIn.ClientId}",
                UserAgent = UserAgent.For(host),
            },
            signedIn.Tokens, options.Endpoints.CreateHandler());
        var cacheScope = signedIn.Tokens is MsalTokenProvider and not ManagedIdentityTokenProvider ? options.TokenCache.Scope : (TokenCache.TokenCacheScope?)null;
        return new ExConnection(client, options.Method, signedIn.TenantId, signedIn.ClientId, options.Endpoints, cacheScope)
        {
            Account = signedIn.Account,
        };
    }
}
