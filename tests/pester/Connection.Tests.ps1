#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Run through ./build.ps1 -Task Test, which sets MAILBOXIMPORTEXPORT_MODULE_PATH to the laid-out module.

BeforeAll {
    Import-Module "$PSScriptRoot/TestEmulator.psm1" -Force
    $script:emulator = Initialize-TestSession
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

    It 'forgets the connection on disconnect' {
        Connect-ExMailboxService -Emulator $script:emulator.Uri
        Disconnect-ExMailboxService
        Get-ExConnection | Should -BeNullOrEmpty
    }
}
