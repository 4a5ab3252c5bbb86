# MailboxImportExport.TestSupport: the emulator for a test. Start-ExEmulator starts mailbox-emulator (the .NET tool,
# or a build named by -EmulatorPath), connects the session to it and returns its address; the other functions read
# and switch what it exposes under /emulator/ (request log, statistics, faults). Stop-ExEmulator (AfterAll) stops it
# and removes what it wrote. Keeps to what Windows PowerShell 5.1 supports.

$script:Started = [System.Collections.Generic.List[object]]::new()

function Start-ExEmulator {
    <#
    .SYNOPSIS
        Starts a mailbox emulator for a test and connects this session to it.
    .DESCRIPTION
        Starts the emulator on a free loopback port with the demo tenant, an empty one, or a seed you write (a
        .json file, or a hashtable of the same shape), waits until it listens, runs
        Connect-ExMailboxService -Emulator <its address> unless -NoConnect is given, and returns an object with Uri,
        Connection, Process and Seed. The emulator is mailbox-emulator from PATH (dotnet tool install --global
        MailboxImportExport.Emulator), or -EmulatorPath, or $env:MAILBOXIMPORTEXPORT_EMULATOR_PATH.
    .PARAMETER Seed
        demo (default), empty, the path of a seed file (*.json), or a hashtable with the seed file's shape.
    .PARAMETER Latency
        Service time of every mailbox request, in milliseconds.
    .PARAMETER OutlookLimits
        Outlook's limits per app and mailbox (4 in flight, 10,000 requests per 10 minutes, 150 MB per 5 minutes). The emulator
        enforces them by default, so this switch only says so; to test without them, pass -ArgumentList '--no-limits'.
    .PARAMETER Faults
        Faults to inject from the start, as the emulator's --faults takes them: 'import:503=2' or 'import:503=10%'.
    .PARAMETER ArgumentList
        Any other emulator option, such as '--request-limit', '20/1'.
    .EXAMPLE
        $emulator = Start-ExEmulator -Seed ./tenant.json
        Get-ExMailbox dave@contoso.test
    #>
    [CmdletBinding()]
    param(
        [Parameter(Position = 0)]
        [object] $Seed = 'demo',
        [string] $EmulatorPath,
        [ValidateRange(0, 600000)]
        [int] $Latency = 0,
        [switch] $OutlookLimits,
        [string] $Faults,
        [int] $FaultSeed = 1,
        [string[]] $ArgumentList = @(),
        [switch] $NoConnect,
        [ValidateRange(1, 3600)]
        [int] $TimeoutSeconds = 120
    )
    $command = @(Resolve-EmulatorCommand -EmulatorPath $EmulatorPath)
    $seedFile = $null
    if ($Seed -is [System.Collections.IDictionary]) {
        $seedFile = [System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), "mie-seed-$([guid]::NewGuid().ToString('N')).json")
        [System.IO.File]::WriteAllText($seedFile, (Microsoft.PowerShell.Utility\ConvertTo-Json -InputObject $Seed -Depth 20))
        $seedArgument = $seedFile
    }
    elseif ("$Seed" -like '*.json') {
        $seedArgument = $PSCmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath("$Seed")
    }
    else {
        $seedArgument = "$Seed"
    }

    $arguments = @($command | Microsoft.PowerShell.Utility\Select-Object -Skip 1) + @('--port', '0', '--seed', $seedArgument)
    if ($Latency -gt 0) { $arguments += @('--latency', "$Latency") }
    if ($OutlookLimits) { $arguments += '--outlook-limits' }
    if ($Faults) { $arguments += @('--faults', $Faults, '--fault-seed', "$FaultSeed") }
    $arguments += $ArgumentList

    $start = New-Object System.Diagnostics.ProcessStartInfo
    $start.FileName = $command[0]
    $start.Arguments = ($arguments | Microsoft.PowerShell.Core\ForEach-Object { ConvertTo-ProcessArgument $_ }) -join ' '
    $start.UseShellExecute = $false
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $start.CreateNoWindow = $true
    Write-Verbose "Starting $($start.FileName) $($start.Arguments)"
    $process = [System.Diagnostics.Process]::Start($start)
    $errors = $process.StandardError.ReadToEndAsync()

    $uri = $null
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ($null -eq $uri -and [DateTime]::UtcNow -lt $deadline) {
        $read = $process.StandardOutput.ReadLineAsync()
        if (-not $read.Wait($deadline - [DateTime]::UtcNow) -or $null -eq $read.Result) { break }
        if ($read.Result -match 'Emulator listening on (https://127\.0\.0\.1:\d+/)') { $uri = [uri]$Matches[1] }
    }
    if ($null -eq $uri) {
        if (-not $process.HasExited) { $process.Kill() }
        $process.WaitForExit()
        if ($seedFile) { [System.IO.File]::Delete($seedFile) }
        $message = if ($errors.Wait(5000)) { $errors.Result.Trim() } else { '' }
        throw "The emulator did not start$(if ($process.ExitCode -eq 2) { '' } else { " within $TimeoutSeconds seconds" }): $message"
    }
    # Nothing else is read from its output: drain it, so that the emulator never blocks on a full pipe.
    $null = $process.StandardOutput.ReadToEndAsync()

    $emulator = [pscustomobject]@{
        PSTypeName = 'MailboxImportExport.TestSupport.Emulator'
        Uri        = $uri
        Seed       = $seedArgument
        Process    = $process
        Connection = $null
        SeedFile   = $seedFile
    }
    $script:Started.Add($emulator)
    if (-not $NoConnect) {
        MailboxImportExport\Connect-ExMailboxService -Emulator $uri
        $emulator.Connection = MailboxImportExport\Get-ExConnection
    }
    $emulator
}

