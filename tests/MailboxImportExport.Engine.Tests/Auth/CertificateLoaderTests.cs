using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailboxImportExport.Engine.Auth;

namespace MailboxImportExport.Engine.Tests.Auth;

public sealed class CertificateLoaderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mie-certs-").FullName;
    private readonly X509Certificate2 _certificate;

    public CertificateLoaderTests()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=MailboxImportExport test app", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        _certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    public void Dispose()
    {
        _certificate.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private string Write(string name, byte[] content)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    private string Write(string name, string content) => Write(name, System.Text.Encoding.ASCII.GetBytes(content));

    [Fact]
    public void A_pfx_with_its_password_gives_the_certificate_with_its_key()
    {
        var path = Write("app.pfx", _certificate.Export(X509ContentType.Pfx, "pfx-password"));

        using var loaded = CertificateLoader.FromFile(path, "pfx-password");

        Assert.Equal(_certificate.Thumbprint, loaded.Thumbprint);
        Assert.True(loaded.HasPrivateKey);
    }

    [Fact]
    public void A_wrong_pfx_password_names_the_parameter_to_check_and_not_the_password()
    {
        var path = Write("app.pfx", _certificate.Export(X509ContentType.Pfx, "pfx-password"));

        var error = Assert.Throws<ArgumentException>(() => CertificateLoader.FromFile(path, "not-the-password"));

        Assert.Contains("-CertificatePassword", error.Message);
        Assert.DoesNotContain("not-the-password", error.Message);
    }

    [Fact]
    public void A_pem_file_with_certificate_and_key_loads_with_or_without_encryption()
    {
        using var key = _certificate.GetRSAPrivateKey()!;
        var plain = Write("plain.pem", _certificate.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem());
        var encrypted = Write("encrypted.pem", _certificate.ExportCertificatePem() + "\n" + key.ExportEncryptedPkcs8PrivateKeyPem(
            "pem-password", new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 10_000)));

        using var fromPlain = CertificateLoader.FromFile(plain, null);
        using var fromEncrypted = CertificateLoader.FromFile(encrypted, "pem-password");

        Assert.True(fromPlain.HasPrivateKey);
        Assert.True(fromEncrypted.HasPrivateKey);
        Assert.Equal(_certificate.Thumbprint, fromEncrypted.Thumbprint);
    }

    [Fact]
    public void A_pem_file_without_its_key_is_refused_by_the_sign_in()
    {
        var path = Write("public.pem", _certificate.ExportCertificatePem());

        var error = Assert.Throws<ArgumentException>(() => CertificateLoader.FromFile(path, null));

        Assert.Contains("public.pem", error.Message);
    }

    [Fact]
    public void A_certificate_without_a_private_key_cannot_sign_in()
    {
        using var publicOnly = X509CertificateLoader.LoadCertificate(_certificate.Export(X509ContentType.Cert));

        var error = Assert.Throws<ArgumentException>(() => new CertificateSignIn("contoso.onmicrosoft.com", "client", publicOnly));

        Assert.Contains("no private key", error.Message);
    }

    [Fact]
    public void A_missing_file_or_an_unknown_thumbprint_says_where_it_looked()
    {
        Assert.Contains("does not exist", Assert.Throws<ArgumentException>(() => CertificateLoader.FromFile(Path.Combine(_folder, "none.pfx"), null)).Message);
        var error = Assert.Throws<ArgumentException>(() => CertificateLoader.FromStore("00 11 22 33 44 55 66 77 88 99 AA BB CC DD EE FF 00 11 22 33"));
        Assert.Contains("CurrentUser\\My", error.Message);
        Assert.Contains("00112233445566778899AABBCCDDEEFF00112233", error.Message);
    }

    [Fact]
    public void A_thumbprint_finds_the_certificate_in_the_current_users_store()
    {
        using var withKey = X509CertificateLoader.LoadPkcs12(_certificate.Export(X509ContentType.Pfx, ""), "",
            X509KeyStorageFlags.PersistKeySet | X509KeyStorageFlags.Exportable);
        using var store = new X509Store(StoreName.My, StoreLocation.CurrentUser);
        store.Open(OpenFlags.ReadWrite);
        store.Add(withKey);
        try
        {
            using var found = CertificateLoader.FromStore(_certificate.Thumbprint.ToLowerInvariant());

            Assert.Equal(_certificate.Thumbprint, found.Thumbprint);
            Assert.True(found.HasPrivateKey);
        }
        finally
        {
            store.Remove(withKey);
        }
    }

    [Fact]
    public void App_only_sign_in_needs_a_real_tenant_and_a_client_id()
    {
        Assert.Contains("-TenantId", Assert.Throws<ArgumentException>(() => new ClientSecretSignIn("organizations", "client", "s")).Message);
        Assert.Contains("-ClientId", Assert.Throws<ArgumentException>(() => new ClientSecretSignIn("contoso.onmicrosoft.com", "", "s")).Message);
    }
}
