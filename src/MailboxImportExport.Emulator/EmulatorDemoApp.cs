namespace MailboxImportExport.Emulator;

/// <summary>
/// The credential of the demo app (<see cref="Engine.Auth.EmulatorDefaults.ClientId"/>) that every emulator registers.
/// It lives here, not in the engine that ships to production: the module asks a running emulator for it
/// (<c>GET /emulator/demo-app</c>) when <c>Connect-ExMailboxService -Emulator</c> signs in. It opens nothing but a
/// local emulator.
/// </summary>
public static class EmulatorDemoApp
{
    public const string ClientSecret = "emulator-demo-app-secret";
}
