using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MailboxImportExport.Engine.Auth;

/// <summary>
/// Trusts the emulator's self-signed certificate, and nothing else: only for the one loopback address the
/// connection was made to, only a certificate carrying the emulator's subject, and only the first such
/// certificate seen (or the one the caller names). Any certificate the system already trusts passes as usual;
/// validation is never relaxed for any other host.
/// </summary>
public sealed class LoopbackCertificatePin
{
    private readonly string _authority;
    private readonly object _gate = new();
    private string? _pinnedSha256;

    public LoopbackCertificatePin(Uri emulatorBase, string? expectedSha256 = null)
    {
        if (!IsLoopbackHttps(emulatorBase))
            throw new ArgumentException(
                $"'{emulatorBase}' is not an https address on this machine. The emulator runs on loopback (https://127.0.0.1:<port>/); use a real sign-in method for any other host.",
                nameof(emulatorBase));
        _authority = emulatorBase.Authority;
        _pinnedSha256 = expectedSha256?.Replace(":", "").ToUpperInvariant();
    }

    public static bool IsLoopbackHttps(Uri uri) =>
        uri.IsAbsoluteUri && uri.Scheme == Uri.UriSchemeHttps && uri.IsLoopback;

    public static string Sha256Of(X509Certificate2 certificate)
    {
        using var sha = SHA256.Create();
        return BitConverter.ToString(sha.ComputeHash(certificate.RawData)).Replace("-", "");
    }

    public bool Validate(HttpRequestMessage request, X509Certificate2? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None) return true;
        var url = request.RequestUri;
        if (!IsEmulatorCertificate(certificate) || url is null || !IsLoopbackHttps(url) ||
            !string.Equals(url.Authority, _authority, StringComparison.OrdinalIgnoreCase))
            return false;

        var presented = Sha256Of(certificate!);
        return string.Equals(Pin(presented), presented, StringComparison.Ordinal);
    }

    private static bool IsEmulatorCertificate(X509Certificate? certificate) =>
        certificate is not null && string.Equals(certificate.Subject, EmulatorDefaults.CertificateSubject, StringComparison.Ordinal);

    /// <summary>The pinned certificate's hash: the one named, else the first presented.</summary>
    private string Pin(string presented)
    {
        lock (_gate) return _pinnedSha256 ??= presented;
    }

    public HttpClientHandler CreateHandler() => new() { ServerCertificateCustomValidationCallback = Validate };

    /// <summary>
    /// Which emulator answers at the address: the SHA-256 of its certificate, pinned now (a TLS handshake, no request) if
    /// nothing was pinned yet. Two emulators started one after the other on the same port are different services, with
    /// their own certificates, tenants and token signing keys, so what is cached per service is cached per instance.
    /// Null when no emulator answers (the sign-in that follows reports that) or it shows another certificate.
    /// </summary>
    internal async Task<string?> InstanceAsync()
    {
        lock (_gate)
        {
            if (_pinnedSha256 is not null) return _pinnedSha256;
        }
        var address = new Uri("https://" + _authority + "/");
        X509Certificate2? presented = null;
        try
        {
            using var tcp = new System.Net.Sockets.TcpClient();
            if (!await WithinProbeTimeoutAsync(tcp.ConnectAsync(address.Host, address.Port)).ConfigureAwait(false)) return null;
            // Nothing is sent on this connection: the handshake only shows the certificate.
            using var tls = new SslStream(tcp.GetStream(), false, (_, certificate, _, _) =>
            {
                if (!IsEmulatorCertificate(certificate)) return false;
                presented = new X509Certificate2(certificate!);
                return true;
            });
            if (!await WithinProbeTimeoutAsync(tls.AuthenticateAsClientAsync(address.Host)).ConfigureAwait(false)) return null;
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or System.Security.Authentication.AuthenticationException)
        {
            return null;
        }
        using (presented)
        {
            return presented is null ? null : Pin(Sha256Of(presented));
        }
    }

    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Awaits the step (its errors surface) if it ends within the probe's timeout; false if it does not.</summary>
    private static async Task<bool> WithinProbeTimeoutAsync(Task step)
    {
        if (await Task.WhenAny(step, Task.Delay(ProbeTimeout)).ConfigureAwait(false) != step) return false;
        await step.ConfigureAwait(false);
        return true;
    }
}
