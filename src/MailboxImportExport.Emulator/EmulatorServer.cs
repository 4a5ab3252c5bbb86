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

    /// <summary>Cancelled when the host is asked to stop (SIGTERM: ASP.NET Core's console lifetime takes that signal).</summary>
    public CancellationToken Stopping => _app.Lifetime.ApplicationStopping;

    /// <summary>The seed of a tenant with no users: only the demo app can sign in.</summary>
    public const string EmptySeed = "empty";

    /// <summary>Starts an emulator. <see cref="EmulatorOptions.Seed"/> is <c>demo</c>, <c>empty</c> (or null),
    /// <c>scale:MxN</c> or the path of a seed file (<c>*.json</c>).</summary>
    /// <exception cref="FormatException">The seed file is missing or invalid; the message names the line and field.</exception>
    public static async Task<EmulatorServer> StartAsync(EmulatorOptions options, CancellationToken ct = default)
    {
        ScaleSpec? scale = null;
        SeedData? file = null;
        if (FileSeed.IsFile(options.Seed))
        {
            // Read and checked before anything starts: a mistake in the file is the admin's to fix, line and field named.
            file = FileSeed.Load(options.Seed!);
        }
        else if (ScaleSeed.IsScale(options.Seed))
        {
            try
            {
                scale = ScaleSeed.Parse(options.Seed!);
            }
            catch (FormatException e)
            {
                throw new ArgumentException(e.Message, nameof(options), e);
            }
        }
        else if (options.Seed is not null && options.Seed is not (DemoSeed.Name or EmptySeed))
        {
            throw new ArgumentException($"Unknown seed '{options.Seed}'; the emulator knows '{DemoSeed.Name}', '{EmptySeed}', '{ScaleSeed.Prefix}MxN' and seed files (*.json).", nameof(options));
        }
        var store = MailboxStore.Open(options.DataFile, ScaleSeed.Generate);
        var state = new EmulatorState(options, store);
        try
        {
            if (!store.HasUsers())
            {
                if (options.Seed == DemoSeed.Name) DemoSeed.Apply(store);
                else if (scale is { } spec) ScaleSeed.Apply(store, spec);
                else if (file is not null) store.Seed(file);
            }
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
            // Each route checks its own limit (RequestBodyRules); this is only the ceiling.
            kestrel.Limits.MaxRequestBodySize = RequestBodyRules.LargestBodyLimit;
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
