# Run by InstallRouteTests in a pwsh whose HOME is a fresh folder: installs the companion module, and the module as its
# dependency, from a local repository folder into the user's module path, as an admin would from the Gallery.
param(
    [Parameter(Mandatory)]
    [string] $RepositoryPath
)
$ErrorActionPreference = 'Stop'

$repository = 'MailboxImportExportTest'
Register-PSResourceRepository -Name $repository -Uri $RepositoryPath -Trusted
try {
    Install-PSResource -Name MailboxImportExport.TestSupport -Repository $repository -Scope CurrentUser -Quiet
}
finally {
    Unregister-PSResourceRepository -Name $repository
}
