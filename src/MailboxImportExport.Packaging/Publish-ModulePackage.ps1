#Requires -Version 5.1
<#
.SYNOPSIS
    Publishes the laid-out MailboxImportExport and MailboxImportExport.TestSupport to a local file repository.

.DESCRIPTION
    Publish-PSResource (Microsoft.PowerShell.PSResourceGet) packs each module as the PowerShell Gallery takes it,
    checking its manifest on the way, and writes <Name>.<Version>.nupkg into RepositoryPath, a folder that
    Register-PSResourceRepository can serve to Install-PSResource. A package of the same version already there is
    replaced. build.ps1 -Task Package runs this script in the repository's pwsh (the local .NET tool), whose
    PSResourceGet is the same on every machine.

    The folder is registered under a name of this run's own and unregistered at the end, so the user's list of
    repositories is left as it was.

.PARAMETER LayoutPath
    The folder holding MailboxImportExport/<Version>/ and MailboxImportExport.TestSupport/<Version>/, as the packager
    lays them out (out/ by default).

.PARAMETER RepositoryPath
    The local repository folder; created if missing.

.PARAMETER Version
    The modules' version (Directory.Build.props' ModuleVersion).

.EXAMPLE
    ./Publish-ModulePackage.ps1 -LayoutPath ./out -RepositoryPath ./out/packages/modules -Version 0.1.0
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)]
    [string] $LayoutPath,

    [Parameter(Mandatory)]
    [string] $RepositoryPath,

    [Parameter(Mandatory)]
    [string] $Version
)

$ErrorActionPreference = 'Stop'
Microsoft.PowerShell.Core\Set-StrictMode -Version 3.0

# The companion module requires the module: it is published second, when the repository already holds its dependency.
$moduleNames = @('MailboxImportExport', 'MailboxImportExport.TestSupport')

if (-not (Microsoft.PowerShell.Core\Get-Module -ListAvailable -Name Microsoft.PowerShell.PSResourceGet)) {
    throw 'Microsoft.PowerShell.PSResourceGet is not available. Run this script in PowerShell 7.4 or later (build.ps1 uses the repository''s pwsh: dotnet tool restore; dotnet pwsh), or install it: Install-Module Microsoft.PowerShell.PSResourceGet.'
}

$layout = $PSCmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath($LayoutPath)
$repository = $PSCmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath($RepositoryPath)
$null = Microsoft.PowerShell.Management\New-Item -ItemType Directory -Force -Path $repository

$repositoryName = "MailboxImportExport-build-$([guid]::NewGuid().ToString('N'))"
Microsoft.PowerShell.PSResourceGet\Register-PSResourceRepository -Name $repositoryName -Uri $repository -Trusted
# Publishing checks the manifest as Test-ModuleManifest does, which needs the modules it requires on the module path.
$previousModulePath = $env:PSModulePath
$env:PSModulePath = $layout + [System.IO.Path]::PathSeparator + $env:PSModulePath
try {
    foreach ($name in $moduleNames) {
        $moduleFolder = [System.IO.Path]::Combine($layout, $name, $Version)
        if (-not [System.IO.Directory]::Exists($moduleFolder)) {
            throw "$moduleFolder not found: lay the modules out first (build.ps1 -Task Package does)."
        }
        $package = [System.IO.Path]::Combine($repository, "$name.$Version.nupkg")
        if ([System.IO.File]::Exists($package)) {
            [System.IO.File]::Delete($package)
        }
        Microsoft.PowerShell.PSResourceGet\Publish-PSResource -Path $moduleFolder -Repository $repositoryName
        if (-not [System.IO.File]::Exists($package)) {
            throw "Publish-PSResource reported no error but wrote no $package."
        }
        $package
    }
}
finally {
    $env:PSModulePath = $previousModulePath
    Microsoft.PowerShell.PSResourceGet\Unregister-PSResourceRepository -Name $repositoryName
}
