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
            # The section of this version in CHANGELOG.md, stamped in when the module is laid out.
            ReleaseNotes = ''
        }
    }
}
