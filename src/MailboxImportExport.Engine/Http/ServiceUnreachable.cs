using System.Net.Sockets;

namespace MailboxImportExport.Engine.Http;

/// <summary>
/// The one wording for "nothing answered at that address" (no server listening, a name that does not resolve), for
/// sign-in and Graph calls alike: it names the address and what to do, not the socket's text.
/// </summary>
internal static class ServiceUnreachable
{
    /// <summary>True when nothing reached the service: retrying will not help.</summary>
    public static bool Is(Exception e) =>
        Innermost(e) is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain };

    public static string Message(Uri address, Exception e)
    {
        var at = address.GetLeftPart(UriPartial.Authority) + "/";
        var why = Innermost(e) is SocketException { SocketErrorCode: SocketError.ConnectionRefused } ? "nothing is listening there" : "the name does not resolve";
        var fix = address.IsLoopback
            ? "If it is the emulator, start it (dotnet run --project src/MailboxImportExport.Emulator -- --seed demo) and connect to the address it prints: Connect-ExMailboxService -Emulator <address>."
            : "Check the address, the network, and any proxy or firewall between this machine and the service.";
        return $"The service at {at} is not reachable ({why}). {fix}";
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e;
    }
}
