<#
.SYNOPSIS
    Copies alice's Inbox into bob's mailbox as a job with a journal, then runs the same command again: the second
    run copies nothing, makes no export or import call, and its summary says every item was skipped.
.DESCRIPTION
    This is what a scheduled copy does every night: the journal remembers what was copied, so a run costs what
    changed since the last one, and a run that was killed is finished by the next without a second copy of anything.
.PARAMETER Emulator
    The emulator's base URL, as it printed when it started (https://127.0.0.1:<port>/).
#>
param(
    [Parameter(Mandatory)]
    [uri] $Emulator
)

Connect-ExMailboxService -Emulator $Emulator
$journal = [System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), "alice-to-bob-$([guid]::NewGuid()).journal")
try {
    $first = Copy-ExMailbox alice@contoso.test bob@contoso.test -IncludeFolder '#Inbox#' -TargetRootPath /Copied/alice -JournalPath $journal
    "First run: $($first.Copied) copied, $($first.Skipped) skipped, $($first.Failed) failed."

    $again = Copy-ExMailbox alice@contoso.test bob@contoso.test -IncludeFolder '#Inbox#' -TargetRootPath /Copied/alice -JournalPath $journal
    "Second run: $($again.Copied) copied, $($again.Updated) updated, $($again.Skipped) skipped, $($again.Failed) failed."
    if ($again.Copied -ne 0 -or $again.Skipped -ne $first.Copied) { throw 'The second run should have skipped every item.' }
    $again

    'Where the job stands:'
    Get-ExCopyStatistics -JournalPath $journal
}
finally {
    foreach ($file in [System.IO.Directory]::GetFiles([System.IO.Path]::GetTempPath(), [System.IO.Path]::GetFileName($journal) + '*')) {
        [System.IO.File]::Delete($file)
    }
}
