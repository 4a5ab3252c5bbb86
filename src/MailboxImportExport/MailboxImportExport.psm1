# The module's root: sets up where the engine and its dependencies load from, then imports the cmdlets.
# On PowerShell 7 they load in a private AssemblyLoadContext, so a session that already loaded another
# Microsoft.Identity.Client (Az, Microsoft.Graph) can still import this module. This must happen before the
# cmdlet assembly is imported: reading the cmdlets' parameters already loads the engine, which is too early
# for an IModuleAssemblyInitializer.

# A failed step must stop the import, not leave a half-loaded module behind.
$ErrorActionPreference = 'Stop'

$edition = if ($PSVersionTable.PSEdition -eq 'Core') { 'Core' } else { 'Desktop' }
# LoadFrom rather than Add-Type: hosts that embed the engine need not ship Microsoft.PowerShell.Utility. A loader
# already loaded (by another runspace, or by a copy of the module elsewhere) is reused: it says which copy is in use.
if (-not ('MailboxImportExport.Loader.DependencyLoader' -as [type])) {
    $null = [System.Reflection.Assembly]::LoadFrom([System.IO.Path]::Combine($PSScriptRoot, 'Loader', $edition, 'MailboxImportExport.Loader.dll'))
}
[MailboxImportExport.Loader.DependencyLoader]::Initialize($PSScriptRoot)

$cmdletModule = Microsoft.PowerShell.Core\Import-Module -Name ([System.IO.Path]::Combine($PSScriptRoot, 'MailboxImportExport.dll')) -PassThru -ErrorAction Stop

# PowerShell does not resolve type names in a private load context, so [MailboxImportExport.Engine.Models.ExMailbox]
# in a script would not be found. Type accelerators of the same full names make the engine types that the cmdlets
# take and return resolvable again; types PowerShell already finds (Windows PowerShell 5.1) are left alone.
$typeAccelerators = [psobject].Assembly.GetType('System.Management.Automation.TypeAccelerators')
$engineTypes = foreach ($cmdlet in $cmdletModule.ExportedCmdlets.Values) {
    $cmdlet.OutputType.Type
    $cmdlet.Parameters.Values.ParameterType
}
# The accelerators are one process-wide table that runspaces importing at once would otherwise write together.
$gate = [MailboxImportExport.Loader.DependencyLoader]::SyncRoot
[System.Threading.Monitor]::Enter($gate)
try {
    foreach ($type in $engineTypes) {
        while ($type -and $type.HasElementType) { $type = $type.GetElementType() }
        if ($type -and $type.Assembly.GetName().Name -eq [MailboxImportExport.Loader.DependencyLoader]::EngineAssemblyName -and
            -not ($type.FullName -as [type])) {
            $typeAccelerators::Add($type.FullName, $type)
        }
    }
}
finally {
    [System.Threading.Monitor]::Exit($gate)
}

Microsoft.PowerShell.Core\Export-ModuleMember -Cmdlet @($cmdletModule.ExportedCmdlets.Keys)
