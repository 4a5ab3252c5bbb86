#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Run by dotnet test (tests/MailboxImportExport.Pester.Tests), which sets MAILBOXIMPORTEXPORT_MODULE_PATH to the laid-out module.

BeforeAll {
    Import-Module "$PSScriptRoot/TestEmulator.psm1" -Force
    $script:emulator = Initialize-TestSession
    # The emulator's demo tenant and app (EmulatorDefaults): they exist only inside a local emulator.
    $script:demoTenantId = '7f3c2a10-0d5e-4c7b-9a41-3e5d6c7b8a90'
    $script:demoClientId = '0b1d2c3e-4f50-4a6b-8c7d-9e0f1a2b3c4d'
    $script:demoSecret = [System.Net.NetworkCredential]::new('', 'emulator-demo-app-secret').SecurePassword
}

AfterAll {
    Complete-TestSession -Emulator $script:emulator
    Remove-Module TestEmulator -ErrorAction SilentlyContinue
}

Describe 'Connect-ExMailboxService' {
    It 'connects to the emulator with nothing but its address' {
        $connection = Connect-ExMailboxService -Emulator $script:emulator.Uri -PassThru
        $connection.AuthMethod | Should -Be 'Emulator'
        $connection.IsEmulator | Should -BeTrue
        $connection.Environment | Should -Be 'Emulator'
        $connection.TenantId | Should -Be $script:demoTenantId
        $connection.ClientId | Should -Be $script:demoClientId
        $connection.TokenCacheScope | Should -Be 'Process'
        $connection.TokenExpiresOn | Should -Not -BeNullOrEmpty
    }

    It 'never shows a token' {
        Connect-ExMailboxService -Emulator $script:emulator.Uri
        $text = Get-ExConnection | Format-List * | Out-String
        $text | Should -Not -Match 'eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.'
    }

    It 'refuses an emulator address that is not https on loopback' {
        { Connect-ExMailboxService -Emulator 'https://graph.microsoft.com/' -ErrorAction Stop } |
            Should -Throw -ExpectedMessage '*loopback*'
    }

    It 'refuses -Emulator together with a national cloud' {
        { Connect-ExMailboxService -Emulator $script:emulator.Uri -ClientSecret $script:demoSecret -Environment USGovernment -ErrorAction Stop } |
            Should -Throw -ExpectedMessage '*-Emulator names the service already*'
    }
}

Describe 'Get-ExConnection' {
    It 'says where the commands go and as whom, and returns nothing once disconnected' {
        Connect-ExMailboxService -Emulator $script:emulator.Uri -ClientSecret $script:demoSecret -ApiVersion beta
        $connection = Get-ExConnection
        $connection.AuthMethod | Should -Be 'ClientSecret'
        $connection.ApiVersion | Should -Be 'beta'
        "$($connection.GraphEndpoint)" | Should -BeLike "$($script:emulator.Uri)*"
        $connection.Scopes | Should -Contain 'MailboxItem.ImportExport.All'
        $connection.ConnectedAt | Should -BeLessOrEqual ([datetimeoffset]::Now)

        Disconnect-ExMailboxService
        Get-ExConnection | Should -BeNullOrEmpty
    }
}

Describe 'Connect-ExMailboxService with a client secret at the emulator' {
    It 'signs in as the demo app in the demo tenant when only the secret is given' {
        $connection = Connect-ExMailboxService -Emulator $script:emulator.Uri -ClientSecret $script:demoSecret -PassThru
        $connection.AuthMethod | Should -Be 'ClientSecret'
        $connection.IsEmulator | Should -BeTrue
        $connection.TenantId | Should -Be $script:demoTenantId
        $connection.ClientId | Should -Be $script:demoClientId
        $connection.TokenCacheScope | Should -Be 'Process'
        (Get-ExMailbox -UserId alice@contoso.test).UserId | Should -Be 'alice@contoso.test'
    }

    It 'takes the client id and secret as one PSCredential' {
        $credential = [pscredential]::new($script:demoClientId, $script:demoSecret)
        $connection = Connect-ExMailboxService -Emulator $script:emulator.Uri -ClientSecretCredential $credential -PassThru
        $connection.AuthMethod | Should -Be 'ClientSecret'
        $connection.ClientId | Should -Be $script:demoClientId
        (Get-ExMailbox -UserId bob@contoso.test).UserId | Should -Be 'bob@contoso.test'
    }

    It 'never shows the client secret' {
        $verbose = Connect-ExMailboxService -Emulator $script:emulator.Uri -ClientSecret $script:demoSecret -Verbose 4>&1 | Out-String
        $connection = Get-ExConnection | Format-List * | Out-String
        $verbose | Should -Not -Match 'emulator-demo-app-secret'
        $connection | Should -Not -Match 'emulator-demo-app-secret'
    }
}

