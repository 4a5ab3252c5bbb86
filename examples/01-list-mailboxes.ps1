<#
.SYNOPSIS
    Connects to the local emulator and lists the demo tenant's mailboxes.
.DESCRIPTION
    Runs as is under pwsh (with the module imported) or through the example runner:
        dotnet run --project src/MailboxImportExport.ExampleRunner
.PARAMETER Emulator
    The emulator's base URL, as it printed when it started (https://127.0.0.1:<port>/).
#>
param(
    [Parameter(Mandatory)]
    [uri] $Emulator
)

# Archive mailboxes are in the beta API.
Connect-ExMailboxService -Emulator $Emulator -ApiVersion beta
'alice@contoso.test', 'bob@contoso.test' | Get-ExMailbox
Get-ExMailbox alice@contoso.test -Archive
