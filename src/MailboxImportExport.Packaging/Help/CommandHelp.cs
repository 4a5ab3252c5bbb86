namespace MailboxImportExport.Packaging.Help;

/// <summary>One cmdlet's help as read from its platyPS markdown. Text is held as paragraphs, the unit
/// MAML stores (<c>maml:para</c>).</summary>
public sealed record CommandHelp(
    string Name,
    string ExternalHelpFile,
    string ModuleName,
    string? OnlineVersion,
    IReadOnlyList<string> Synopsis,
    IReadOnlyList<ParameterSetHelp> ParameterSets,
    IReadOnlyList<string> Description,
    IReadOnlyList<ExampleHelp> Examples,
    IReadOnlyList<ParameterHelp> Parameters,
    IReadOnlyList<TypeHelp> Inputs,
    IReadOnlyList<TypeHelp> Outputs,
    IReadOnlyList<string> Notes,
    IReadOnlyList<LinkHelp> RelatedLinks);

/// <summary>A parameter set as named under <c>## SYNTAX</c>. A command with a single, unnamed set has
/// one set called <see cref="AllParameterSets"/>, as PowerShell itself names it.</summary>
public sealed record ParameterSetHelp(string Name, bool IsDefault)
{
    public const string AllParameterSets = "__AllParameterSets";
}

/// <summary>A parameter: its description and one metadata entry per <c>```yaml</c> block. platyPS writes
/// several blocks when a parameter differs between sets (e.g. mandatory in one, optional in another).</summary>
public sealed record ParameterHelp(string Name, IReadOnlyList<string> Description, IReadOnlyList<ParameterMetadata> Metadata)
{
    /// <summary>The metadata that applies in <paramref name="parameterSet"/>, or null when the parameter is not in it.</summary>
    public ParameterMetadata? MetadataFor(string parameterSet) =>
        Metadata.FirstOrDefault(m => m.AppliesToAllSets || m.ParameterSets.Contains(parameterSet, StringComparer.OrdinalIgnoreCase));
}

public sealed record ParameterMetadata(
    string Type,
    IReadOnlyList<string> ParameterSets,
    IReadOnlyList<string> Aliases,
    IReadOnlyList<string> AcceptedValues,
    bool Required,
    int? Position,
    string DefaultValue,
    string PipelineInput,
    bool AcceptsWildcards)
{
    /// <summary>"(All)" in the yaml: the parameter is in every set.</summary>
    public bool AppliesToAllSets => ParameterSets.Count == 0;

    public bool IsSwitch =>
        Type.Equals("SwitchParameter", StringComparison.OrdinalIgnoreCase)
        || Type.Equals("switch", StringComparison.OrdinalIgnoreCase)
        || Type.Equals("System.Management.Automation.SwitchParameter", StringComparison.OrdinalIgnoreCase);
}

public sealed record ExampleHelp(string Title, string Code, IReadOnlyList<string> Remarks);

/// <summary>An input or output type and what it means for this command.</summary>
public sealed record TypeHelp(string TypeName, IReadOnlyList<string> Description);

/// <summary>A related link; <see cref="Uri"/> is empty for plain-text or relative (markdown-to-markdown) links.</summary>
public sealed record LinkHelp(string Text, string Uri);