Describe 'Token cache switches where they do not apply' {
    # Refused by parameter binding, before any token cache is opened: no keyring is needed to check them.
    It 'refuses <Name>' -TestCases @(
        @{ Name = '-AllowUnencryptedTokenCache with -Emulator alone'; Arguments = @{ Emulator = 'https://127.0.0.1:1/'; AllowUnencryptedTokenCache = $true } }
        @{ Name = '-AllowUnencryptedTokenCache with -Identity'; Arguments = @{ Identity = $true; AllowUnencryptedTokenCache = $true } }
        @{ Name = '-AllowUnencryptedTokenCache with -AccessToken'; Arguments = @{ AccessToken = [System.Net.NetworkCredential]::new('', 'not-a-token').SecurePassword; AllowUnencryptedTokenCache = $true } }
        @{ Name = '-TokenCacheScope with -Emulator alone'; Arguments = @{ Emulator = 'https://127.0.0.1:1/'; TokenCacheScope = 'CurrentUser' } }
        @{ Name = '-TokenCacheScope with -Identity'; Arguments = @{ Identity = $true; TokenCacheScope = 'CurrentUser' } }
    ) {
        { Connect-ExMailboxService @Arguments -ErrorAction Stop } | Should -Throw -ErrorId 'AmbiguousParameterSet,*'
    }
}

Describe 'Disconnect-ExMailboxService' {
    It 'forgets the connection on disconnect' {
        Connect-ExMailboxService -Emulator $script:emulator.Uri
        Disconnect-ExMailboxService
        Get-ExConnection | Should -BeNullOrEmpty
    }

    It 'leaves commands failing with NotConnected until the next connect' {
        Connect-ExMailboxService -Emulator $script:emulator.Uri -ClientSecret $script:demoSecret
        Disconnect-ExMailboxService
        { Get-ExMailbox -UserId alice@contoso.test -ErrorAction Stop } | Should -Throw -ErrorId 'NotConnected,*'
    }

    It 'says which token cache it removed the tokens from' {
        Connect-ExMailboxService -Emulator $script:emulator.Uri -ClientSecret $script:demoSecret
        $verbose = Disconnect-ExMailboxService -Verbose 4>&1 | Out-String
        $verbose | Should -Match 'its tokens were removed from the Process token cache'
    }

    It 'removes the tokens, so the next sign-in gets a new token from the emulator' {
        # The engine's debug stream says where each access token came from: the cache or the identity provider.
        $DebugPreference = 'Continue'
        Connect-ExMailboxService -Emulator $script:emulator.Uri -ClientSecret $script:demoSecret 5>$null
        $again = Connect-ExMailboxService -Emulator $script:emulator.Uri -ClientSecret $script:demoSecret 5>&1 | Out-String
        $again | Should -Match 'Access token from Cache'

        Disconnect-ExMailboxService 5>$null
        $afterDisconnect = Connect-ExMailboxService -Emulator $script:emulator.Uri -ClientSecret $script:demoSecret 5>&1 | Out-String
        $afterDisconnect | Should -Match 'Access token from IdentityProvider'
        Get-ExConnection | Should -Not -BeNullOrEmpty
    }

    It 'does nothing when the session is not connected' {
        Disconnect-ExMailboxService
        { Disconnect-ExMailboxService -ErrorAction Stop } | Should -Not -Throw
        Get-ExConnection | Should -BeNullOrEmpty
    }
}

