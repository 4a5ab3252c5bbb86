#
# Module manifest for MailboxImportExport.
# ModuleVersion is stamped from Directory.Build.props when the module is laid out (see src/MailboxImportExport.Packaging).
#
@{
    RootModule           = 'MailboxImportExport.psm1'
    ModuleVersion        = '0.1.0'
    CompatiblePSEditions = @('Core', 'Desktop')
    GUID                 = '5b0c8a52-6f0e-4c69-9a1e-2f6d3c1b7e48'
    Author               = 'MailboxImportExport contributors'
    CompanyName          = 'MailboxImportExport contributors'
    Copyright            = '(c) MailboxImportExport contributors. MIT License.'
    Description          = 'Moves Exchange mailbox content in full fidelity through the Microsoft Graph mailbox import/export APIs: list mailboxes, walk folders and items, export items as FastTransfer streams and import them into the same or another mailbox. Ships with a local emulator of the service.'
    PowerShellVersion    = '5.1'
    DotNetFrameworkVersion = '4.7.2'
    FormatsToProcess     = @('MailboxImportExport.format.ps1xml')
    CmdletsToExport      = @(
        'Add-ExMailboxItemAttachment'
        'Connect-ExMailboxService'
        'ConvertTo-ExMessageFile'
        'Disconnect-ExMailboxService'
        'Get-ExConnection'
        'Get-ExMailbox'
        'Get-ExMailboxFolder'
        'New-ExMailboxFolder'
        'Set-ExMailboxFolder'
        'Remove-ExMailboxFolder'
        'Get-ExMailboxItem'
        'Remove-ExMailboxItem'
        'Export-ExMailboxItem'
        'New-ExImportSession'
        'Import-ExMailboxItem'
        'Import-ExMailMessage'
        'Copy-ExMailbox'
        'Get-ExCopyStatistics'
        'Test-ExMailboxCopy'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Exchange', 'ExchangeOnline', 'MicrosoftGraph', 'Mailbox', 'Migration', 'Import', 'Export', 'PSEdition_Core', 'PSEdition_Desktop', 'Windows', 'Linux', 'MacOS')
            LicenseUri   = 'https://github.com/MailboxImportExport/MailboxImportExport/blob/main/LICENSE'
            ProjectUri   = 'https://github.com/MailboxImportExport/MailboxImportExport'
            ReleaseNotes = @'
0.1.0
- Connect to Microsoft Graph (interactive, device code, certificate, client secret, managed identity, access token) or the bundled emulator; a connection serves every runspace of the process that has none of its own (ForEach-Object -Parallel, thread jobs, runspace pools).
- Get-ExMailbox: the primary mailbox of each user (one per user on v1.0 and beta), -Archive for archive mailboxes (beta API), -All for every mailbox of the tenant with -Filter and paging, looking up four users' mailboxes at once. A user principal name works wherever a mailbox id is expected.
- Auto-expanding archives: 308 redirects and ErrorArchiveFolderMovedPermanently are followed for every call (the token goes only to mailbox paths on the Graph host) and remembered per folder; the emulator's demo tenant has an auxiliary archive to try them on.
- Get-ExMailboxFolder walks the folder tree the same whether the service lists folders flat or by level; -Path, -LiteralPath and -LiteralName address folders by path and exact name; names keep their spaces and may hold / and \.
- Get-ExMailboxItem shows Subject, From and Received (read with the listing) and filters on a received-date range; default views fit an 80-column console, with readable sizes and times that say their zone.
- Export-ExMailboxItem and Import-ExMailboxItem copy items in full fidelity, to the pipeline or through an export folder; New-, Set- and Remove-ExMailboxFolder, Remove-ExMailboxItem; -Delta for changes.
- Import-ExMailboxItem resolves -TargetWellKnownName to the folder's id and checks the target before the first item; -Mode Update restores items changed since their export without -TargetChangeKey (each item's current change key is read); progress shows a percentage, and Export and Import runs end with a summary object.
- Errors in the module's words: an unreachable service or emulator names its address and the fix; no .NET parameter texts. Temp files of large items left by a killed process are deleted by the next one.
'@
        }
    }
}
