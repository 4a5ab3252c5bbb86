using MailboxImportExport.Engine.Diagnostics;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Models;
using Microsoft.Identity.Client;

namespace MailboxImportExport.Engine.Auth;

/// <summary>What every sign-in method shares.</summary>
public abstract class SignInOptions
{
    /// <summary><c>v1.0</c> (default) or <c>beta</c> (archive mailboxes).</summary>
    public string ApiVersion { get; set; } = "v1.0";
}

/// <summary>Client credentials against a local emulator; defaults to the emulator's built-in demo app.</summary>
public sealed class EmulatorSignIn : SignInOptions
{
    public EmulatorSignIn(Uri emulator) => Emulator = emulator;

    public Uri Emulator { get; }
    public string TenantId { get; set; } = EmulatorDefaults.TenantId;
    public string ClientId { get; set; } = EmulatorDefaults.ClientId;
    public string ClientSecret { get; set; } = EmulatorDefaults.ClientSecret;
    /// <summary>SHA-256 of the emulator's certificate, when the caller knows it; otherwise the first one seen is pinned.</summary>
    public string? CertificateSha256 { get; set; }
}

/// <summary>A token obtained elsewhere, for the real service or (with <see cref="Emulator"/>) an emulator.</summary>
public sealed class AccessTokenSignIn : SignInOptions
{
    public AccessTokenSignIn(string accessToken) => AccessToken = accessToken;

    public string AccessToken { get; }
    public string? TenantId { get; set; }
    /// <summary>An emulator to send the token to instead of graph.microsoft.com.</summary>
    public Uri? Emulator { get; set; }
}

/// <summary>Turns sign-in options into a working <see cref="ExConnection"/>.</summary>
public static class ExConnector
{
    public static readonly Uri GlobalGraphRoot = new("https://graph.microsoft.com/");
    internal static readonly string[] GraphDefaultScope = { "https://graph.microsoft.com/.default" };

    /// <summary>Signs in now, so a wrong secret or an unreachable emulator fails here and not at first use.</summary>
    public static async Task<ExConnection> ConnectAsync(EmulatorSignIn options, CancellationToken ct)
    {
        var root = Normalize(options.Emulator);
        var pin = new LoopbackCertificatePin(root, options.CertificateSha256);
        var authority = new Uri(root, options.TenantId).ToString();
        var app = ConfidentialClientApps.GetOrCreate(authority, options.ClientId, options.ClientSecret, () =>
            ConfidentialClientApplicationBuilder.Create(options.ClientId)
                .WithClientSecret(options.ClientSecret)
                .WithAuthority(authority, validateAuthority: false)
                .WithInstanceDiscovery(false)
                .WithHttpClientFactory(new FixedHttpClientFactory(pin.CreateHandler()))
                .WithLogging(LogMsal, Microsoft.Identity.Client.LogLevel.Info, enablePiiLogging: false, enableDefaultPlatformLogging: false)
                .Build());
        var tokens = new MsalClientCredentialProvider(app, GraphDefaultScope);
        EngineLog.Verbose($"Signing in to the emulator at {root} as app {options.ClientId} in tenant {options.TenantId}.");
        await tokens.GetTokenAsync(forceRefresh: false, ct).ConfigureAwait(false);
        var client = new GraphClient(new GraphClientOptions { GraphRoot = root, ApiVersion = options.ApiVersion }, tokens, pin.CreateHandler());
        return new ExConnection(client, ExAuthMethod.Emulator, options.TenantId, options.ClientId, root, isEmulator: true);
    }

    public static ExConnection Connect(AccessTokenSignIn options)
    {
        var tokens = new StaticTokenProvider(options.AccessToken);
        var expires = tokens.Current!.ExpiresOn;
        if (expires is { } e && e <= DateTimeOffset.UtcNow)
            throw new ExAuthenticationException("TokenExpired",
                $"The access token expired at {e:u}. Get a new token, or use a sign-in method that refreshes tokens itself.");

        HttpMessageHandler handler;
        Uri root;
        if (options.Emulator is { } emulator)
        {
            root = Normalize(emulator);
            handler = new LoopbackCertificatePin(root).CreateHandler();
        }
        else
        {
            root = GlobalGraphRoot;
            handler = new HttpClientHandler();
        }
        var token = options.AccessToken;
        var client = new GraphClient(new GraphClientOptions { GraphRoot = root, ApiVersion = options.ApiVersion }, tokens, handler);
        return new ExConnection(client, ExAuthMethod.AccessToken, options.TenantId ?? JwtClaims.TenantId(token), JwtClaims.AppId(token),
            root, isEmulator: options.Emulator is not null)
        {
            Account = JwtClaims.Account(token),
        };
    }

    private static Uri Normalize(Uri uri) => uri.AbsoluteUri.EndsWith("/", StringComparison.Ordinal) ? uri : new Uri(uri.AbsoluteUri + "/");

    private static void LogMsal(Microsoft.Identity.Client.LogLevel level, string message, bool containsPii)
    {
        if (!containsPii) EngineLog.Debug("MSAL: " + message);
    }
}
