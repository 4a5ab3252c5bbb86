using System.Net;
using System.Security.Cryptography.X509Certificates;
using MailboxImportExport.Emulator.Auth;
using MailboxImportExport.Emulator.Hosting;
using MailboxImportExport.Emulator.Seeding;
using MailboxImportExport.Emulator.Storage;
using MailboxImportExport.Engine.Auth;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace MailboxImportExport.Emulator;

/// <summary>
/// A running emulator of the Graph mailbox import/export endpoints and of the Entra ID endpoints MSAL needs:
/// real HTTPS on 127.0.0.1 with a self-signed certificate, real storage. Several can run in one process.
/// </summary>
public sealed class EmulatorServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly EmulatorState _state;
    private readonly X509Certificate2 _serverCertificate;

    private EmulatorServer(WebApplication app, EmulatorState state, X509Certificate2 serverCertificate)
    {
        _app = app;
        _state = state;
        _serverCertificate = serverCertificate;
        Certificate = X509CertificateLoader.LoadCertificate(serverCertificate.RawData);
    }

    /// <summary>https://127.0.0.1:port/; Graph is at BaseUri + "v1.0/" and "beta/".</summary>
    public Uri BaseUri => _state.BaseUri;

    /// <summary>The public part of the HTTPS certificate, for clients that trust only this emulator.</summary>
    public X509Certificate2 Certificate { get; }

    public EmulatorControl Control => _state.Control;

    public static async Task<EmulatorServer> StartAsync(EmulatorOptions options, CancellationToken ct = default)
    {
        if (options.Seed is not null && options.Seed != DemoSeed.Name)
        {
            throw new ArgumentException($"Unknown seed '{options.Seed}'; the emulator knows '{DemoSeed.Name}'.", nameof(options));
        }
        var store = MailboxStore.Open(options.DataFile);
        var state = new EmulatorState(options, store);
        try
        {
            if (options.Seed == DemoSeed.Name && !store.HasUsers()) DemoSeed.Apply(store);
            var certificate = SelfSignedCertificate.Create();
            var app = BuildApp(options, state, certificate);
            await app.StartAsync(ct);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            state.BaseUri = new Uri($"https://127.0.0.1:{new Uri(address).Port}/");
            return new EmulatorServer(app, state, certificate);
        }
        catch
        {
            state.Dispose();
            throw;
        }
    }

    private static WebApplication BuildApp(EmulatorOptions options, EmulatorState state, X509Certificate2 certificate)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = Array.Empty<string>() });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, options.Port, listen => listen.UseHttps(certificate));
            // Imports post base64 blobs: a 100 MB item is a 134 MB body.
            kestrel.Limits.MaxRequestBodySize = 256L * 1024 * 1024;
        });
        var app = builder.Build();
        var authorizationCodes = new AuthorizationCodes(state);
        var grants = new IGrantHandler[]
        {
            new ClientCredentialsGrant(state.AccessTokens, () => state.Control.AccessTokenLifetime),
            state.DeviceCodes,
            new RefreshTokenGrant(state.UserTokens),
            authorizationCodes,
        };
        var tokenEndpoint = new TokenEndpoint(grants, state.Apps, new ClientAssertion(() => state.BaseUri));
        var identity = new IdentityEndpoints(tokenEndpoint, state.Apps, state.DeviceCodes, authorizationCodes, () => state.BaseUri);
        app.Run(new EmulatorPipeline(state, identity).HandleAsync);
        return app;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _state.LateCommits.DisposeAsync();
        _state.Dispose();
        _serverCertificate.Dispose();
        Certificate.Dispose();
    }
}
