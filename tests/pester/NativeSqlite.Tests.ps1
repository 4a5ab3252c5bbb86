#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Run by dotnet test (tests/MailboxImportExport.Pester.Tests), which sets MAILBOXIMPORTEXPORT_MODULE_PATH to the laid-out module.
# SQLite's native library loads from the laid-out module, in a new pwsh that another module's SQLite got to first: a
# newer Microsoft.Data.Sqlite and SQLitePCLRaw in PowerShell's own load context, and its own e_sqlite3 loaded
# by that module. The emulator's build carries such a set (Microsoft.Data.Sqlite 11, SQLitePCLRaw 3).

BeforeAll {
    Import-Module "$PSScriptRoot/TestEmulator.psm1" -Force
    $command = @(Get-PowerShellCommand)
    $script:pwsh = $command[0]
    $script:pwshArguments = @($command | Select-Object -Skip 1)
    $script:otherSqlite = Split-Path -Path $env:MAILBOXIMPORTEXPORT_EMULATOR_PATH -Parent
    # Run in a new pwsh: optionally loads another module's SQLite first, then writes and reads a database through the
    # engine's Microsoft.Data.Sqlite, and lists which Microsoft.Data.Sqlite and e_sqlite3 the process loaded.
    $script:sqliteScript = @'
param([string] $OtherSqlite, [string] $Manifest, [string] $Database)
$ErrorActionPreference = 'Stop'

# Another module's SQLite, loaded first, as that module would: its assemblies in PowerShell's load context and
# its native library by full path.
if ($OtherSqlite) {
    foreach ($name in 'SQLitePCLRaw.core', 'SQLitePCLRaw.provider.e_sqlite3', 'SQLitePCLRaw.batteries_v2', 'Microsoft.Data.Sqlite') {
        $null = [System.Reflection.Assembly]::LoadFrom([System.IO.Path]::Combine($OtherSqlite, "$name.dll"))
    }
    $rid = [System.Runtime.InteropServices.RuntimeInformation]::RuntimeIdentifier
    $otherNative = Get-ChildItem -LiteralPath ([System.IO.Path]::Combine($OtherSqlite, 'runtimes', $rid, 'native')) -Filter '*e_sqlite3*' | Select-Object -First 1
    $null = [System.Runtime.InteropServices.NativeLibrary]::Load($otherNative.FullName)
    $other = [Microsoft.Data.Sqlite.SqliteConnection]::new('Data Source=:memory:')
    $other.Open()
    $query = $other.CreateCommand()
    $query.CommandText = 'select sqlite_version()'
    "OTHER SQLITE $($query.ExecuteScalar())"
}

Import-Module $Manifest
# The engine's own Microsoft.Data.Sqlite, from the module's load context.
$engine = [MailboxImportExport.Engine.Models.ExMailbox].Assembly
$context = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($engine)
$sqlite = $context.LoadFromAssemblyName([System.Reflection.AssemblyName]::new('Microsoft.Data.Sqlite'))
$connection = $sqlite.GetType('Microsoft.Data.Sqlite.SqliteConnection')::new("Data Source=$Database")
$connection.Open()
$write = $connection.CreateCommand()
$write.CommandText = "create table journal (item text primary key, state text); insert into journal values ('AAMk-1', 'Imported')"
$null = $write.ExecuteNonQuery()
$connection.Close()
$connection.Open()
$read = $connection.CreateCommand()
$read.CommandText = "select item || ' ' || state from journal"
"MODULE READ $($read.ExecuteScalar())"
$read.CommandText = 'select sqlite_version()'
"MODULE SQLITE $($read.ExecuteScalar())"
$connection.Dispose()

foreach ($assembly in [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Microsoft.Data.Sqlite' }) {
    'ASSEMBLY {0} {1}' -f [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($assembly).Name, $assembly.Location
}
foreach ($module in [System.Diagnostics.Process]::GetCurrentProcess().Modules | Where-Object { $_.ModuleName -like '*e_sqlite3*' }) {
    "NATIVE $($module.FileName)"
}
'@
}

AfterAll {
    Remove-Module TestEmulator -ErrorAction SilentlyContinue
}

Describe 'SQLite inside the module' {
    It 'opens, writes and reads a database with the module''s own SQLite in a new pwsh' {
        $script = Join-Path $TestDrive 'module-sqlite.ps1'
        Set-Content -LiteralPath $script -Value $script:sqliteScript
        $database = Join-Path $TestDrive 'alone.db'
        $moduleFolder = Split-Path -Path $env:MAILBOXIMPORTEXPORT_MODULE_PATH -Parent

        $output = & $script:pwsh @script:pwshArguments -NoProfile -NonInteractive -File $script '' $env:MAILBOXIMPORTEXPORT_MODULE_PATH $database 2>&1

        $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")
        $output | Should -Contain 'MODULE READ AAMk-1 Imported'
        $output | Should -Contain "ASSEMBLY MailboxImportExport $(Join-Path $moduleFolder 'Dependencies/Microsoft.Data.Sqlite.dll')"
        @($output | Where-Object { $_ -like 'NATIVE *' }) | Should -HaveCount 1
        @($output | Where-Object { $_ -like "NATIVE $(Join-Path $moduleFolder 'Dependencies/runtimes')*native*" }) | Should -HaveCount 1
    }

    It 'opens, writes and reads a database with the module''s own SQLite, beside another module''s' {
        $script = Join-Path $TestDrive 'other-sqlite-first.ps1'
        Set-Content -LiteralPath $script -Value $script:sqliteScript
        $database = Join-Path $TestDrive 'journal.db'
        $moduleFolder = Split-Path -Path $env:MAILBOXIMPORTEXPORT_MODULE_PATH -Parent

        $output = & $script:pwsh @script:pwshArguments -NoProfile -NonInteractive -File $script $script:otherSqlite $env:MAILBOXIMPORTEXPORT_MODULE_PATH $database 2>&1

        $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")
        $output | Should -Contain 'MODULE READ AAMk-1 Imported'
        $output | Where-Object { $_ -like 'OTHER SQLITE 3.*' } | Should -HaveCount 1
        $output | Where-Object { $_ -like 'MODULE SQLITE 3.*' } | Should -HaveCount 1
        $assemblies = @($output | Where-Object { $_ -like 'ASSEMBLY *' })
        $assemblies | Should -HaveCount 2
        $assemblies | Should -Contain "ASSEMBLY Default $(Join-Path $script:otherSqlite 'Microsoft.Data.Sqlite.dll')"
        $assemblies | Should -Contain "ASSEMBLY MailboxImportExport $(Join-Path $moduleFolder 'Dependencies/Microsoft.Data.Sqlite.dll')"
        # Two SQLite libraries in the process: the other module's, and the module's own from Dependencies/runtimes/<rid>/native.
        $natives = @($output | Where-Object { $_ -like 'NATIVE *' })
        $natives | Should -HaveCount 2
        @($natives | Where-Object { $_ -like "NATIVE $(Join-Path $moduleFolder 'Dependencies/runtimes')*native*" }) | Should -HaveCount 1
        @($natives | Where-Object { $_ -like "NATIVE $script:otherSqlite*" }) | Should -HaveCount 1
    }
}
