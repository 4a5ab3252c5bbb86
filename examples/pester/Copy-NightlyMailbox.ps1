<#
.SYNOPSIS
    Nightly copy of a user's mailbox into an archive mailbox, except the folders the user keeps private.
.DESCRIPTION
    Run by a scheduled task every night. The journal makes each run copy only what is new or changed since the last,
    and lets a run that was killed be finished by the next one without copying anything twice.
.EXAMPLE
    ./Copy-NightlyMailbox.ps1 -Source dave@contoso.com -Target archive@contoso.com -JournalPath D:\Jobs\dave.journal `
        -Connection @{ ClientId = $app; TenantId = 'contoso.onmicrosoft.com'; CertificateThumbprint = $thumbprint }
#>
param(
    [Parameter(Mandatory)]
    [string] $Source,
    [Parameter(Mandatory)]
    [string] $Target,
    [Parameter(Mandatory)]
    [string] $JournalPath,
    # How to sign in: the parameters of Connect-ExMailboxService (a test passes @{ Emulator = $emulator.Uri }).
    [Parameter(Mandatory)]
    [hashtable] $Connection,
    [string[]] $ExcludeFolder = @('/Private', '/Private/*')
)
$ErrorActionPreference = 'Stop'

Connect-ExMailboxService @Connection
$user = $Source.Split('@')[0]
$summary = Copy-ExMailbox $Source $Target -TargetRootPath "/Copied/$user" -ExcludeFolder $ExcludeFolder -JournalPath $JournalPath
if ($summary.Failed -gt 0) {
    throw "$($summary.Failed) items of $Source failed to copy; see Get-ExCopyStatistics -JournalPath '$JournalPath' -IncludeReport."
}
$summary
