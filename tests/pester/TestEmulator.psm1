# Starts and stops a demo emulator for Pester runs: a child process on a free port, its URL read from the
# line it prints when it is ready.

function Start-TestEmulator {
    [CmdletBinding()]
    param(
        [string] $Configuration = 'Release',
        # Also return the IDENTITY_ENDPOINT and IDENTITY_HEADER values of the emulator's managed identity endpoint.
        [switch] $ManagedIdentity,
        # More emulator options, such as '--app-certificate', $clientId, $cerFile.
        [string[]] $ArgumentList = @()
    )
    # Set by the test run (tests/MailboxImportExport.Pester.Tests); otherwise the emulator's build in this repository.
    $emulatorDll = $env:MAILBOXIMPORTEXPORT_EMULATOR_PATH
    if (-not $emulatorDll) {
        $repoRoot = Microsoft.PowerShell.Management\Resolve-Path -LiteralPath "$PSScriptRoot/../.."
        $emulatorDll = [System.IO.Path]::Combine($repoRoot, 'src', 'MailboxImportExport.Emulator', 'bin', $Configuration, 'net10.0', 'MailboxImportExport.Emulator.dll')
    }
    if (-not [System.IO.File]::Exists($emulatorDll)) {
        throw "The emulator is not built at $emulatorDll. Run ./build.ps1 -Task Build -Configuration $Configuration first."
    }

    $startInfo = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    $arguments = @($emulatorDll, '--port', '0', '--seed', 'demo', '--device-code-interval', '1')
    if ($ManagedIdentity) { $arguments += '--managed-identity' }
    $arguments += $ArgumentList
    foreach ($argument in $arguments) { $startInfo.ArgumentList.Add($argument) }
    $startInfo.RedirectStandardOutput = $true
    $startInfo.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($startInfo)

    $variables = @{}
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    while ([DateTime]::UtcNow -lt $deadline) {
        $line = $process.StandardOutput.ReadLine()
        if ($null -eq $line) { break }
        if ($line -match '^(IDENTITY_ENDPOINT|IDENTITY_HEADER)=(.+)$') {
            $variables[$Matches[1]] = $Matches[2]
        }
        elseif ($line -match '(https://127\.0\.0\.1:\d+/)') {
            return [pscustomobject]@{
                Process          = $process
                Uri              = [uri]$Matches[1]
                IdentityEndpoint = $variables['IDENTITY_ENDPOINT']
                IdentityHeader   = $variables['IDENTITY_HEADER']
            }
        }
    }
    $process.Kill()
    throw 'The emulator did not report its address within 60 seconds.'
}

function Stop-TestEmulator {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        $Emulator
    )
    if (-not $Emulator.Process.HasExited) {
        $Emulator.Process.Kill()
        $Emulator.Process.WaitForExit()
    }
}

# The shared set-up of every test file: the module under test, a demo emulator, and a connection to it.
function Initialize-TestSession {
    [CmdletBinding()]
    param()
    Microsoft.PowerShell.Core\Import-Module $env:MAILBOXIMPORTEXPORT_MODULE_PATH -Force -ErrorAction Stop -Global
    $emulator = Start-TestEmulator
    MailboxImportExport\Connect-ExMailboxService -Emulator $emulator.Uri
    $emulator
}

function Complete-TestSession {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        $Emulator
    )
    MailboxImportExport\Disconnect-ExMailboxService
    Stop-TestEmulator -Emulator $Emulator
    Microsoft.PowerShell.Core\Remove-Module MailboxImportExport -ErrorAction SilentlyContinue
}

# The command line that starts another process of the PowerShell running this one. pwsh installed as a .NET tool
# runs as "dotnet pwsh.dll": the process is dotnet, and pwsh.dll is its first argument.
function Get-PowerShellCommand {
    [CmdletBinding()]
    param()
    $process = [System.Diagnostics.Process]::GetCurrentProcess().MainModule.FileName
    if ([System.IO.Path]::GetFileNameWithoutExtension($process) -eq 'dotnet') {
        @($process, [System.Environment]::GetCommandLineArgs()[0])
    }
    else {
        @($process)
    }
}

Export-ModuleMember -Function Get-PowerShellCommand, Start-TestEmulator, Stop-TestEmulator, Initialize-TestSession, Complete-TestSession
