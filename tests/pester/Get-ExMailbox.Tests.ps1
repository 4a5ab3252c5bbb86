#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Run by dotnet test (tests/MailboxImportExport.Pester.Tests), which sets MAILBOXIMPORTEXPORT_MODULE_PATH to the laid-out module.

BeforeAll {
    Import-Module "$PSScriptRoot/TestEmulator.psm1" -Force
    $script:emulator = Initialize-TestSession
}

AfterAll {
    Complete-TestSession -Emulator $script:emulator
    Remove-Module TestEmulator -ErrorAction SilentlyContinue
}

Describe 'Get-ExMailbox' {
    It 'returns the mailboxes of known users and one error for an unknown one' {
        $mailboxes = 'alice@contoso.test', 'nobody@contoso.test', 'bob@contoso.test' |
            Get-ExMailbox -ErrorVariable failures -ErrorAction SilentlyContinue

        $mailboxes.UserId | Should -Be @('alice@contoso.test', 'bob@contoso.test')
        $mailboxes.Kind | Should -Be @('Primary', 'Primary')
        $failures | Should -HaveCount 1
        $failures[0].TargetObject | Should -Be 'nobody@contoso.test'
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'binds objects by UserPrincipalName' {
        $mailbox = [pscustomobject]@{ UserPrincipalName = 'bob@contoso.test' } | Get-ExMailbox
        $mailbox.UserId | Should -Be 'bob@contoso.test'
        $mailbox.MailboxId | Should -BeLike 'MBX:*'
    }

    It 'returns the primary mailbox alone, and the archive with -Archive, on the beta API' {
        Connect-ExMailboxService -Emulator $script:emulator.Uri -ApiVersion beta
        @(Get-ExMailbox alice@contoso.test).Kind | Should -Be @('Primary')
        (Get-ExMailbox alice@contoso.test -Archive).Kind | Should -Be 'Archive'
        Connect-ExMailboxService -Emulator $script:emulator.Uri
    }

    It 'prints a table with user, kind and mailbox id' {
        $text = Get-ExMailbox alice@contoso.test | Out-String
        $text | Should -Match 'UserId\s+Kind\s+MailboxId'
    }
}
