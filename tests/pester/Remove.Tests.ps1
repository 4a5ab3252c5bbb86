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

Describe 'Remove-ExMailboxItem' {
    It 'deletes nothing with -WhatIf, then soft-deletes into Recoverable Items' {
        $junk = $script:alice | Get-ExMailboxFolder -WellKnownName junkemail
        $items = @($junk | Get-ExMailboxItem -First 2)
        $before = @($junk | Get-ExMailboxItem).Count

        $items | Remove-ExMailboxItem -WhatIf
        @($junk | Get-ExMailboxItem).Count | Should -Be $before

        $items | Remove-ExMailboxItem
        $left = @($junk | Get-ExMailboxItem)
        $left.Count | Should -Be ($before - 2)
        $left.Id | Should -Not -Contain $items[0].Id
    }

    It 'refuses to hard-delete in a session that cannot ask, and deletes with -Force' {
        $drafts = $script:bob | Get-ExMailboxFolder -WellKnownName sentitems
        $item = $drafts | Get-ExMailboxItem -First 1
        # A non-interactive pwsh cannot prompt: the High-impact question becomes an error, and nothing is deleted.
        { $item | Remove-ExMailboxItem -DisposalType HardDelete -ErrorAction Stop } | Should -Throw
        ($drafts | Get-ExMailboxItem).Id | Should -Contain $item.Id

        $item | Remove-ExMailboxItem -DisposalType HardDelete -Force
        ($drafts | Get-ExMailboxItem).Id | Should -Not -Contain $item.Id
    }

    It 'reports an unknown item as a non-terminating error and deletes the others' {
        $inbox = $script:bob | Get-ExMailboxFolder -WellKnownName inbox
        $item = $inbox | Get-ExMailboxItem -First 1
        Remove-ExMailboxItem -ItemId 'AAMkADoesNotExist=', $item.Id -MailboxId $script:bob.MailboxId -FolderId $inbox.Id `
            -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures | Should -HaveCount 1
        "$($failures[0].TargetObject)" | Should -BeLike '*AAMkADoesNotExist=*'
        ($inbox | Get-ExMailboxItem).Id | Should -Not -Contain $item.Id
    }
}

Describe 'Remove-ExMailboxFolder' {
    It 'keeps the folder with -WhatIf and deletes it, subfolders included, with -Confirm:$false' {
        $null = $script:bob | New-ExMailboxFolder -Path /Pester/Remove/Child
        $parent = $script:bob | Get-ExMailboxFolder -Recurse | Where-Object Path -eq '/Pester/Remove'

        $parent | Remove-ExMailboxFolder -WhatIf
        ($script:bob | Get-ExMailboxFolder -Recurse).Path | Should -Contain '/Pester/Remove/Child'

        $removed = $parent | Remove-ExMailboxFolder -Confirm:$false -PassThru
        $removed.Path | Should -Be '/Pester/Remove'
        $paths = ($script:bob | Get-ExMailboxFolder -Recurse).Path
        $paths | Should -Contain '/Pester'
        $paths | Should -Not -Contain '/Pester/Remove'
        $paths | Should -Not -Contain '/Pester/Remove/Child'
    }
}
