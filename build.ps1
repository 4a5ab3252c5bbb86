#Requires -Version 5.1
<#
.SYNOPSIS
    Builds, packages and tests MailboxImportExport.

.DESCRIPTION
    Build    restores and builds MailboxImportExport.sln.
    Package  Build, then lays out out/MailboxImportExport/<ModuleVersion>/ with the packager
             (src/MailboxImportExport.Packaging) and checks its manifest. The folder is ready for
             Publish-Module -Path.
    Test     Build and Package, then runs every test project (dotnet test), the Pester suites
             of tests/pester included: they run in pwsh 7.6.10 (the local .NET tool of
             .config/dotnet-tools.json) with Pester 5.7.1 and 6.2.0 (restored from NuGet).
    All      The same as Test: everything. The default.

    Machines without PowerShell run the same packaging step with dotnet alone:
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
$outputRoot = Microsoft.PowerShell.Management\Join-Path -Path $PSScriptRoot -ChildPath 'out'

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

function Invoke-SolutionTest {
    # The README's test command: every test project, the Pester suites under tests/pester included (they run in
    # pwsh 7.6.10, the repository's local .NET tool, against a module laid out by the tests themselves).
    Invoke-DotNet -ArgumentList @('test', $solution, '--configuration', $Configuration, '--no-build', '--nologo')
}

Build-Solution
if ($Task -ne 'Build') {
    $null = Build-ModuleLayout
    if ($Task -ne 'Package') {
        Invoke-SolutionTest
    }
}
