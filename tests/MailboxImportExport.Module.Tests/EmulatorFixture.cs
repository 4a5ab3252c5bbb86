using MailboxImportExport.Emulator;

namespace MailboxImportExport.Module.Tests;

/// <summary>A demo emulator of its own for each test class, on a free port, so classes run in parallel safely.</summary>
public sealed class EmulatorFixture : IAsyncLifetime
{
    public EmulatorServer Server { get; private set; } = null!;
    public Uri BaseUri => Server.BaseUri;

    public async Task InitializeAsync() => Server = await EmulatorServer.StartAsync(new EmulatorOptions { Seed = "demo" });

    public async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary>A session connected to this emulator.</summary>
    public PowerShellSession Connect(string apiVersion = "v1.0", int hostWidth = 120)
    {
        var session = new PowerShellSession(hostWidth: hostWidth);
        var connect = session.Run("Connect-ExMailboxService -Emulator $args[0] -ApiVersion $args[1]", BaseUri, apiVersion);
        if (connect.Errors.Count > 0) throw new InvalidOperationException("Connect failed: " + connect.Errors[0]);
        return session;
    }
}