function Stop-ExEmulator {
    <#
    .SYNOPSIS
        Stops emulators started by Start-ExEmulator (all of them by default) and removes what they wrote.
    .EXAMPLE
        AfterAll { Stop-ExEmulator }
    #>
    [CmdletBinding()]
    param(
        [Parameter(ValueFromPipeline)]
        [object] $Emulator
    )
    process {
        $targets = if ($Emulator) { @($Emulator) } else { @($script:Started.ToArray()) }
        foreach ($target in $targets) {
            if ($target.Connection) {
                $current = MailboxImportExport\Get-ExConnection -ErrorAction SilentlyContinue
                if ($current -and "$($current.GraphEndpoint)".StartsWith("$($target.Uri)")) {
                    MailboxImportExport\Disconnect-ExMailboxService -ErrorAction SilentlyContinue
                }
            }
            if (-not $target.Process.HasExited) {
                $target.Process.Kill()
            }
            $target.Process.WaitForExit()
            $target.Process.Dispose()
            if ($target.SeedFile -and [System.IO.File]::Exists($target.SeedFile)) { [System.IO.File]::Delete($target.SeedFile) }
            $null = $script:Started.Remove($target)
        }
    }
}

function Get-ExEmulatorRequest {
    <#
    .SYNOPSIS
        The requests the emulator answered, oldest first: Method, Path, Query, StatusCode, Route, MailboxId, Fault, Throttled.
    .DESCRIPTION
        Route is import, export, session, items, folders, mailbox, settings, identity or other. Tokens and the import
        URLs' authtoken never appear. Use it to assert what a script did: that it retried (a fault, then the same
        request again), that it never touched a folder (no Path holds its id), that it imported each item once.
    .EXAMPLE
        Get-ExEmulatorRequest -Route import | Where-Object StatusCode -eq 200
    #>
    [CmdletBinding()]
    param(
        [object] $Emulator,
        [ValidateSet('import', 'export', 'session', 'items', 'folders', 'mailbox', 'settings', 'identity', 'other')]
        [string[]] $Route
    )
    foreach ($entry in @(Invoke-EmulatorControl -Emulator $Emulator -Method Get -Name requests)) {
        if ($Route -and $Route -notcontains $entry.route) { continue }
        $entry.PSObject.TypeNames.Insert(0, 'MailboxImportExport.TestSupport.Request')
        $entry
    }
}

function Clear-ExEmulatorRequest {
    <#
    .SYNOPSIS
        Forgets the requests answered so far and zeroes the statistics, so that a test sees only what comes next.
    #>
    [CmdletBinding()]
    param([object] $Emulator)
    Invoke-EmulatorControl -Emulator $Emulator -Method Delete -Name requests
    Invoke-EmulatorControl -Emulator $Emulator -Method Delete -Name statistics
}

function Get-ExEmulatorStatistic {
    <#
    .SYNOPSIS
        What the emulator counted: FaultsInjected and Throttled by name, MaxInFlight per lane, ImportsCreated and
        ImportsUpdated per target folder id, TotalImportsCreated, late commits.
    #>
    [CmdletBinding()]
    param([object] $Emulator)
    Invoke-EmulatorControl -Emulator $Emulator -Method Get -Name statistics
}

function Set-ExEmulatorFault {
    <#
    .SYNOPSIS
        Injects faults from now on, as the emulator's --faults takes them (replacing those set before).
    .EXAMPLE
        Set-ExEmulatorFault 'import:503=2'        # the next two imports answer 503 with Retry-After
    .EXAMPLE
        Set-ExEmulatorFault 'export:504=20%' -Seed 7
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory, Position = 0)]
        [string] $Spec,
        [int] $Seed = 1,
        [object] $Emulator
    )
    if ($PSCmdlet.ShouldProcess($Spec, 'Inject emulator faults')) {
        Invoke-EmulatorControl -Emulator $Emulator -Method Put -Name faults -Body @{ spec = $Spec; seed = $Seed }
    }
}

