using System.Reflection;
using System.Runtime.InteropServices;

namespace MailboxImportExport.Engine.Auth.TokenCache;

/// <summary>
/// Restricts the unencrypted cache file (and its folder) to the current user on Unix. Windows needs nothing: the
/// profile folder already is private. <c>File.SetUnixFileMode</c> exists from .NET 7 (PowerShell 7.4+), so it is
/// looked up at run time from this netstandard2.0 assembly.
/// </summary>
internal static class OwnerOnlyFile
{
    private const int OwnerReadWrite = 0x180;           // 0600
    private const int OwnerReadWriteExecute = 0x1C0;    // 0700

    /// <param name="createdDirectory">The file's folder when the module created it (and so may restrict it); an existing
    /// folder, such as a home folder the cache was pointed at, is left as it is.</param>
    public static void Ensure(string file, string? createdDirectory)
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return;
        if (!File.Exists(file)) File.WriteAllBytes(file, Array.Empty<byte>());
        if (createdDirectory is not null) SetMode(createdDirectory, OwnerReadWriteExecute);
        SetMode(file, OwnerReadWrite);
    }

    private static void SetMode(string path, int mode)
    {
        var modeType = typeof(File).Assembly.GetType("System.IO.UnixFileMode", throwOnError: false)
            ?? throw new PlatformNotSupportedException("This .NET runtime cannot set Unix file permissions; use PowerShell 7.4 or later.");
        // File.SetUnixFileMode takes folders too.
        var setMode = typeof(File).GetMethod("SetUnixFileMode", BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(string), modeType }, null)
            ?? throw new PlatformNotSupportedException("This .NET runtime cannot set Unix file permissions; use PowerShell 7.4 or later.");
        setMode.Invoke(null, new[] { path, Enum.ToObject(modeType, mode) });
    }
}