Describe 'Connect-ExMailboxService -UseDeviceCode at the emulator' {
    It 'shows the code through the host and signs the person in once it is approved on the device login page' {
        # The sign-in waits for the person, so it runs in a runspace of its own while this test plays the person.
        $signIn = [powershell]::Create()
        $null = $signIn.AddScript({
                param($ModulePath, $Emulator)
                Import-Module $ModulePath -ErrorAction Stop
                Connect-ExMailboxService -Emulator $Emulator -UseDeviceCode -PassThru
                (Get-ExMailbox -UserId bob@contoso.test).UserId
            }).AddArgument($env:MAILBOXIMPORTEXPORT_MODULE_PATH).AddArgument($script:emulator.Uri)
        $running = $signIn.BeginInvoke()
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            $prompt = $null
            while (-not $prompt -and -not $running.IsCompleted -and [DateTime]::UtcNow -lt $deadline) {
                Start-Sleep -Milliseconds 200
                $prompt = $signIn.Streams.Information | Where-Object { "$($_.MessageData)" -match 'enter the code (\S+) to authenticate' } |
                    Select-Object -First 1
            }
            $prompt | Should -Not -BeNullOrEmpty -Because 'the device code is shown through the host'
            "$($prompt.MessageData)" -match 'open the page (\S+) and enter the code (\S+) to authenticate' | Should -BeTrue
            $page, $code = $Matches[1], $Matches[2]

            $approval = Invoke-WebRequest -Method Post -Uri $page -SkipCertificateCheck -Body @{ code = $code; username = 'bob@contoso.test' }
            $approval.StatusCode | Should -Be 200

            $output = $signIn.EndInvoke($running)
            $signIn.Streams.Error | Should -BeNullOrEmpty
            $output[0].AuthMethod | Should -Be 'DeviceCode'
            $output[0].Account | Should -Be 'bob@contoso.test'
            $output[1] | Should -Be 'bob@contoso.test'
        }
        finally {
            $signIn.Dispose()
        }
    }
}

Describe 'Connect-ExMailboxService -Identity at the emulator' {
    BeforeAll {
        $script:identityHost = Start-TestEmulator -ManagedIdentity
    }

    AfterAll {
        Stop-TestEmulator -Emulator $script:identityHost
    }

    It 'signs in as the managed identity that IDENTITY_ENDPOINT and IDENTITY_HEADER point to' {
        # What App Service and Azure Functions set for the script's process.
        $env:IDENTITY_ENDPOINT = $script:identityHost.IdentityEndpoint
        $env:IDENTITY_HEADER = $script:identityHost.IdentityHeader
        try {
            $connection = Connect-ExMailboxService -Emulator $script:identityHost.Uri -Identity -PassThru
            $connection.AuthMethod | Should -Be 'ManagedIdentity'
            (Get-ExMailbox -UserId alice@contoso.test).UserId | Should -Be 'alice@contoso.test'
        }
        finally {
            Remove-Item Env:IDENTITY_ENDPOINT, Env:IDENTITY_HEADER
        }
    }
}

Describe 'Connect-ExMailboxService with a certificate at the emulator' {
    BeforeAll {
        # A self-signed certificate for a new app: the emulator gets its public part, the script the PFX.
        $key = [System.Security.Cryptography.RSA]::Create(2048)
        $request = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=Pester nightly export', $key,
            [System.Security.Cryptography.HashAlgorithmName]::SHA256, [System.Security.Cryptography.RSASignaturePadding]::Pkcs1)
        $script:certificate = $request.CreateSelfSigned([DateTimeOffset]::UtcNow.AddDays(-1), [DateTimeOffset]::UtcNow.AddDays(30))
        $script:appId = [guid]::NewGuid().ToString()
        $cerFile = Join-Path $TestDrive 'nightly-export.cer'
        $script:pfxFile = Join-Path $TestDrive 'nightly-export.pfx'
        $script:pfxPassword = [System.Net.NetworkCredential]::new('', 'pester-pfx-password').SecurePassword
        [System.IO.File]::WriteAllBytes($cerFile, $script:certificate.Export('Cert'))
        [System.IO.File]::WriteAllBytes($script:pfxFile, $script:certificate.Export('Pfx', 'pester-pfx-password'))
        $script:certificateHost = Start-TestEmulator -ArgumentList '--app-certificate', $script:appId, $cerFile
    }

    AfterAll {
        Stop-TestEmulator -Emulator $script:certificateHost
    }

    It 'signs in as the app with the PFX file that holds the registered certificate' {
        $connection = Connect-ExMailboxService -Emulator $script:certificateHost.Uri -ClientId $script:appId `
            -CertificatePath $script:pfxFile -CertificatePassword $script:pfxPassword -PassThru
        $connection.AuthMethod | Should -Be 'Certificate'
        $connection.ClientId | Should -Be $script:appId
        (Get-ExMailbox -UserId bob@contoso.test).UserId | Should -Be 'bob@contoso.test'
    }

    It 'is refused for an app that does not hold the certificate' {
        { Connect-ExMailboxService -Emulator $script:certificateHost.Uri -ClientId ([guid]::NewGuid()) `
                -CertificatePath $script:pfxFile -CertificatePassword $script:pfxPassword -ErrorAction Stop } |
            Should -Throw -ExpectedMessage '*unauthorized_client*'
    }
}
