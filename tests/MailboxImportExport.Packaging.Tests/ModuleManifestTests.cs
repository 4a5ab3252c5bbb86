using System.Text.RegularExpressions;
using MailboxImportExport.Packaging.Layout;

namespace MailboxImportExport.Packaging.Tests;

public class ModuleManifestTests
{
    [Fact]
    public void Reads_the_repository_version_from_Directory_Build_props()
    {
        var props = Path.Combine(TestPaths.RepoRoot, "Directory.Build.props");
        var literal = Regex.Match(File.ReadAllText(props), "<ModuleVersion>(.*)</ModuleVersion>").Groups[1].Value;

        Assert.Equal(literal, ModuleManifest.ReadVersion(props));
    }

    [Theory]
    [InlineData("<Project><PropertyGroup><Version>1.0.0</Version></PropertyGroup></Project>", "has no <ModuleVersion> property")]
    [InlineData("<Project><PropertyGroup><ModuleVersion>1.0.0-preview1</ModuleVersion></PropertyGroup></Project>", "is not a version like 1.2.3")]
    public void Rejects_a_missing_or_unusable_version(string props, string problem)
    {
        using var folder = new TempDirectory();
        var path = folder.Combine("Directory.Build.props");
        File.WriteAllText(path, props);

        var error = Assert.Throws<PackagingException>(() => ModuleManifest.ReadVersion(path));

        Assert.Contains(problem, error.Message);
    }

    [Theory]
    [InlineData("@{\n    ModuleVersion = '0.1.0'\n}", "@{\n    ModuleVersion = '2.0.0'\n}")]
    [InlineData("@{\r\n  moduleversion=\"{{ModuleVersion}}\"\r\n  RootModule = 'X.dll'\r\n}", "@{\r\n  moduleversion='2.0.0'\r\n  RootModule = 'X.dll'\r\n}")]
    [InlineData("@{ RequiredModules = @(@{ ModuleName = 'A'; ModuleVersion = '9.9' })\nModuleVersion = '0.1.0' }", "@{ RequiredModules = @(@{ ModuleName = 'A'; ModuleVersion = '9.9' })\nModuleVersion = '2.0.0' }")]
    public void Stamps_only_the_top_level_ModuleVersion_line(string manifest, string expected)
    {
        Assert.Equal(expected, ModuleManifest.StampVersion(manifest, "2.0.0", "M.psd1"));
    }

    [Theory]
    [InlineData("@{ RootModule = 'X.dll' }", 0)]
    [InlineData("@{\n ModuleVersion = '1.0'\n ModuleVersion = '1.1'\n}", 2)]
    public void Refuses_to_guess_when_there_is_not_exactly_one_ModuleVersion_line(string manifest, int found)
    {
        var error = Assert.Throws<PackagingException>(() => ModuleManifest.StampVersion(manifest, "2.0.0", "M.psd1"));

        Assert.Equal($"M.psd1: expected exactly one line \"ModuleVersion = '...'\" to stamp the version into, found {found}.", error.Message);
    }
}
