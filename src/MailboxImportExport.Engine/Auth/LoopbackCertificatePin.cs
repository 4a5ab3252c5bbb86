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
        if (certificate is null || url is null || !IsLoopbackHttps(url) ||
            !string.Equals(url.Authority, _authority, StringComparison.OrdinalIgnoreCase) ||
            !string.Equals(certificate.Subject, EmulatorDefaults.CertificateSubject, StringComparison.Ordinal))
            return false;

        var presented = Sha256Of(certificate);
        lock (_gate)
        {
            _pinnedSha256 ??= presented;
            return string.Equals(_pinnedSha256, presented, StringComparison.Ordinal);
        }
    }

    public HttpClientHandler CreateHandler() => new() { ServerCertificateCustomValidationCallback = Validate };
}
