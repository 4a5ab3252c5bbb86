<#
.SYNOPSIS
    Copies alice's Inbox, in full fidelity, into bob's mailbox under /Imported/alice/Inbox.
.DESCRIPTION
    One pipeline: Get-ExMailbox finds the mailboxes, Get-ExMailboxFolder and Get-ExMailboxItem list the Inbox, Export-ExMailboxItem exports
    the items 20 to a call as they are listed, New-ExImportSession opens bob's import session, and
    Import-ExMailboxItem recreates the source folder path under /Imported/alice and imports each item there.
.PARAMETER Emulator
    The emulator's base URL, as it printed when it started (https://127.0.0.1:<port>/).
#>
param(
    [Parameter(Mandatory)]
    [uri] $Emulator
)

Connect-ExMailboxService -Emulator $Emulator
$session = Get-ExMailbox bob@contoso.test | New-ExImportSession

$copied = Get-ExMailbox alice@contoso.test |
    Get-ExMailboxFolder -WellKnownName inbox |
    Get-ExMailboxItem |
    Export-ExMailboxItem |
    Import-ExMailboxItem -Session $session -PreserveFolderStructure -TargetRootPath /Imported/alice

"Copied $(@($copied).Count) items from alice's Inbox into bob's mailbox:"
Get-ExMailbox bob@contoso.test | Get-ExMailboxFolder -Recurse | Where-Object Path -like '/Imported*'
