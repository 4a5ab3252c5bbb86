#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Run by dotnet test (tests/MailboxImportExport.Pester.Tests), which sets MAILBOXIMPORTEXPORT_MODULE_PATH to the laid-out module.
# The same as AssemblyIsolationTests in tests/MailboxImportExport.Module.Tests, in a real pwsh: the module is
# imported by a child pwsh that first loads an older Microsoft.Identity.Client, as Az or Microsoft.Graph would.

BeforeAll {
    Import-Module "$PSScriptRoot/TestEmulator.psm1" -Force
    $script:emulator = Start-TestEmulator
    $repoRoot = Microsoft.PowerShell.Management\Resolve-Path -LiteralPath "$PSScriptRoot/../.."
    # Downloaded and copied there by the test host project (tests/MailboxImportExport.TestHost).
    $configuration = if ($env:MAILBOXIMPORTEXPORT_CONFIGURATION) { $env:MAILBOXIMPORTEXPORT_CONFIGURATION } else { 'Release' }
    $script:conflictingMsal = [System.IO.Path]::Combine($repoRoot, 'tests', 'MailboxImportExport.TestHost', 'bin', $configuration, 'net10.0', 'ConflictingMsal', 'Microsoft.Identity.Client.dll')
    # pwsh itself, or "dotnet pwsh.dll" when PowerShell runs as a .NET tool.
    $command = @(Get-PowerShellCommand)
    $script:pwsh = $command[0]
    $script:pwshArguments = @($command | Select-Object -Skip 1)
}

AfterAll {
    Stop-TestEmulator -Emulator $script:emulator
    Remove-Module TestEmulator -ErrorAction SilentlyContinue
}

Describe 'Import-Module beside another Microsoft.Identity.Client' -Skip:($PSVersionTable.PSEdition -ne 'Core') {
    It 'signs in and keeps the module''s MSAL in its own load context' {
        $script = Join-Path $TestDrive 'other-msal-first.ps1'
        Set-Content -LiteralPath $script -Value @'
param([string] $ConflictingMsal, [string] $Manifest, [uri] $Emulator)
$ErrorActionPreference = 'Stop'
Add-Type -LiteralPath $ConflictingMsal
Import-Module $Manifest
$secret = [System.Net.NetworkCredential]::new('', 'emulator-demo-app-secret').SecurePassword
Connect-ExMailboxService -Emulator $Emulator -ClientSecret $secret -PassThru | ForEach-Object { "CONNECTED $($_.AuthMethod)" }
$mailbox = Get-ExMailbox alice@contoso.test
"MAILBOX $($mailbox.UserId) $($mailbox -is [MailboxImportExport.Engine.Models.ExMailbox])"
foreach ($assembly in [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Microsoft.Identity.Client' }) {
    'MSAL {0} {1}' -f $assembly.GetName().Version, [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($assembly).Name
}
'@
        $oldVersion = [System.Reflection.AssemblyName]::GetAssemblyName($script:conflictingMsal).Version
        $moduleFolder = Split-Path -Path $env:MAILBOXIMPORTEXPORT_MODULE_PATH -Parent
        $moduleVersion = [System.Reflection.AssemblyName]::GetAssemblyName((Join-Path $moduleFolder 'Dependencies/Microsoft.Identity.Client.dll')).Version

        $output = & $script:pwsh @script:pwshArguments -NoProfile -NonInteractive -File $script $script:conflictingMsal $env:MAILBOXIMPORTEXPORT_MODULE_PATH $script:emulator.Uri 2>&1

        $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")
        $output | Should -Contain 'CONNECTED ClientSecret'
        $output | Should -Contain 'MAILBOX alice@contoso.test True'
        $output | Should -Contain "MSAL $oldVersion Default"
        $output | Should -Contain "MSAL $moduleVersion MailboxImportExport"
    }
}
