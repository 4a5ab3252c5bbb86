# Run by InstallRouteTests in a new pwsh: imports the installed modules with nothing but ModulePath and pwsh's own
# modules on the module path, starts the emulator with Start-ExEmulator (mailbox-emulator, found on PATH) and lists
# alice's mailbox. Writes one line of JSON: what was found and where it came from.
param(
    [Parameter(Mandatory)]
    [string] $ModulePath
)
$ErrorActionPreference = 'Stop'

$env:PSModulePath = $ModulePath + [System.IO.Path]::PathSeparator + [System.IO.Path]::Combine($PSHOME, 'Modules')
Import-Module MailboxImportExport.TestSupport
$null = Start-ExEmulator -Seed demo
try {
    $mailbox = Get-ExMailbox alice@contoso.test
    [pscustomobject]@{
        UserId      = $mailbox.UserId
        MailboxId   = $mailbox.MailboxId
        Module      = (Get-Module MailboxImportExport).ModuleBase
        TestSupport = (Get-Module MailboxImportExport.TestSupport).ModuleBase
        Emulator    = (Get-Command mailbox-emulator -CommandType Application).Source
    } | ConvertTo-Json -Compress
}
finally {
    Stop-ExEmulator
}
