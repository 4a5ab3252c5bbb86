#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Run by dotnet test (tests/MailboxImportExport.Pester.Tests), which sets MAILBOXIMPORTEXPORT_MODULE_PATH to the laid-out module.

BeforeAll {
    Import-Module "$PSScriptRoot/TestEmulator.psm1" -Force
    $script:emulator = Initialize-TestSession
    $script:alice = Get-ExMailbox alice@contoso.test
    $script:bob = Get-ExMailbox bob@contoso.test
}

AfterAll {
    Complete-TestSession -Emulator $script:emulator
    Remove-Module TestEmulator -ErrorAction SilentlyContinue
}

Describe 'Get-ExMailboxFolder' {
    It 'walks the whole tree with paths' {
        $folders = $script:alice | Get-ExMailboxFolder -Recurse
        $folders.Path | Should -Contain '/Inbox'
        $folders.Path | Should -Contain '/Inbox/Projects/2026'
        ($folders | Where-Object Path -eq '/Inbox').WellKnownName | Should -Be 'inbox'
    }

    It 'filters by type' {
        $script:alice | Get-ExMailboxFolder -Recurse -Type IPF.Appointment | ForEach-Object { $_.Type | Should -Be 'IPF.Appointment' }
    }
}

Describe 'Get-ExMailboxItem' {
    It 'returns the first five inbox items' {
        $items = $script:alice | Get-ExMailboxFolder -WellKnownName inbox | Get-ExMailboxItem -First 5
        $items | Should -HaveCount 5
        $items[0].FolderPath | Should -Be '/Inbox'
    }

    It 'filters by creation date' {
        $since = [datetime]'2026-01-01'
        $script:alice | Get-ExMailboxFolder -WellKnownName inbox | Get-ExMailboxItem -CreatedAfter $since |
            ForEach-Object { $_.CreatedDateTime | Should -BeGreaterOrEqual ([datetimeoffset]$since) }
    }

    It 'keeps delta state between runs' {
        $state = Join-Path $TestDrive 'delta.json'
        $inbox = $script:alice | Get-ExMailboxFolder -WellKnownName inbox
        $first = $inbox | Get-ExMailboxItem -Delta -DeltaStatePath $state
        $first | Should -Not -BeNullOrEmpty
        $second = $inbox | Get-ExMailboxItem -Delta -DeltaStatePath $state
        $second | Should -BeNullOrEmpty
    }
}

Describe 'New-ExMailboxFolder' {
    It 'creates nothing with -WhatIf and the chain once without it' {
        $script:bob | New-ExMailboxFolder -Path /Imported/alice/Inbox -WhatIf
        $script:bob | Get-ExMailboxFolder -Recurse | Where-Object Path -like '/Imported*' | Should -BeNullOrEmpty

        $created = $script:bob | New-ExMailboxFolder -Path /Imported/alice/Inbox
        $again = $script:bob | New-ExMailboxFolder -Path /Imported/alice/Inbox
        $again.Id | Should -Be $created.Id
    }
}

Describe 'Set-ExMailboxFolder' {
    It 'refuses a type change' {
        $folder = $script:bob | New-ExMailboxFolder -Name 'Typed'
        { $folder | Set-ExMailboxFolder -DisplayName 'Typed2' -Type IPF.Contact -ErrorAction Stop } | Should -Throw -ExpectedMessage '*cannot be changed*'
        $folder | Remove-ExMailboxFolder -Confirm:$false
    }
}
