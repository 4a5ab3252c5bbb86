using System.Security.Cryptography.X509Certificates;

namespace MailboxImportExport.Emulator.Auth;

/// <summary>An app registration as the token endpoint sees it: its secret, its certificates' public keys, and
/// whether public client flows (device code, interactive) are allowed.</summary>
internal sealed record RegisteredClient(string ClientId, string? ClientSecret, IReadOnlyList<X509Certificate2> Certificates, bool AllowPublicClient);

/// <summary>The tenant's app registrations, by client id (case-insensitive). Thread-safe.</summary>
internal sealed class AppRegistrations
{
    private readonly Dictionary<string, RegisteredClient> _clients = new(StringComparer.OrdinalIgnoreCase);

    public void Register(string clientId, string? clientSecret, X509Certificate2? certificate, bool allowPublicClient)
    {
        if (!Guid.TryParse(clientId, out _)) throw new ArgumentException("A client id is a GUID.", nameof(clientId));
        var certificates = certificate is null ? Array.Empty<X509Certificate2>() : new[] { PublicPart(certificate) };
        lock (_clients) _clients[clientId] = new RegisteredClient(clientId, clientSecret, certificates, allowPublicClient);
    }

    public void AddCertificate(string clientId, X509Certificate2 certificate)
    {
        lock (_clients)
        {
            var client = Find(clientId) ?? throw new KeyNotFoundException($"No application '{clientId}' is registered.");
            _clients[clientId] = client with { Certificates = client.Certificates.Append(PublicPart(certificate)).ToArray() };
        }
    }

    public RegisteredClient? Find(string clientId)
    {
        lock (_clients) return _clients.GetValueOrDefault(clientId);
    }

    /// <summary>The registered app with this client id; 400 unauthorized_client (AADSTS700016) when there is none.</summary>
    public RegisteredClient Require(string clientId, string tenant)
    {
        if (clientId.Length == 0) throw AadException.MissingParameter("client_id");
        return Find(clientId) ?? throw new AadException(400, "unauthorized_client", 700016,
            $"Application with identifier '{clientId}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.");
    }

    /// <summary>Entra keeps only the public key of an uploaded certificate; so does the emulator.</summary>
    private static X509Certificate2 PublicPart(X509Certificate2 certificate) => X509CertificateLoader.LoadCertificate(certificate.RawData);
}
