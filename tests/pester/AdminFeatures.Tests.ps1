#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# What admins rely on when they address mailboxes, folders and items: archives, the whole tenant, folder paths,
# received-date ranges, user principal names in place of mailbox ids, and auto-expanded archives (redirects).
# Run by dotnet test (tests/MailboxImportExport.Pester.Tests), which sets MAILBOXIMPORTEXPORT_MODULE_PATH to the laid-out module.

BeforeAll {
    Import-Module "$PSScriptRoot/TestEmulator.psm1" -Force
    $script:emulator = Initialize-TestSession
}

AfterAll {
    Complete-TestSession -Emulator $script:emulator
    Remove-Module TestEmulator -ErrorAction SilentlyContinue
}

Describe 'Get-ExMailbox -Archive' {
    AfterAll { Connect-ExMailboxService -Emulator $script:emulator.Uri }

    It 'gives one mailbox per user, the primary, on both API versions' {
        foreach ($version in 'v1.0', 'beta') {
            Connect-ExMailboxService -Emulator $script:emulator.Uri -ApiVersion $version
            @(Get-ExMailbox alice@contoso.test).Count | Should -Be 1
            (Get-ExMailbox alice@contoso.test).Kind | Should -Be 'Primary'
        }
    }

    It 'returns the archive, and an error naming a user without one' {
        Connect-ExMailboxService -Emulator $script:emulator.Uri -ApiVersion beta
        $archives = Get-ExMailbox alice@contoso.test, bob@contoso.test -Archive -ErrorVariable failures -ErrorAction SilentlyContinue

        $archives.UserId | Should -Be 'alice@contoso.test'
        $archives.Kind | Should -Be 'Archive'
        $archives.MailboxId | Should -Not -Be (Get-ExMailbox alice@contoso.test).MailboxId
        $failures | Should -HaveCount 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'ArchiveNotFound,*'
        $failures[0].TargetObject | Should -Be 'bob@contoso.test'
    }

    It 'says to connect to beta when the session is on v1.0' {
        Connect-ExMailboxService -Emulator $script:emulator.Uri
        { Get-ExMailbox alice@contoso.test -Archive -ErrorAction Stop } | Should -Throw '*-ApiVersion beta*'
    }
}

Describe 'Get-ExMailbox -All' {
    It 'lists every mailbox of the tenant, leaving out users without one' {
        (Get-ExMailbox -All).UserId | Should -Be @('alice@contoso.test', 'bob@contoso.test')
    }

    It 'filters on the users and pages through them' {
        (Get-ExMailbox -All -Filter "startswith(userPrincipalName,'b')").UserId | Should -Be 'bob@contoso.test'
        (Get-ExMailbox -All -Skip 1 -First 1).UserId | Should -Be 'bob@contoso.test'
        (Get-ExMailbox -All -PageSize 1).UserId | Should -Be @('alice@contoso.test', 'bob@contoso.test')
    }
}

Describe 'Get-ExMailboxFolder -Path' {
    It 'finds folders by a path whose names may hold wildcards' {
        (Get-ExMailboxFolder -MailboxId alice@contoso.test -Path '/Inbox/Proj*').Path | Should -Be '/Inbox/Projects'
        (Get-ExMailboxFolder -MailboxId alice@contoso.test -Path '/Inbox/Projects/2026').Path | Should -Be '/Inbox/Projects/2026'
    }

    It 'returns nothing for a pattern that matches nothing, and FolderNotFound for a missing plain path' {
        Get-ExMailboxFolder -MailboxId alice@contoso.test -Path '/Inbox/Nothing*' | Should -BeNullOrEmpty
        Get-ExMailboxFolder -MailboxId alice@contoso.test -Path '/Inbox/Nothing' -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'FolderNotFound,*'
    }
}

