#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# The tests of Copy-NightlyMailbox.ps1, against a local emulator seeded with tenant.json (docs/testing-with-pester.md).

BeforeAll {
    Import-Module MailboxImportExport.TestSupport
    $script:emulator = Start-ExEmulator -Seed "$PSScriptRoot/tenant.json"
    $script:connection = @{ Emulator = $script:emulator.Uri }
    $script:nightly = "$PSScriptRoot/Copy-NightlyMailbox.ps1"
}

AfterAll {
    Stop-ExEmulator
}

Describe 'Copy-NightlyMailbox.ps1' {
    BeforeEach {
        Clear-ExEmulatorRequest
        $journal = Join-Path $TestDrive "$([guid]::NewGuid()).journal"
    }

    It 'copies every item once, into /Copied/dave of the archive mailbox' {
        $summary = & $script:nightly -Source dave@contoso.test -Target archive@contoso.test -JournalPath $journal -Connection $script:connection

        $summary.Copied | Should -Be 5
        $summary.Failed | Should -Be 0
        (Get-ExEmulatorStatistic).TotalImportsCreated | Should -Be 5
        $copied = Get-ExMailbox archive@contoso.test | Get-ExMailboxFolder -Path /Copied/dave -Recurse
        $copied.Path | Should -Contain '/Copied/dave/Inbox/Projects'
        ($copied | Measure-Object -Property TotalItemCount -Sum).Sum | Should -Be 5
    }

    It 'never touches the Private folder' {
        $private = Get-ExMailbox dave@contoso.test | Get-ExMailboxFolder -Path /Private

        $null = & $script:nightly -Source dave@contoso.test -Target archive@contoso.test -JournalPath $journal -Connection $script:connection

        $requests = Get-ExEmulatorRequest
        $requests | Should -Not -BeNullOrEmpty
        $requests | Where-Object Path -Like "*$($private.Id)*" | Should -BeNullOrEmpty
    }

    It 'copies nothing again the next night: no export or import call' {
        $null = & $script:nightly -Source dave@contoso.test -Target archive@contoso.test -JournalPath $journal -Connection $script:connection
        Clear-ExEmulatorRequest

        $again = & $script:nightly -Source dave@contoso.test -Target archive@contoso.test -JournalPath $journal -Connection $script:connection

        $again.Copied | Should -Be 0
        $again.Skipped | Should -Be 5
        Get-ExEmulatorRequest -Route export, session, import | Should -BeNullOrEmpty
    }
}
