using MailboxImportExport.Emulator;

namespace MailboxImportExport.Module.Tests;

/// <summary>What the token renewal tests share: a run that outlasts several short-lived tokens, and its check.</summary>
internal static class LongRun
{
    /// <summary>A script that lists two inbox items of alice every 0.7 s for the given time, writing their ids.</summary>
    public static string ListingInboxFor(int seconds) => $$"""
        $mailbox = Get-ExMailbox alice@contoso.test
        $until = [DateTime]::UtcNow.AddSeconds({{seconds}})
        while ([DateTime]::UtcNow -lt $until) {
            $mailbox | Get-ExMailboxFolder -WellKnownName inbox | Get-ExMailboxItem -First 2 | ForEach-Object { $_.Id }
            [System.Threading.Thread]::Sleep(700)
        }
        """;

    /// <summary>
    /// Renewal happens before expiry, not after a refusal: a 401 could only come from a call delayed past the token's
    /// few seconds on a loaded machine (and is then retried with a new token), so at most one is tolerated.
    /// </summary>
    public static void AssertNoCallWasRefused(IReadOnlyList<EmulatorRequestLogEntry> requests) =>
        Assert.True(requests.Count(r => r.StatusCode == 401) <= 1,
            string.Join("\n", requests.Select(r => $"{r.Timestamp:HH:mm:ss.fff} {r.Method} {r.Path} {r.StatusCode}")));
}