Describe 'Get-ExMailboxFolder -LiteralPath' {
    BeforeAll {
        $null = New-ExMailboxFolder -MailboxId bob@contoso.test -Path '/PesterLiteral/a[1]*b'
        $null = New-ExMailboxFolder -MailboxId bob@contoso.test -Path '/PesterLiteral/x\/y'
        $null = New-ExMailboxFolder -MailboxId bob@contoso.test -Path '/PesterLiteral/ spaced '
    }

    It 'takes brackets and asterisks as they are written' {
        (Get-ExMailboxFolder -MailboxId bob@contoso.test -LiteralPath '/PesterLiteral/a[1]*b').DisplayName | Should -Be 'a[1]*b'
        (Get-ExMailboxFolder -MailboxId bob@contoso.test -LiteralName 'a[1]*b' -Recurse).Path | Should -Be '/PesterLiteral/a[1]*b'
    }

    It 'reads \/ as a slash inside a name and keeps spaces' {
        (Get-ExMailboxFolder -MailboxId bob@contoso.test -LiteralPath '/PesterLiteral/x\/y').DisplayName | Should -Be 'x/y'
        (Get-ExMailboxFolder -MailboxId bob@contoso.test -LiteralPath '/PesterLiteral/ spaced ').DisplayName | Should -Be ' spaced '
    }
}

Describe 'Get-ExMailboxItem -ReceivedAfter' {
    It 'returns the items received in the range, as Where-Object on ReceivedDateTime would' {
        $all = Get-ExMailboxItem -MailboxId alice@contoso.test -FolderId inbox
        $after = [datetimeoffset]'2025-10-01T00:00:00Z'
        $before = [datetimeoffset]'2026-02-01T00:00:00Z'
        $expected = $all | Where-Object { $_.ReceivedDateTime -ge $after -and $_.ReceivedDateTime -lt $before }

        $inRange = Get-ExMailboxItem -MailboxId alice@contoso.test -FolderId inbox -ReceivedAfter $after -ReceivedBefore $before

        $expected | Should -Not -BeNullOrEmpty
        @($inRange).Count | Should -BeLessThan @($all).Count
        ($inRange.Id | Sort-Object) | Should -Be ($expected.Id | Sort-Object)
        $inRange | ForEach-Object { $_.Subject | Should -Not -BeNullOrEmpty }
    }
}

Describe 'User principal names wherever a mailbox is expected' {
    It 'resolves a user principal name in -MailboxId and -TargetMailboxId' {
        $inbox = Get-ExMailboxFolder -MailboxId alice@contoso.test -WellKnownName inbox
        $item = Get-ExMailboxItem -MailboxId alice@contoso.test -FolderId inbox -First 1
        $result = Export-ExMailboxItem -MailboxId alice@contoso.test -ItemId $item.Id |
            Import-ExMailboxItem -TargetMailboxId bob@contoso.test -TargetWellKnownName inbox

        $inbox.MailboxId | Should -Be (Get-ExMailbox alice@contoso.test).MailboxId
        $result.SourceItemId | Should -Be $item.Id
        (New-ExImportSession bob@contoso.test).MailboxId | Should -Be (Get-ExMailbox bob@contoso.test).MailboxId
    }

    It 'names a value that is neither a mailbox id nor a user' {
        Get-ExMailboxItem -MailboxId nobody@contoso.test -FolderId inbox -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'MailboxNotFound,*'
        "$($failures[0])" | Should -BeLike "*'nobody@contoso.test' is not a mailbox id*"
    }
}

Describe 'Archive redirects' {
    BeforeAll { Connect-ExMailboxService -Emulator $script:emulator.Uri -ApiVersion beta }
    AfterAll { Connect-ExMailboxService -Emulator $script:emulator.Uri }

    It 'reads a folder that lives in the auxiliary archive, bouncing once per folder' {
        $folder = Get-ExMailbox alice@contoso.test -Archive | Get-ExMailboxFolder -LiteralPath '/Old Mail'
        $first = $folder | Get-ExMailboxItem -Verbose 4>&1
        $second = $folder | Get-ExMailboxItem -Verbose 4>&1

        @($first | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like '*redirected*' }).Count | Should -BeGreaterThan 0
        @($second | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like '*redirected*' }).Count | Should -Be 0
        @($first | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }).Count | Should -Be 10
    }

    It 'copies an archive with a moved folder, every item once' {
        $items = Get-ExMailbox alice@contoso.test -Archive | Get-ExMailboxFolder -Recurse | Get-ExMailboxItem
        $results = $items | Export-ExMailboxItem |
            Import-ExMailboxItem -TargetMailboxId bob@contoso.test -PreserveFolderStructure -TargetRootPath /PesterFromArchive -ErrorVariable failures

        $failures | Should -BeNullOrEmpty
        ($results.SourceItemId | Sort-Object) | Should -Be ($items.Id | Sort-Object)
        (Get-ExMailboxFolder -MailboxId bob@contoso.test -LiteralPath '/PesterFromArchive/Old Mail').TotalItemCount | Should -Be 10
    }
}
