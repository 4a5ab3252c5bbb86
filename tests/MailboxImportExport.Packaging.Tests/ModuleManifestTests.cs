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

    [Theory]
    [InlineData("@{ PrivateData = @{ PSData = @{\n    ReleaseNotes = ''\n} } }", "@{ PrivateData = @{ PSData = @{\n    ReleaseNotes = @'\n- It's new.\n'@\n} } }")]
    [InlineData("@{\r\n  releasenotes = @'\r\nold\r\nnotes\r\n'@\r\n  Tags = @('A')\r\n}", "@{\r\n  releasenotes = @'\r\n- It's new.\r\n'@\r\n  Tags = @('A')\r\n}")]
    public void Stamps_the_release_notes_as_a_single_quoted_here_string_in_the_manifest_s_line_endings(string manifest, string expected)
    {
        Assert.Equal(expected, ModuleManifest.StampReleaseNotes(manifest, "- It's new.", "M.psd1"));
    }

    [Theory]
    [InlineData("@{ Tags = @('A') }", 0)]
    [InlineData("@{\n ReleaseNotes = ''\n ReleaseNotes = 'x'\n}", 2)]
    public void Refuses_to_guess_when_there_is_not_exactly_one_ReleaseNotes_value(string manifest, int found)
    {
        var error = Assert.Throws<PackagingException>(() => ModuleManifest.StampReleaseNotes(manifest, "notes", "M.psd1"));

        Assert.Contains($"found {found}.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_release_notes_that_would_end_the_here_string()
    {
        var error = Assert.Throws<PackagingException>(() => ModuleManifest.StampReleaseNotes("@{\n ReleaseNotes = ''\n}", "a\n'@ b", "M.psd1"));

        Assert.Contains("starting with '@", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reads_one_version_s_changelog_section_without_its_heading_the_next_section_or_link_definitions()
    {
        using var folder = new TempDirectory();
        var path = folder.Combine(ChangeLog.FileName);
        File.WriteAllText(path, "# Changelog\n\n## [Unreleased]\n\n- Soon.\n\n## [1.1.0] - 2026-12-06\n\n### Fixed\n\n- A fix.\n\n[1.1.0]: https://example.test/v1.1.0\n\n## [1.0.0] - 2026-01-01\n\n- First.\n");

        Assert.Equal("### Fixed\n\n- A fix.", ChangeLog.ReleaseNotes(path, "1.1.0"));
        Assert.Equal("- First.", ChangeLog.ReleaseNotes(path, "1.0.0"));
    }

    [Theory]
    [InlineData(null, "not found")]
    [InlineData("# Changelog\n\n## [1.0.0]\n\n- First.\n", "has no section '## [1.1.0]'")]
    [InlineData("# Changelog\n\n## [1.1.0] - Unreleased\n\n## [1.0.0]\n\n- First.\n", "the section '## [1.1.0]' is empty")]
    public void Fails_naming_what_the_changelog_lacks(string? changeLog, string problem)
    {
        using var folder = new TempDirectory();
        var path = folder.Combine(ChangeLog.FileName);
        if (changeLog is not null)
        {
            File.WriteAllText(path, changeLog);
        }

        var error = Assert.Throws<PackagingException>(() => ChangeLog.ReleaseNotes(path, "1.1.0"));

        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_repository_s_changelog_has_release_notes_for_the_version_being_built()
    {
        var version = ModuleManifest.ReadVersion(Path.Combine(TestPaths.RepoRoot, "Directory.Build.props"));

        var notes = ChangeLog.ReleaseNotes(Path.Combine(TestPaths.RepoRoot, ChangeLog.FileName), version);

        Assert.StartsWith("### ", notes, StringComparison.Ordinal);
        Assert.Contains("mailbox-emulator", notes, StringComparison.Ordinal);
    }
}
