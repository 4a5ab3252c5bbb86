# Stand-in for the repository's MailboxImportExport.psd1, for layout tests only.
@{
    RootModule           = 'MailboxImportExport.psm1'
    ModuleVersion        = '0.1.0'
    CompatiblePSEditions = @('Desktop', 'Core')
    GUID                 = '3b0e5c4e-8f61-4d0a-9c3e-6a2f1d7b9e10'
    Author               = 'MailboxImportExport contributors'
    CompanyName          = 'MailboxImportExport contributors'
    Copyright            = '(c) MailboxImportExport contributors. All rights reserved.'
    Description          = 'Moves Exchange Online mailbox content with the Microsoft Graph mailbox import/export APIs.'
    PowerShellVersion    = '5.1'
    FormatsToProcess     = @('MailboxImportExport.format.ps1xml')
    CmdletsToExport      = @('Connect-ExMailboxService', 'Disconnect-ExMailboxService', 'Get-ExConnection', 'Get-ExMailbox')
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags = @('Exchange', 'MicrosoftGraph', 'Mailbox', 'Export', 'Import')
            ReleaseNotes = ''
        }
    }
}
