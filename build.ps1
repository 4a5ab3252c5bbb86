#Requires -Version 5.1
<#
.SYNOPSIS
    Builds, packages and tests MailboxImportExport.

.DESCRIPTION
    Build    restores and builds MailboxImportExport.sln.
    Package  Build, then lays out out/MailboxImportExport/<ModuleVersion>/ with the packager
             (src/MailboxImportExport.Packaging) and checks its manifest. The folder is ready for
             Publish-Module -Path.
    Test     Build and Package, then runs every test project (dotnet test) and, when Pester 5 or
             later is installed, tests/pester/*.Tests.ps1 in a child PowerShell process against
             the laid-out module.
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
$pesterTests = Microsoft.PowerShell.Management\Join-Path -Path $PSScriptRoot -ChildPath 'tests/pester'

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
    param(
        [Parameter(Mandatory)]
        [string] $ManifestPath
    )

    Invoke-DotNet -ArgumentList @('test', $solution, '--configuration', $Configuration, '--no-build', '--nologo')

    $testFiles = @(Microsoft.PowerShell.Management\Get-ChildItem -Path $pesterTests -Filter '*.Tests.ps1' -ErrorAction SilentlyContinue)
    if ($testFiles.Count -eq 0) {
        Microsoft.PowerShell.Utility\Write-Host "No Pester tests in $pesterTests."
        return
    }
    $pester = Microsoft.PowerShell.Core\Get-Module -ListAvailable -Name Pester |
        Microsoft.PowerShell.Core\Where-Object -FilterScript { $_.Version -ge [version]'5.0' } |
        Microsoft.PowerShell.Utility\Sort-Object -Property Version -Descending |
        Microsoft.PowerShell.Utility\Select-Object -First 1
    if ($null -eq $pester) {
        Microsoft.PowerShell.Utility\Write-Warning "Pester 5 or later is not installed: skipped $pesterTests. (Install-Module -Name Pester -MinimumVersion 5.0)"
        return
    }

    # A child process of the same PowerShell edition: the binary module loads fresh there and is never
    # locked by, or mixed up with, anything loaded in this session. The tests find it through
    # MAILBOXIMPORTEXPORT_MODULE_PATH.
    $childScript = @'
$ErrorActionPreference = 'Stop'
Microsoft.PowerShell.Core\Import-Module -Name $env:MAILBOXIMPORTEXPORT_PESTER_MODULE
$configuration = Pester\New-PesterConfiguration
$configuration.Run.Path = $env:MAILBOXIMPORTEXPORT_PESTER_TESTS
$configuration.Run.Exit = $true
$configuration.Output.Verbosity = 'Detailed'
Pester\Invoke-Pester -Configuration $configuration
'@
    $encodedScript = [System.Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($childScript))
    $powershell = [System.Diagnostics.Process]::GetCurrentProcess().MainModule.FileName
    $childEnvironment = @{
        MAILBOXIMPORTEXPORT_MODULE_PATH   = $ManifestPath
        MAILBOXIMPORTEXPORT_PESTER_MODULE = $pester.Path
        MAILBOXIMPORTEXPORT_PESTER_TESTS  = $pesterTests
    }
    $savedEnvironment = @{}
    foreach ($name in $childEnvironment.Keys) {
        $savedEnvironment[$name] = [System.Environment]::GetEnvironmentVariable($name)
        [System.Environment]::SetEnvironmentVariable($name, $childEnvironment[$name])
    }
    try {
        Microsoft.PowerShell.Utility\Write-Host "> Pester $($pester.Version): $pesterTests"
        & $powershell -NoProfile -NonInteractive -EncodedCommand $encodedScript
        if ($LASTEXITCODE -ne 0) {
            throw "Pester tests failed (exit code $LASTEXITCODE)."
        }
    }
    finally {
        foreach ($name in $savedEnvironment.Keys) {
            [System.Environment]::SetEnvironmentVariable($name, $savedEnvironment[$name])
        }
    }
}

Build-Solution
if ($Task -ne 'Build') {
    $manifestPath = Build-ModuleLayout
    if ($Task -ne 'Package') {
        Invoke-SolutionTest -ManifestPath $manifestPath
    }
}
