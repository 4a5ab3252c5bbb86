<#
.SYNOPSIS
    Shows the connection (never its token) and how an unknown user is reported without stopping the others.
.PARAMETER Emulator
    The emulator's base URL, as it printed when it started (https://127.0.0.1:<port>/).
#>
param(
    [Parameter(Mandatory)]
    [uri] $Emulator
)

Connect-ExMailboxService -Emulator $Emulator
# Out-Host shows the connection on its own, so the mailboxes below keep their table view.
Get-ExConnection | Out-Host

# 'nobody' gets a non-terminating error naming the user; alice and bob still come out.
'alice@contoso.test', 'nobody@contoso.test', 'bob@contoso.test' | Get-ExMailbox