function Clear-ExEmulatorFault {
    <#
    .SYNOPSIS
        Stops injecting faults.
    #>
    [CmdletBinding()]
    param([object] $Emulator)
    Invoke-EmulatorControl -Emulator $Emulator -Method Delete -Name faults
}

function Resolve-EmulatorCommand {
    param([string] $EmulatorPath)
    if (-not $EmulatorPath) { $EmulatorPath = $env:MAILBOXIMPORTEXPORT_EMULATOR_PATH }
    if (-not $EmulatorPath) {
        $installed = Microsoft.PowerShell.Core\Get-Command -Name mailbox-emulator -CommandType Application -ErrorAction SilentlyContinue |
            Microsoft.PowerShell.Utility\Select-Object -First 1
        if ($installed) { $EmulatorPath = $installed.Source }
    }
    if (-not $EmulatorPath) {
        throw 'mailbox-emulator is not installed. Install it with: dotnet tool install --global MailboxImportExport.Emulator (or pass -EmulatorPath).'
    }
    if (-not [System.IO.File]::Exists($EmulatorPath)) {
        throw "The emulator '$EmulatorPath' does not exist. Pass -EmulatorPath with the mailbox-emulator command or MailboxImportExport.Emulator.dll."
    }
    if ($EmulatorPath.EndsWith('.dll', [System.StringComparison]::OrdinalIgnoreCase)) { @('dotnet', $EmulatorPath) } else { @($EmulatorPath) }
}

function ConvertTo-ProcessArgument {
    param([string] $Value)
    if ($Value -and $Value -notmatch '[\s"]') { return $Value }
    '"' + ($Value -replace '(\\*)"', '$1$1\"' -replace '(\\+)$', '$1$1') + '"'
}

function Invoke-EmulatorControl {
    param([object] $Emulator, [string] $Method, [string] $Name, [hashtable] $Body)
    if (-not $Emulator) {
        if ($script:Started.Count -eq 0) { throw 'No emulator is running: start one with Start-ExEmulator, or pass -Emulator.' }
        $Emulator = $script:Started[$script:Started.Count - 1]
    }
    $parameters = @{ Method = $Method; Uri = "$($Emulator.Uri)emulator/$Name"; ErrorAction = 'Stop' }
    if ($Body) {
        $parameters.Body = Microsoft.PowerShell.Utility\ConvertTo-Json -InputObject $Body -Compress
        $parameters.ContentType = 'application/json'
    }
    if ($PSVersionTable.PSVersion.Major -ge 6) {
        # The emulator's certificate is self-signed and new at every start; this goes only to the loopback address it printed.
        $parameters.SkipCertificateCheck = $true
        Microsoft.PowerShell.Utility\Invoke-RestMethod @parameters
        return
    }
    $previous = Enable-LoopbackCertificate
    try { Microsoft.PowerShell.Utility\Invoke-RestMethod @parameters }
    finally { [System.Net.ServicePointManager]::ServerCertificateValidationCallback = $previous }
}

# Windows PowerShell 5.1 has no -SkipCertificateCheck: accept the emulator's certificate for loopback requests only,
# for the duration of one call.
function Enable-LoopbackCertificate {
    if (-not ('MailboxImportExport.TestSupport.LoopbackCertificate' -as [type])) {
        Microsoft.PowerShell.Utility\Add-Type -TypeDefinition @'
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
namespace MailboxImportExport.TestSupport {
    public static class LoopbackCertificate {
        public static RemoteCertificateValidationCallback Enable() {
            var previous = ServicePointManager.ServerCertificateValidationCallback;
            ServicePointManager.SecurityProtocol |= SecurityProtocolType.Tls12;
            ServicePointManager.ServerCertificateValidationCallback = Accept;
            return previous;
        }
        private static bool Accept(object sender, X509Certificate certificate, X509Chain chain, SslPolicyErrors errors) {
            var request = sender as HttpWebRequest;
            return errors == SslPolicyErrors.None || (request != null && request.RequestUri.IsLoopback);
        }
    }
}
'@
    }
    [MailboxImportExport.TestSupport.LoopbackCertificate]::Enable()
}

Export-ModuleMember -Function Start-ExEmulator, Stop-ExEmulator, Get-ExEmulatorRequest, Clear-ExEmulatorRequest, Get-ExEmulatorStatistic, Set-ExEmulatorFault, Clear-ExEmulatorFault
