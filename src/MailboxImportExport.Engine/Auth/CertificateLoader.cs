using System.Reflection;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MailboxImportExport.Engine.Auth;

/// <summary>Finds the app's certificate: in the certificate store by thumbprint, or in a PFX or PEM file.</summary>
public static class CertificateLoader
{
    /// <summary>The certificate with a private key in CurrentUser\My, then LocalMachine\My.</summary>
    public static X509Certificate2 FromStore(string thumbprint)
    {
        var wanted = thumbprint.Replace(" ", "").Replace(":", "").ToUpperInvariant();
        foreach (var location in new[] { StoreLocation.CurrentUser, StoreLocation.LocalMachine })
        {
            using var store = new X509Store(StoreName.My, location);
            try
            {
                store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
            }
            catch (CryptographicException)
            {
                continue; // LocalMachine\My does not exist on Linux and macOS
            }
            var found = store.Certificates.Find(X509FindType.FindByThumbprint, wanted, validOnly: false);
            if (found.Count > 0) return found[0];
        }
        throw new ArgumentException(
            $"No certificate with thumbprint {wanted} is in the CurrentUser\\My or LocalMachine\\My store. Import it there, or pass -CertificatePath with its PFX or PEM file.");
    }

    /// <summary>A PFX/P12 file (password optional), or a PEM file holding the certificate and its private key.</summary>
    public static X509Certificate2 FromFile(string path, string? password)
    {
        if (!File.Exists(path)) throw new ArgumentException($"The certificate file '{path}' does not exist.");
        try
        {
            return IsPem(path) ? FromPem(path, password) : new X509Certificate2(path, password, X509KeyStorageFlags.DefaultKeySet);
        }
        catch (CryptographicException e)
        {
            throw new ArgumentException(
                $"Cannot read the certificate in '{path}': {e.Message.Trim()} Check the file and -CertificatePassword (a PFX needs the password it was exported with).", e);
        }
    }

    private static bool IsPem(string path)
    {
        using var reader = new StreamReader(path);
        var buffer = new char[4096];
        var read = reader.Read(buffer, 0, buffer.Length);
        return new string(buffer, 0, read).Contains("-----BEGIN ");
    }

    private delegate X509Certificate2 PemReader(string certificatePath, string? keyPath);
    private delegate X509Certificate2 EncryptedPemReader(string certificatePath, ReadOnlySpan<char> password, string? keyPath);

    /// <summary>
    /// PEM support exists only on .NET 5+ (PowerShell 7): found by reflection from this netstandard2.0 assembly and
    /// bound to delegates (the password overload takes a span, which reflection cannot pass; errors stay unwrapped).
    /// </summary>
    private static X509Certificate2 FromPem(string path, string? password)
    {
        X509Certificate2? certificate = null;
        if (password is null)
        {
            if (PemMethod<PemReader>("CreateFromPemFile", typeof(string), typeof(string)) is { } read) certificate = read(path, null);
        }
        else if (PemMethod<EncryptedPemReader>("CreateFromEncryptedPemFile", typeof(string), typeof(ReadOnlySpan<char>), typeof(string)) is { } read)
        {
            certificate = read(path, password.AsSpan(), null);
        }
        return certificate ?? throw new PlatformNotSupportedException(
            $"'{path}' is a PEM file; reading PEM needs PowerShell 7. On Windows PowerShell convert it to PFX (openssl pkcs12 -export) or use the certificate store.");
    }

    private static T? PemMethod<T>(string name, params Type[] parameters) where T : Delegate =>
        typeof(X509Certificate2).GetMethod(name, BindingFlags.Public | BindingFlags.Static, null, parameters, null)?.CreateDelegate(typeof(T)) as T;
}
