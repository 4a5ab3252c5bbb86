namespace MailboxImportExport.Module.Tests;

/// <summary>The laid-out module carries SQLite's native library for every platform it supports; the Pester suite
/// NativeSqlite.Tests.ps1 proves the one for this platform loads from there in a new pwsh.</summary>
public class NativeLibraryLayoutTests
{
    [Theory]
    [InlineData("win-x64", "e_sqlite3.dll")]
    [InlineData("win-x86", "e_sqlite3.dll")]
    [InlineData("win-arm64", "e_sqlite3.dll")]
    [InlineData("linux-x64", "libe_sqlite3.so")]
    [InlineData("linux-arm64", "libe_sqlite3.so")]
    [InlineData("linux-musl-x64", "libe_sqlite3.so")]
    [InlineData("linux-musl-arm64", "libe_sqlite3.so")]
    [InlineData("osx-x64", "libe_sqlite3.dylib")]
    [InlineData("osx-arm64", "libe_sqlite3.dylib")]
    public void The_module_ships_SQLite_for(string runtime, string fileName)
    {
        var path = Path.Combine(ModuleUnderTest.ModuleFolder, "Dependencies", "runtimes", runtime, "native", fileName);

        Assert.True(File.Exists(path), $"{path} is missing");
        Assert.True(new FileInfo(path).Length > 500_000, $"{path} is too small to be SQLite");
    }
}
