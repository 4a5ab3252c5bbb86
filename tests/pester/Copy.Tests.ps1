#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Run through ./build.ps1 -Task Test, which sets MAILBOXIMPORTEXPORT_MODULE_PATH to the laid-out module.

BeforeAll {
    Import-Module "$PSScriptRoot/TestEmulator.psm1" -Force
    $script:emulator = Initialize-TestSession
    # TestDrive is the Describe's own: the journal outlives them all, so it lives in the file's folder.
    $script:folder = Join-Path ([IO.Path]::GetTempPath()) ('mie-pester-copy-' + [guid]::NewGuid().ToString('N'))
    $null = New-Item -ItemType Directory $script:folder
    $script:journal = Join-Path $script:folder 'copy.journal'
}

AfterAll {
    Remove-Item $script:folder -Recurse -Force -ErrorAction SilentlyContinue
    Complete-TestSession -Emulator $script:emulator
    Remove-Module TestEmulator -ErrorAction SilentlyContinue
}

Describe 'Copy-ExMailbox' {
    It 'copies a folder and, run again, skips every item' {
        $first = Copy-ExMailbox alice@contoso.test bob@contoso.test -IncludeFolder '#Drafts#' -TargetRootPath /Pester/copy -JournalPath $script:journal
        $first.Status | Should -Be 'Completed'
        $first.Copied | Should -BeGreaterThan 0
        $again = Copy-ExMailbox alice@contoso.test bob@contoso.test -IncludeFolder '#Drafts#' -TargetRootPath /Pester/copy -JournalPath $script:journal
        $again.Copied | Should -Be 0
        $again.Skipped | Should -Be $first.Copied
        $again.Pairs | Should -HaveCount 1
    }

    It 'says with -WhatIf what it would copy, update and skip, and copies nothing' {
        # What-if messages go to the host, which only a transcript records.
        $transcript = Join-Path $TestDrive 'whatif.txt'
        $null = Start-Transcript -Path $transcript
        try {
            $summary = Copy-ExMailbox alice@contoso.test bob@contoso.test -IncludeFolder '#Drafts#' -TargetRootPath /Pester/copy -JournalPath $script:journal -WhatIf
        }
        finally {
            $null = Stop-Transcript
        }
        Get-Content $transcript -Raw | Should -Match 'What if: .*Copy 0 item\(s\), update 0, skip \d+ already copied'
        $summary.Copied | Should -BeNullOrEmpty
    }

    It 'takes pairs from a CSV file, one row per pair, with a row each in the summary' {
        $csv = Join-Path $TestDrive 'pairs.csv'
        @(
            [pscustomobject]@{ SourceMailbox = 'alice@contoso.test'; TargetMailbox = 'bob@contoso.test'; TargetRootPath = '/Pester/csv/alice'; IncludeFolder = '#Drafts#' }
            [pscustomobject]@{ SourceMailbox = 'bob@contoso.test'; TargetMailbox = 'alice@contoso.test'; TargetRootPath = '/Pester/csv/bob'; IncludeFolder = '#SentItems#' }
        ) | Export-Csv -LiteralPath $csv -NoTypeInformation
        $journal = Join-Path $TestDrive 'csv.journal'

        $summary = Import-Csv -LiteralPath $csv | Copy-ExMailbox -JournalPath $journal -ThrottleLimit 2
        $summary.Status | Should -Be 'Completed'
        $summary.Pairs | Should -HaveCount 2
        $summary.Pairs | ForEach-Object { $_.Copied | Should -BeGreaterThan 0 }
        $again = Import-Csv -LiteralPath $csv | Copy-ExMailbox -JournalPath $journal
        $again.Copied | Should -Be 0
        $again.Skipped | Should -Be $summary.Copied
        $statistics = Get-ExCopyStatistics -JournalPath $journal -IncludeReport
        $statistics | Should -HaveCount 2
        # Each run's record: the last one skipped everything.
        $statistics[0].LastRun.Command | Should -Be 'Copy-ExMailbox'
        $statistics[0].LastRun.Skipped | Should -Be $summary.Copied
        $statistics[0].RunHistory.Copied | Should -Be @($summary.Copied, 0)
    }

    It 'keeps a named job in the jobs folder that MAILBOXIMPORTEXPORT_JOB_DIRECTORY names' {
        $saved = $env:MAILBOXIMPORTEXPORT_JOB_DIRECTORY
        $env:MAILBOXIMPORTEXPORT_JOB_DIRECTORY = Join-Path $TestDrive 'jobs'
        try {
            $summary = Copy-ExMailbox alice@contoso.test bob@contoso.test -IncludeFolder '#Drafts#' -TargetRootPath /Pester/named -JobName nightly
            $summary.JournalPath | Should -Be (Join-Path $TestDrive 'jobs' 'nightly.journal')
            (Get-ExCopyStatistics -JobName nightly).Copied | Should -Be $summary.Copied
        }
        finally {
            $env:MAILBOXIMPORTEXPORT_JOB_DIRECTORY = $saved
        }
    }

    It 'takes pairs by property name from the pipeline' {
        $pairs = [pscustomobject]@{ SourceMailbox = 'alice@contoso.test'; TargetMailbox = 'bob@contoso.test'; TargetRootPath = '/Pester/pairs'; IncludeFolder = '#Drafts#' }
        $summary = $pairs | Copy-ExMailbox -JournalPath (Join-Path $TestDrive 'pairs.journal')
        $summary.Pairs[0].TargetMailboxId | Should -Be (Get-ExMailbox bob@contoso.test).MailboxId
    }
}

Describe 'Get-ExCopyStatistics' {
    It 'reports the job per mailbox pair and folder' {
        $statistics = Get-ExCopyStatistics -JournalPath $script:journal -IncludeReport
        $statistics.Status | Should -Be 'Completed'
        $statistics.PercentComplete | Should -Be 100
        $statistics.Folders.FolderPath | Should -Contain '/Drafts'
        $statistics.FailedItems | Should -BeNullOrEmpty
    }

    It 'finds a pair by the name the copy was given or by its id, and lists the sources for a name it does not know' {
        $statistics = Get-ExCopyStatistics -JournalPath $script:journal -SourceMailbox alice@contoso.test
        $statistics.SourceName | Should -Be 'alice@contoso.test'
        $statistics.TargetName | Should -Be 'bob@contoso.test'
        $statistics.SourceMailboxId | Should -Be (Get-ExMailbox alice@contoso.test).MailboxId
        (Get-ExCopyStatistics -JournalPath $script:journal -SourceMailbox $statistics.SourceMailboxId).Copied | Should -Be $statistics.Copied
        { Get-ExCopyStatistics -JournalPath $script:journal -SourceMailbox carol@contoso.test -ErrorAction Stop } |
            Should -Throw -ErrorId 'SourceMailboxNotInJob*' -ExpectedMessage '*alice@contoso.test*'
    }

    It 'says clearly when the job has never run' {
        { Get-ExCopyStatistics -JournalPath (Join-Path $TestDrive 'never.journal') -ErrorAction Stop } | Should -Throw -ErrorId 'JobNotFound*'
    }
}

Describe 'Test-ExMailboxCopy' {
    It 'finds no difference in a whole copy' {
        Test-ExMailboxCopy -JournalPath $script:journal | Should -BeNullOrEmpty
    }
}
