namespace MailboxImportExport.Emulator;

/// <summary>A device code sign-in waiting for the user, as <see cref="EmulatorControl.PendingDeviceCodes"/> lists it: the scopes as requested.</summary>
public sealed record PendingDeviceCode(string UserCode, string ClientId, IReadOnlyList<string> Scopes);
