#Requires -Version 5.1
<#
.SYNOPSIS
    Builds, packages and tests MailboxImportExport.

.DESCRIPTION
    Build    restores and builds MailboxImportExport.sln.
    Package  Build, then lays out out/MailboxImportExport/<ModuleVersion>/ and out/MailboxImportExport.TestSupport/
             with the packager (src/MailboxImportExport.Packaging), checks the manifest, and writes the packages
             of this build to out/packages/ (emptied first):
               modules/  MailboxImportExport and MailboxImportExport.TestSupport .nupkg files, published with
                         Publish-PSResource as the PowerShell Gallery takes them: a local repository folder for
                         Register-PSResourceRepository and Install-PSResource.
               tools/    the emulator's .NET tool package, MailboxImportExport.Emulator (command mailbox-emulator),
                         for dotnet tool install --add-source.
             Publishing runs in pwsh 7.6.10, the repository's local .NET tool (its PSResourceGet), whatever
             PowerShell runs this script.
    Test     Build and lay out, then runs every test project (dotnet test), the Pester suites of tests/pester
             included: they run in pwsh 7.6.10 with Pester 5.7.1 and 6.2.0 (restored from NuGet).
    All      Package, then Test's test run: everything. The default.

    Machines without PowerShell run the same layout step with dotnet alone:
        dotnet build src/MailboxImportExport.Packaging -t:LayoutModule -c Release

.EXAMPLE
    ./build.ps1 -Task Package -Configuration Release
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package', 'All')]
    [string] $Task = 'All',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Microsoft.PowerShell.Core\Set-StrictMode -Version 3.0

$solution = Microsoft.PowerShell.Management\Join-Path -Path $PSScriptRoot -ChildPath 'MailboxImportExport.sln'
$packagerProject = Microsoft.PowerShell.Management\Join-Path -Path $PSScriptRoot -ChildPath 'src/MailboxImportExport.Packaging'
$emulatorProject = Microsoft.PowerShell.Management\Join-Path -Path $PSScriptRoot -ChildPath 'src/MailboxImportExport.Emulator'
$publishScript = Microsoft.PowerShell.Management\Join-Path -Path $PSScriptRoot -ChildPath 'src/MailboxImportExport.Packaging/Publish-ModulePackage.ps1'
$outputRoot = Microsoft.PowerShell.Management\Join-Path -Path $PSScriptRoot -ChildPath 'out'
$packageRoot = Microsoft.PowerShell.Management\Join-Path -Path $outputRoot -ChildPath 'packages'

function Invoke-DotNet {
    param(
        [Parameter(Mandatory)]
        [string[]] $ArgumentList
    )

    Microsoft.PowerShell.Utility\Write-Host "> dotnet $($ArgumentList -join ' ')"
    # To the host, not the pipeline: the callers' output is their return value.
    & dotnet @ArgumentList | Microsoft.PowerShell.Core\Out-Host
    if ($LASTEXITCODE -ne 0) {
        throw "dotnet $($ArgumentList[0]) failed with exit code $LASTEXITCODE."
    }
}

function Get-ModuleVersion {
    # Directory.Build.props is the version's single source; the packager stamps it into the psd1.
    $propsPath = Microsoft.PowerShell.Management\Join-Path -Path $PSScriptRoot -ChildPath 'Directory.Build.props'
    $props = [xml](Microsoft.PowerShell.Management\Get-Content -LiteralPath $propsPath -Raw)
    $props.SelectSingleNode('//ModuleVersion').InnerText.Trim()
}

function Build-Solution {
    Invoke-DotNet -ArgumentList @('build', $solution, '--configuration', $Configuration, '--nologo')
}

function Build-ModuleLayout {
    Invoke-DotNet -ArgumentList @(
        'run', '--project', $packagerProject, '--configuration', $Configuration, '--no-build', '--',
        '--configuration', $Configuration, '--output', $outputRoot)

    $manifestPath = Microsoft.PowerShell.Management\Join-Path -Path $outputRoot -ChildPath "MailboxImportExport/$(Get-ModuleVersion)/MailboxImportExport.psd1"
    $null = Microsoft.PowerShell.Core\Test-ModuleManifest -Path $manifestPath
    Microsoft.PowerShell.Utility\Write-Host "Module ready for Publish-Module -Path $(Microsoft.PowerShell.Management\Split-Path -Path $manifestPath -Parent)"
    $manifestPath
}

function Build-Package {
    $moduleRepository = Microsoft.PowerShell.Management\Join-Path -Path $packageRoot -ChildPath 'modules'
    $toolFeed = Microsoft.PowerShell.Management\Join-Path -Path $packageRoot -ChildPath 'tools'
    if (Microsoft.PowerShell.Management\Test-Path -LiteralPath $packageRoot) {
        Microsoft.PowerShell.Management\Remove-Item -LiteralPath $packageRoot -Recurse -Force
    }

    Invoke-DotNet -ArgumentList @('pack', $emulatorProject, '--configuration', $Configuration, '--no-build', '--nologo', '--output', $toolFeed)

    # dotnet finds the local tool manifest (.config/dotnet-tools.json) from the current folder.
    Microsoft.PowerShell.Management\Push-Location -LiteralPath $PSScriptRoot
    try {
        Invoke-DotNet -ArgumentList @('tool', 'restore')
        Invoke-DotNet -ArgumentList @(
            'pwsh', '-NoProfile', '-NonInteractive', '-File', $publishScript,
            '-LayoutPath', $outputRoot, '-RepositoryPath', $moduleRepository, '-Version', (Get-ModuleVersion))
    }
    finally {
        Microsoft.PowerShell.Management\Pop-Location
    }

    Microsoft.PowerShell.Utility\Write-Host "Modules: Register-PSResourceRepository -Name MailboxImportExportLocal -Uri $moduleRepository -Trusted; Install-PSResource MailboxImportExport.TestSupport -Repository MailboxImportExportLocal"
    Microsoft.PowerShell.Utility\Write-Host "Emulator: dotnet tool install --global --add-source $toolFeed MailboxImportExport.Emulator --version $(Get-ModuleVersion)"
}

function Invoke-SolutionTest {
    # The README's test command: every test project, the Pester suites under tests/pester included (they run in
    # pwsh 7.6.10, the repository's local .NET tool, against a module laid out by the tests themselves).
    Invoke-DotNet -ArgumentList @('test', $solution, '--configuration', $Configuration, '--no-build', '--nologo')
}

Build-Solution
if ($Task -ne 'Build') {
    $null = Build-ModuleLayout
}
if ($Task -eq 'Package' -or $Task -eq 'All') {
    Build-Package
}
if ($Task -eq 'Test' -or $Task -eq 'All') {
    Invoke-SolutionTest
}
