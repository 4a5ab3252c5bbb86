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

Describe 'Export-ExMailboxItem' {
    It 'shows what a person needs to recognise an item, and selects by subject' {
        $budget = $script:alice | Get-ExMailboxFolder -WellKnownName inbox | Get-ExMailboxItem | Export-ExMailboxItem |
            Where-Object Subject -like '*budget*'
        $budget | Should -Not -BeNullOrEmpty
        $budget | ForEach-Object { $_.SourceFolderPath | Should -Be '/Inbox' }
    }

    It 'writes an export folder and skips unchanged items when run again' {
        $folder = Join-Path $TestDrive 'export'
        $items = $script:alice | Get-ExMailboxFolder -WellKnownName drafts | Get-ExMailboxItem
        $items | Export-ExMailboxItem -Path $folder
        (Get-ChildItem $folder -Filter *.fts) | Should -HaveCount @($items).Count
        $again = $items | Export-ExMailboxItem -Path $folder -Verbose 4>&1
        @($again | Where-Object { $_ -like 'Skipped*' }) | Should -HaveCount @($items).Count
    }
}

Describe 'New-ExImportSession' {
    It 'never shows the import URL' {
        $session = $script:bob | New-ExImportSession
        $session.MailboxId | Should -Be $script:bob.MailboxId
        ($session | Format-List * | Out-String) | Should -Not -Match 'authtoken'
        ($session | ConvertTo-Json) | Should -Not -Match 'authtoken'
        "$session" | Should -Not -Match 'authtoken'
    }
}

Describe 'Import-ExMailboxItem' {
    It 'copies a folder into another mailbox under a target root, byte for byte' {
        $source = $script:alice | Get-ExMailboxFolder -WellKnownName inbox | Get-ExMailboxItem -First 10 | Export-ExMailboxItem
        $results = $source | Import-ExMailboxItem -TargetMailbox $script:bob -PreserveFolderStructure -TargetRootPath /Imported/pester
        $results | Should -HaveCount 10
        $copies = Export-ExMailboxItem -MailboxId $script:bob.MailboxId -ItemId $results.ItemId
        foreach ($copy in $copies) {
            $original = $source | Where-Object ItemId -eq ($results | Where-Object ItemId -eq $copy.ItemId).SourceItemId
            $copy.Data.Sha256() | Should -Be $original.Data.Sha256()
        }
    }

    It 'recreates each folder with its source folder''s class, parents too, under the emulator''s Outlook limits' {
        $calendarItems = $script:alice | Get-ExMailboxFolder -Recurse | Where-Object Path -like '/Calendar*' | Get-ExMailboxItem
        $results = $calendarItems | Export-ExMailboxItem | Import-ExMailboxItem -TargetMailbox $script:bob -PreserveFolderStructure -TargetRootPath /Imported/classes
        $results | Should -HaveCount @($calendarItems).Count
        $recreated = $script:bob | Get-ExMailboxFolder -Recurse | Where-Object Path -like '/Imported/classes/*'
        ($recreated | Sort-Object Path).Path | Should -Be @('/Imported/classes/Calendar', '/Imported/classes/Calendar/Team Events')
        $recreated | ForEach-Object { $_.Type | Should -Be 'IPF.Appointment' }
    }

    It 'imports nothing with -WhatIf' {
        $source = $script:alice | Get-ExMailboxFolder -WellKnownName drafts | Get-ExMailboxItem | Export-ExMailboxItem
        $source | Import-ExMailboxItem -TargetMailbox $script:bob -TargetWellKnownName drafts -WhatIf | Should -BeNullOrEmpty
    }
}
