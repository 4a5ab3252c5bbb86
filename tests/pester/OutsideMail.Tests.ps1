#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Run through ./build.ps1 -Task Test, which sets MAILBOXIMPORTEXPORT_MODULE_PATH to the laid-out module.

BeforeAll {
    Import-Module "$PSScriptRoot/TestEmulator.psm1" -Force
    $script:emulator = Initialize-TestSession
    $script:alice = Get-ExMailbox alice@contoso.test
    $script:bob = Get-ExMailbox bob@contoso.test

    function New-TestEml([string] $Path, [string] $Subject, [string] $Status = 'RO') {
        $text = @(
            'From: "Zoë Ångström" <zoe@fabrikam.test>'
            'To: "Bob Berg" <bob@contoso.test>'
            "Subject: $Subject"
            'Date: Wed, 28 Feb 2024 17:05:00 +0000'
            'Received: from mx.fabrikam.test by mx.contoso.test; Wed, 28 Feb 2024 17:08:00 +0000'
            "Status: $Status"
            'Message-ID: <' + [guid]::NewGuid() + '@fabrikam.test>'
            'MIME-Version: 1.0'
            'Content-Type: text/plain; charset=utf-8'
            ''
            'Hello from outside.'
        ) -join "`r`n"
        [System.IO.File]::WriteAllText($Path, $text, [System.Text.UTF8Encoding]::new($false))
    }
}

AfterAll {
    Complete-TestSession -Emulator $script:emulator
    Remove-Module TestEmulator -ErrorAction SilentlyContinue
}

Describe 'Import-ExMailMessage' {
    It 'brings .eml files in as received mail, read or unread as the file says' {
        $folder = Join-Path $TestDrive 'eml'
        $null = New-Item -ItemType Directory $folder
        New-TestEml (Join-Path $folder 'read.eml') 'Pester read'
        New-TestEml (Join-Path $folder 'unread.eml') 'Pester unread' -Status 'O'

        $results = Import-ExMailMessage -Path $folder -TargetMailbox $script:bob -TargetWellKnownName inbox

        $results | Should -HaveCount 2
        ($results | Where-Object Subject -eq 'Pester read').IsRead | Should -BeTrue
        ($results | Where-Object Subject -eq 'Pester unread').IsRead | Should -BeFalse
        $results | ForEach-Object { $_.ReceivedDateTime.UtcDateTime | Should -Be ([datetime]'2024-02-28T17:08:00Z').ToUniversalTime() }
    }

    It 'takes files from Get-ChildItem and reports bad ones without stopping' {
        $folder = Join-Path $TestDrive 'mixed'
        $null = New-Item -ItemType Directory $folder
        New-TestEml (Join-Path $folder 'good.eml') 'Pester good'
        Set-Content -LiteralPath (Join-Path $folder 'empty.eml') -Value $null -NoNewline
        $results = Get-ChildItem $folder -Filter *.eml | Import-ExMailMessage -TargetMailbox $script:bob -TargetWellKnownName inbox -ErrorVariable failed -ErrorAction SilentlyContinue
        $results.Subject | Should -Be 'Pester good'
        $failed | Should -HaveCount 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'NotAMessage*'
    }

    It 'imports .msg files, such as those Export-ExMailboxItem -Format Msg writes' {
        $export = Join-Path $TestDrive 'msg-export'
        $script:alice | Get-ExMailboxFolder -WellKnownName inbox | Get-ExMailboxItem -First 3 | Export-ExMailboxItem -Path $export -Format Msg
        $files = Get-ChildItem $export -Filter *.msg -Recurse
        $files | Should -HaveCount 3
        $results = $files | Import-ExMailMessage -TargetMailbox $script:bob -TargetWellKnownName inbox
        $results | Should -HaveCount 3
    }

    It 'skips, run again with -JournalPath, the files it imported, and updates the copy of a changed file' {
        $folder = Join-Path $TestDrive 'journalled'
        $journal = Join-Path $TestDrive 'mail.journal'
        $null = New-Item -ItemType Directory $folder
        New-TestEml (Join-Path $folder 'a.eml') 'Pester journal a'
        New-TestEml (Join-Path $folder 'b.eml') 'Pester journal b'
        $first = Import-ExMailMessage -Path $folder -TargetMailbox $script:bob -TargetWellKnownName inbox -JournalPath $journal
        $first | Should -HaveCount 2

        Import-ExMailMessage -Path $folder -TargetMailbox $script:bob -TargetWellKnownName inbox -JournalPath $journal -InformationVariable info |
            Should -BeNullOrEmpty
        ($info | Where-Object Tags -contains Summary).MessageData.Skipped | Should -Be 2

        New-TestEml (Join-Path $folder 'a.eml') 'Pester journal a, corrected'
        $changed = Import-ExMailMessage -Path $folder -TargetMailbox $script:bob -TargetWellKnownName inbox -JournalPath $journal
        $changed.Result | Should -Be 'Updated'
        $changed.ItemId | Should -Be ($first | Where-Object Subject -eq 'Pester journal a').ItemId
        (Get-ExCopyStatistics -JournalPath $journal).Copied | Should -Be 2
    }

    It 'creates nothing with -WhatIf' {
        $file = Join-Path $TestDrive 'preview.eml'
        New-TestEml $file 'Pester preview'
        Import-ExMailMessage -Path $file -TargetMailbox $script:bob -TargetWellKnownName inbox -WhatIf | Should -BeNullOrEmpty
    }
}

Describe 'Add-ExMailboxItemAttachment' {
    It 'attaches a small and a large file and outputs their names and sizes' {
        $eml = Join-Path $TestDrive 'carrier.eml'
        New-TestEml $eml 'Pester attachment carrier'
        $message = Import-ExMailMessage -Path $eml -TargetMailbox $script:bob -TargetWellKnownName inbox
        $small = Join-Path $TestDrive 'small.txt'
        Set-Content -LiteralPath $small -Value 'small file'
        $large = Join-Path $TestDrive 'large.bin'
        [System.IO.File]::WriteAllBytes($large, [byte[]]::new(5MB))

        $attached = Add-ExMailboxItemAttachment -UserId bob@contoso.test -MessageId $message.ItemId -Path $small, $large

        $attached | Should -HaveCount 2
        ($attached | Where-Object Name -eq 'large.bin').Size | Should -Be 5MB
        ($attached | Where-Object Name -eq 'large.bin').UploadedInChunks | Should -BeTrue
        ($attached | Where-Object Name -eq 'small.txt').UploadedInChunks | Should -BeFalse
    }

    It 'reports a message that does not exist' {
        $file = Join-Path $TestDrive 'x.txt'
        Set-Content -LiteralPath $file -Value 'x'
        Add-ExMailboxItemAttachment -UserId bob@contoso.test -MessageId 'AgAAAAAAAAAAAAAAAAAAAAAAAAA=' -Path $file -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}

Describe 'ConvertTo-ExMessageFile' {
    It 'turns an export folder into .eml files without the service' {
        $export = Join-Path $TestDrive 'fts'
        $script:alice | Get-ExMailboxFolder -WellKnownName inbox | Get-ExMailboxItem -First 5 | Export-ExMailboxItem -Path $export
        $files = ConvertTo-ExMessageFile -Path $export -Destination (Join-Path $TestDrive 'readable') -Format Eml
        $files | Should -HaveCount 5
        $files | ForEach-Object { $_.Extension | Should -Be '.eml' }
        $files | ForEach-Object { $_.DirectoryName | Should -BeLike '*Inbox' }
    }
}
