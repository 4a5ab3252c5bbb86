using System.Text;
using MailboxImportExport.Emulator;

namespace MailboxImportExport.Module.Tests;

/// <summary>The module that ships for production carries no credential: the emulator's demo app secret stays with the
/// emulator, which hands it to Connect-ExMailboxService -Emulator when asked.</summary>
public sealed class ShippedSecretsTests
{
    [Fact]
    public void No_assembly_of_the_laid_out_module_holds_the_emulators_demo_secret()
    {
        var needles = new[] { Encoding.UTF8.GetBytes(EmulatorDemoApp.ClientSecret), Encoding.Unicode.GetBytes(EmulatorDemoApp.ClientSecret) };
        // Assemblies only: the help of Connect-ExMailboxService names the demo secret on purpose, for its -Emulator example.
        var files = Directory.EnumerateFiles(ModuleUnderTest.ModuleFolder, "*.dll", SearchOption.AllDirectories).ToList();

        Assert.Contains(files, file => file.EndsWith("MailboxImportExport.Engine.dll", StringComparison.Ordinal));
        var holding = files.Where(file => needles.Any(needle => File.ReadAllBytes(file).AsSpan().IndexOf(needle) >= 0))
            .Select(file => Path.GetRelativePath(ModuleUnderTest.ModuleFolder, file));
        Assert.Empty(holding);
    }
}
