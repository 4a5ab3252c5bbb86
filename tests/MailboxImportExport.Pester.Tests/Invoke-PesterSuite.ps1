# Runs Pester suites in this pwsh and writes their counts, and what failed, to a JSON file for the xunit test
# that started it (PesterSuiteTests). The module under test is named by $env:MAILBOXIMPORTEXPORT_MODULE_PATH.
param(
    [Parameter(Mandatory)]
    [string] $PesterManifest,
    # The test files, separated by the platform's path separator (-File passes no arrays).
    [Parameter(Mandatory)]
    [string] $Path,
    [Parameter(Mandatory)]
    [string] $SummaryPath
)
$ErrorActionPreference = 'Stop'
$PSStyle.OutputRendering = 'PlainText'
Import-Module -Name $PesterManifest
# The laid-out modules (MailboxImportExport and MailboxImportExport.TestSupport, side by side) import by name, as
# installed ones do: <root>/MailboxImportExport/<version>/MailboxImportExport.psd1.
$moduleRoot = Split-Path -Path (Split-Path -Path (Split-Path -Path $env:MAILBOXIMPORTEXPORT_MODULE_PATH -Parent) -Parent) -Parent
$env:PSModulePath = $moduleRoot + [System.IO.Path]::PathSeparator + $env:PSModulePath

$configuration = New-PesterConfiguration
$configuration.Run.Path = $Path.Split([System.IO.Path]::PathSeparator)
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = 'Detailed'
$configuration.Output.RenderMode = 'Plaintext'
$result = Invoke-Pester -Configuration $configuration

function Get-FailureText($ErrorRecords) {
    # Pester's own frames say nothing about the test.
    @($ErrorRecords | ForEach-Object {
            $frames = @("$($_.ScriptStackTrace)" -split "`n" | Where-Object { $_ -notmatch 'Pester\.ps(m)?1: line' })
            "$_`n$($frames -join "`n")"
        }) -join "`n"
}

[ordered]@{
    PesterVersion    = (Get-Module -Name Pester).Version.ToString()
    Result           = "$($result.Result)"
    Total            = $result.TotalCount
    Passed           = $result.PassedCount
    Failed           = $result.FailedCount
    Skipped          = $result.SkippedCount
    NotRun           = $result.NotRunCount
    FailedBlocks     = $result.FailedBlocksCount
    FailedContainers = $result.FailedContainersCount
    DurationSeconds  = [math]::Round($result.Duration.TotalSeconds, 1)
    Files            = @(
        foreach ($container in $result.Containers) {
            [ordered]@{
                Name = [System.IO.Path]::GetFileName("$($container.Item)"); Result = "$($container.Result)"
                Passed = $container.PassedCount; Failed = $container.FailedCount; Skipped = $container.SkippedCount
                NotRun = $container.NotRunCount; DurationSeconds = [math]::Round($container.Duration.TotalSeconds, 1)
            }
        }
    )
    Failures         = @(
        foreach ($test in $result.Failed) { [ordered]@{ Name = $test.ExpandedPath; Error = Get-FailureText $test.ErrorRecord } }
        foreach ($block in $result.FailedBlocks) { [ordered]@{ Name = "$($block.Path -join ' ') (set-up or tear-down)"; Error = Get-FailureText $block.ErrorRecord } }
        foreach ($container in $result.FailedContainers) { [ordered]@{ Name = "$($container.Item) (the file)"; Error = Get-FailureText $container.ErrorRecord } }
    )
} | ConvertTo-Json -Depth 4 | Set-Content -LiteralPath $SummaryPath -Encoding utf8
