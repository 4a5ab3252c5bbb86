namespace MailboxImportExport.Engine.Auth;

/// <summary>
/// The demo tenant and app registration of every emulator, so that <c>Connect-ExMailboxService -Emulator &lt;uri&gt;</c>
/// needs nothing else. Ids only: the demo app's secret stays with the emulator, which hands it to
/// <see cref="EmulatorSignIn"/> (<c>GET /emulator/demo-app</c>); no credential ships in this assembly.
/// </summary>
public static class EmulatorDefaults
{
    public const string TenantId = "7f3c2a10-0d5e-4c7b-9a41-3e5d6c7b8a90";
    public const string TenantDomain = "contoso.test";
    public const string ClientId = "0b1d2c3e-4f50-4a6b-8c7d-9e0f1a2b3c4d";
    /// <summary>Subject of the self-signed certificate every emulator creates for its HTTPS endpoint.</summary>
    public const string CertificateSubject = "CN=MailboxImportExport Emulator";
}
