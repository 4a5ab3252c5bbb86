namespace MailboxImportExport.Packaging.Layout;

public sealed class ModuleLayoutOptions
{
    /// <summary>The repository to package. Default: the one this packager was built from, found by walking
    /// up from its own folder to the folder holding MailboxImportExport.sln.</summary>
    public string? RepoRoot { get; init; }

    /// <summary>Which build of the module to lay out: Debug or Release.</summary>
    public string Configuration { get; init; } = "Debug";

    /// <summary>Where MailboxImportExport/&lt;version&gt;/ is created. Default: &lt;RepoRoot&gt;/out.</summary>
    public string? OutputRoot { get; init; }
}
