using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace MailboxImportExport.Packaging.Help;

/// <summary>
/// Writes the MAML file that Get-Help reads for binary modules (<c>&lt;Module&gt;.dll-Help.xml</c>), element
/// for element as platyPS 0.14's <c>New-ExternalHelp</c> does, so switching to real platyPS changes nothing.
/// </summary>
public static class MamlWriter
{
    public static readonly XNamespace Msh = "http://msh";
    public static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    public static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    public static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";
    private static readonly XNamespace MsHelp = "http://msdn.microsoft.com/mshelp";

    // platyPS centres example titles in a 64-character rule of dashes, the look of PowerShell's own help.
    private const int ExampleTitleWidth = 64;

    public static XDocument ToMaml(IEnumerable<CommandHelp> commands) =>
        new(new XDeclaration("1.0", "utf-8", null),
            new XElement(Msh + "helpItems",
                new XAttribute("schema", "maml"),
                commands.Select(CommandElement)));

    public static void Save(XDocument maml, string path)
    {
        var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false), NewLineChars = "\n" };
        using var writer = XmlWriter.Create(path, settings);
        maml.Save(writer);
    }

    private static XElement CommandElement(CommandHelp command)
    {
        var dash = command.Name.IndexOf('-');
        var verb = dash < 0 ? command.Name : command.Name[..dash];
        var noun = dash < 0 ? "" : command.Name[(dash + 1)..];

        return new XElement(Command + "command",
            new XAttribute(XNamespace.Xmlns + "maml", Maml),
            new XAttribute(XNamespace.Xmlns + "command", Command),
            new XAttribute(XNamespace.Xmlns + "dev", Dev),
            new XAttribute(XNamespace.Xmlns + "MSHelp", MsHelp),
            new XElement(Command + "details",
                new XElement(Command + "name", command.Name),
                new XElement(Command + "verb", verb),
                new XElement(Command + "noun", noun),
                Description(command.Synopsis)),
            Description(command.Description),
            new XElement(Command + "syntax", command.ParameterSets.Select(set => SyntaxItem(command, set))),
            new XElement(Command + "parameters", command.Parameters.Select(parameter => ParameterElement(parameter, parameter.Metadata[0], inSyntax: false))),
            new XElement(Command + "inputTypes", command.Inputs.Select(input => TypeElement("inputType", input))),
            new XElement(Command + "returnValues", command.Outputs.Select(output => TypeElement("returnValue", output))),
            new XElement(Maml + "alertSet", new XElement(Maml + "alert", Paragraphs(command.Notes))),
            new XElement(Command + "examples", command.Examples.Select(ExampleElement)),
            new XElement(Command + "relatedLinks", command.RelatedLinks.Select(LinkElement)));
    }

    private static XElement SyntaxItem(CommandHelp command, ParameterSetHelp set)
    {
        // Positional parameters first, in position order, then mandatory before optional, as Get-Command shows them.
        var parameters = command.Parameters
            .Select(parameter => (Parameter: parameter, Metadata: parameter.MetadataFor(set.Name)))
            .Where(entry => entry.Metadata is not null)
            .OrderBy(entry => entry.Metadata!.Position ?? int.MaxValue)
            .ThenBy(entry => entry.Metadata!.Required ? 0 : 1);

        return new XElement(Command + "syntaxItem",
            new XElement(Maml + "name", command.Name),
            parameters.Select(entry => ParameterElement(entry.Parameter, entry.Metadata!, inSyntax: true)));
    }

    private static XElement ParameterElement(ParameterHelp parameter, ParameterMetadata metadata, bool inSyntax)
    {
        var type = metadata.IsSwitch ? "SwitchParameter" : metadata.Type;
        var defaultValue = metadata.IsSwitch && metadata.DefaultValue == "None" ? "False" : metadata.DefaultValue;

        return new XElement(Command + "parameter",
            new XAttribute("required", metadata.Required),
            new XAttribute("variableLength", true),
            new XAttribute("globbing", metadata.AcceptsWildcards),
            new XAttribute("pipelineInput", metadata.PipelineInput),
            new XAttribute("position", metadata.Position?.ToString(CultureInfo.InvariantCulture) ?? "named"),
            new XAttribute("aliases", metadata.Aliases.Count > 0 ? string.Join(", ", metadata.Aliases) : "none"),
            new XElement(Maml + "name", parameter.Name),
            Description(parameter.Description),
            inSyntax && metadata.AcceptedValues.Count > 0
                ? new XElement(Command + "parameterValueGroup", metadata.AcceptedValues.Select(value =>
                    new XElement(Command + "parameterValue",
                        new XAttribute("required", false),
                        new XAttribute(Command + "variableLength", false),
                        value)))
                : null,
            // A switch takes no value, so the syntax line shows it bare: [-PassThru].
            inSyntax && metadata.IsSwitch
                ? null
                : new XElement(Command + "parameterValue",
                    new XAttribute("required", !metadata.IsSwitch),
                    new XAttribute("variableLength", false),
                    type),
            new XElement(Dev + "type", new XElement(Maml + "name", type), new XElement(Maml + "uri")),
            new XElement(Dev + "defaultValue", defaultValue));
    }

    private static XElement TypeElement(string elementName, TypeHelp type) =>
        new(Command + elementName,
            new XElement(Dev + "type", new XElement(Maml + "name", type.TypeName)),
            Description(type.Description));

    private static XElement ExampleElement(ExampleHelp example) =>
        new(Command + "example",
            new XElement(Maml + "title", PadExampleTitle(example.Title)),
            new XElement(Dev + "code", example.Code),
            new XElement(Dev + "remarks", Paragraphs(example.Remarks)));

    private static XElement LinkElement(LinkHelp link) =>
        new(Maml + "navigationLink",
            new XElement(Maml + "linkText", link.Text),
            new XElement(Maml + "uri", link.Uri));

    private static XElement Description(IEnumerable<string> paragraphs) => new(Maml + "description", Paragraphs(paragraphs));

    private static IEnumerable<XElement> Paragraphs(IEnumerable<string> paragraphs) =>
        paragraphs.Select(paragraph => new XElement(Maml + "para", paragraph));

    private static string PadExampleTitle(string title)
    {
        if (title.Length >= ExampleTitleWidth - 2)
        {
            return title;
        }
        var dashes = new string('-', (ExampleTitleWidth - title.Length - 2) / 2);
        return $"{dashes} {title} {dashes}";
    }
}
