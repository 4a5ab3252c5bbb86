using System.Collections;
using MailboxImportExport.Packaging.Help;
using MailboxImportExport.Packaging.Layout;

namespace MailboxImportExport.Packaging.Tests;

/// <summary>
/// The compiled help of the repository's docs, read by the real Get-Help of PowerShell 7 hosted in-process.
/// Each command is stood in for by a script function of the same name whose .ExternalHelp points at the
/// compiled MAML, which makes Get-Help load and render that file exactly as it would for the cmdlet.
/// </summary>
public sealed class GetHelpTests : IClassFixture<GetHelpTests.CompiledRepoHelp>
{
    private readonly CompiledRepoHelp _help;

    public GetHelpTests(CompiledRepoHelp help) => _help = help;

    public sealed class CompiledRepoHelp : IDisposable
    {
        private readonly TempDirectory _folder = new();

        public CompiledRepoHelp()
        {
            HelpCompiler.CompileFolder(TestPaths.RepoDocs, _folder.Path);
            MamlPath = _folder.Combine(ModuleLayout.MamlFileName);
            AboutPath = _folder.Combine(ModuleLayout.AboutFileName);
        }

        public string MamlPath { get; }

        public string AboutPath { get; }

        public void Dispose() => _folder.Dispose();
    }

    [Theory]
    [InlineData("Connect-ExMailboxService", 10, new[]
    {
        "AccessToken", "Account", "AllowUnencryptedTokenCache", "ApiVersion", "AuthorityHost", "Certificate", "CertificatePassword",
        "CertificatePath", "CertificateThumbprint", "ClientId", "ClientSecret", "ClientSecretCredential", "Emulator", "Environment",
        "GraphEndpoint", "Identity", "PassThru", "Scopes", "TenantId", "TokenCacheScope", "UseDeviceCode",
    })]
    [InlineData("Disconnect-ExMailboxService", 1, new string[0])]
    [InlineData("Get-ExConnection", 1, new string[0])]
    [InlineData("Get-ExMailbox", 2, new[] { "UserId", "Archive", "All", "Filter", "PageSize", "IncludeTotalCount", "Skip", "First" })]
    public void Get_Help_Full_shows_synopsis_description_syntax_parameters_and_examples(string command, int syntaxItems, string[] parameters)
    {
        var help = GetHelpFull(command);

        Assert.Equal(command, help["Name"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)help["Synopsis"]));
        Assert.NotEmpty(Strings(help["Description"]));
        Assert.Equal(syntaxItems, help["SyntaxItems"]);
        Assert.Equal(parameters, Strings(help["Parameters"]));
        Assert.True(Strings(help["Examples"]).Length >= 2);
        Assert.All(Strings(help["Examples"]), code => Assert.Contains(command, code));
    }

    [Fact]
    public void Get_Help_shows_pipeline_input_and_aliases_of_Get_ExMailbox_UserId()
    {
        var help = GetHelpFull("Get-ExMailbox", "$help.parameters.parameter | Where-Object name -eq UserId");
        var userId = (Hashtable)help["Detail"]!;

        Assert.Equal("true", userId["required"]);
        Assert.Equal("0", userId["position"]);
        Assert.Equal("True (ByPropertyName, ByValue)", userId["pipelineInput"]);
        Assert.Equal("UserPrincipalName, Identity", userId["aliases"]);
        Assert.Equal("String[]", userId["type"]);
    }

    [Fact]
    public void Get_Help_finds_the_about_topic_of_an_imported_module()
    {
        using var modules = new TempDirectory();
        var moduleFolder = Directory.CreateDirectory(modules.Combine(ModuleLayout.ModuleName)).FullName;
        File.WriteAllText(Path.Combine(moduleFolder, ModuleLayout.ManifestFileName), "@{ ModuleVersion = '1.0.0' }");
        Directory.CreateDirectory(Path.Combine(moduleFolder, ModuleLayout.HelpCulture));
        File.Copy(_help.AboutPath, Path.Combine(moduleFolder, ModuleLayout.HelpCulture, ModuleLayout.AboutFileName));

        var text = string.Join("\n", HostedPowerShell.Invoke(
            "param($Manifest) Import-Module -Name $Manifest; Get-Help -Name about_MailboxImportExport",
            new() { ["Manifest"] = Path.Combine(moduleFolder, ModuleLayout.ManifestFileName) }));

        Assert.StartsWith("TOPIC", text.TrimStart());
        Assert.Contains("about_MailboxImportExport", text);
        Assert.Contains("SHORT DESCRIPTION", text);
    }

    /// <summary>Get-Help -Full for a stand-in of <paramref name="command"/>, boiled down to plain values.</summary>
    private Hashtable GetHelpFull(string command, string detail = "$null")
    {
        var script = $$"""
            function {{command}} {
                # .ExternalHelp {{_help.MamlPath}}
                [CmdletBinding()] param()
            }
            $help = Get-Help -Name {{command}} -Full
            $detail = {{detail}}
            @{
                Name = [string]$help.Name
                Synopsis = [string]$help.Synopsis
                Description = [string[]]@(foreach ($paragraph in $help.description) { $paragraph.Text })
                SyntaxItems = @($help.syntax.syntaxItem).Count
                Parameters = [string[]]@(foreach ($parameter in $help.parameters.parameter) { $parameter.name })
                Examples = [string[]]@(foreach ($example in $help.examples.example) { $example.code })
                Detail = if ($detail) { @{
                    required = [string]$detail.required; position = [string]$detail.position
                    pipelineInput = [string]$detail.pipelineInput; aliases = [string]$detail.aliases
                    type = [string]$detail.type.name } }
            }
            """;
        return (Hashtable)HostedPowerShell.Invoke(script).Single().BaseObject;
    }

    private static string[] Strings(object? value) => (string[])value!;
}
