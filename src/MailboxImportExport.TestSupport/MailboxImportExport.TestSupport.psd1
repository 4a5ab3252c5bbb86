#
# Module manifest for MailboxImportExport.TestSupport: starts the emulator for a test (Pester or any script) and
# reads what the script under test did. ModuleVersion is stamped from Directory.Build.props when laid out.
#
@{
    RootModule           = 'MailboxImportExport.TestSupport.psm1'
    ModuleVersion        = '0.1.0'
    CompatiblePSEditions = @('Core', 'Desktop')
    GUID                 = '0c7b7d56-2f1e-4a8e-9d3b-6e4f1a2c8b90'
    Author               = 'MailboxImportExport contributors'
    CompanyName          = 'MailboxImportExport contributors'
    Copyright            = '(c) MailboxImportExport contributors. MIT License.'
    Description          = 'Test your MailboxImportExport scripts offline: starts the mailbox emulator (the mailbox-emulator .NET tool) with the demo tenant or your own seed file, connects the session to it, and reads its request log and statistics, with latency, Outlook''s limits and faults on request.'
    PowerShellVersion    = '5.1'
    RequiredModules      = @(@{ ModuleName = 'MailboxImportExport'; ModuleVersion = '0.1.0' })
    FunctionsToExport    = @(
        'Start-ExEmulator'
        'Stop-ExEmulator'
        'Get-ExEmulatorRequest'
        'Clear-ExEmulatorRequest'
        'Get-ExEmulatorStatistic'
        'Set-ExEmulatorFault'
        'Clear-ExEmulatorFault'
    )
    CmdletsToExport      = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Exchange', 'MicrosoftGraph', 'Mailbox', 'Pester', 'Testing', 'Emulator', 'PSEdition_Core', 'PSEdition_Desktop')
            LicenseUri   = 'https://github.com/MailboxImportExport/MailboxImportExport/blob/main/LICENSE'
            ProjectUri   = 'https://github.com/MailboxImportExport/MailboxImportExport'
            # The section of this version in CHANGELOG.md, stamped in when the module is laid out.
            ReleaseNotes = ''
        }
    }
}
