using System.Management.Automation.Language;

namespace MailboxImportExport.Packaging.Tests;

/// <summary>
/// What Windows PowerShell 5.1 lacks, found on a script's syntax tree (parsed by the PowerShell 7 parser, which
/// knows both): newer syntax, commands and parameters that came with PowerShell 6 or 7, automatic variables that
/// are not set there, and .NET members that .NET Framework 4.7.2 does not have. Windows PowerShell cannot run
/// here, so this is how the scripts the module ships keep working there.
/// </summary>
public static class WindowsPowerShell51
{
    /// <summary>Commands that Windows PowerShell 5.1 does not have at all.</summary>
    private static readonly HashSet<string> NewerCommands = new(StringComparer.OrdinalIgnoreCase)
    {
        "Get-Error", "Test-Json", "Join-String", "Get-Uptime", "Remove-Alias", "Remove-Service", "ConvertFrom-Markdown",
        "Show-Markdown", "Get-MarkdownOption", "Set-MarkdownOption", "Start-ThreadJob", "ConvertTo-CliXml", "ConvertFrom-CliXml",
        "Get-PSSubsystem", "Enable-ExperimentalFeature", "Disable-ExperimentalFeature", "Get-ExperimentalFeature",
    };

    /// <summary>Parameters that commands of both editions gained in PowerShell 6 or 7.</summary>
    private static readonly Dictionary<string, string[]> NewerParameters = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ForEach-Object"] = ["Parallel", "ThrottleLimit", "TimeoutSeconds", "AsJob"],
        ["Invoke-WebRequest"] = WebParameters(),
        ["Invoke-RestMethod"] = WebParameters(),
        ["ConvertFrom-Json"] = ["AsHashtable", "Depth", "NoEnumerate", "DateKind"],
        ["ConvertTo-Json"] = ["AsArray", "EscapeHandling"],
        ["Join-Path"] = ["AdditionalChildPath"],
        ["Split-Path"] = ["LeafBase", "Extension"],
        ["Get-Content"] = ["AsByteStream"],
        ["Set-Content"] = ["AsByteStream"],
        ["Add-Content"] = ["AsByteStream"],
        ["Select-String"] = ["Raw", "NoEmphasis"],
        ["Import-Module"] = ["UseWindowsPowerShell", "SkipEditionCheck"],
        ["Start-Process"] = ["Environment"],
        ["Get-ChildItem"] = ["FollowSymlink"],
        ["Test-Connection"] = ["TargetName", "TcpPort", "Ping", "Traceroute", "MtuSize"],
        ["Format-Hex"] = ["Count", "Offset"],
        ["Get-Date"] = ["AsUTC", "UnixTimeSeconds"],
        ["Sort-Object"] = ["Top", "Bottom", "Stable"],
    };

    private static string[] WebParameters() =>
    [
        "SkipCertificateCheck", "SkipHttpErrorCheck", "StatusCodeVariable", "ResponseHeadersVariable", "Authentication",
        "Token", "NoProxy", "SslProtocol", "MaximumRetryCount", "RetryIntervalSec", "Form", "Resume", "SkipHeaderValidation",
        "HttpVersion", "AllowUnencryptedAuthentication", "CustomMethod", "PreserveAuthorizationOnRedirect", "ConnectionTimeoutSeconds",
        "OperationTimeoutSeconds", "AllowInsecureRedirect", "PreserveHttpMethodOnRedirect", "UnixSocket",
    ];

    /// <summary>-Encoding values that 5.1 does not accept (it knows UTF8, with a BOM, and the code page names).</summary>
    private static readonly HashSet<string> NewerEncodings = new(StringComparer.OrdinalIgnoreCase) { "utf8NoBOM", "utf8BOM", "ansi" };

    /// <summary>Automatic variables that 5.1 does not set: reading one there gives $null, quietly.</summary>
    private static readonly HashSet<string> NewerVariables = new(StringComparer.OrdinalIgnoreCase)
    {
        "PSStyle", "IsWindows", "IsLinux", "IsMacOS", "IsCoreCLR", "PSNativeCommandUseErrorActionPreference",
        "PSNativeCommandArgumentPassing", "EnabledExperimentalFeatures",
    };

    /// <summary>Members that .NET Framework 4.7.2 lacks (it has ProcessStartInfo.Arguments, not ArgumentList).</summary>
    private static readonly HashSet<string> NewerMembers = new(StringComparer.Ordinal)
    {
        "ArgumentList", "GetRelativePath", "ToHexString", "FromHexString", "ReadAllTextAsync", "WriteAllTextAsync",
        "ReadAllBytesAsync", "WriteAllBytesAsync", "ProcessPath", "ProcessId", "Latin1", "ThrowIfNull", "Clamp",
        "CreateTempSubdirectory", "GetLastPInvokeError", "IsWindows", "IsLinux", "IsMacOS", "IsFreeBSD",
        "TryGetNonEnumeratedCount", "Chunk", "DistinctBy", "MinBy", "MaxBy", "ReplaceLineEndings", "WaitForExitAsync",
    };

    /// <summary>Type names of namespaces and types that .NET Framework 4.7.2 does not have.</summary>
    private static readonly string[] NewerTypePrefixes =
    [
        "System.Text.Json", "System.Range", "System.Index", "System.Net.Http.Json", "System.Formats.",
        "System.Security.Cryptography.X509Certificates.X509CertificateLoader", "System.Runtime.Loader", "System.HashCode",
        "System.IO.Enumeration", "System.Threading.Channels", "System.Half", "System.DateOnly", "System.TimeOnly",
    ];

    /// <summary>Each use of something 5.1 lacks, as "line: what".</summary>
    public static IReadOnlyList<string> Problems(ScriptBlockAst script)
    {
        var problems = new List<string>();
        void Add(Ast ast, string what) => problems.Add($"{ast.Extent.StartLineNumber}: {what}: {ast.Extent.Text.Split('\n')[0].Trim()}");

        foreach (var ast in script.FindAll(_ => true, searchNestedScriptBlocks: true))
        {
            switch (ast)
            {
                case TernaryExpressionAst:
                    Add(ast, "the ternary operator (PowerShell 7)");
                    break;
                case PipelineChainAst:
                    Add(ast, "&& or || between pipelines (PowerShell 7)");
                    break;
                case BinaryExpressionAst { Operator: TokenKind.QuestionQuestion }:
                    Add(ast, "?? (PowerShell 7)");
                    break;
                case AssignmentStatementAst { Operator: TokenKind.QuestionQuestionEquals }:
                    Add(ast, "??= (PowerShell 7)");
                    break;
                case MemberExpressionAst { NullConditional: true }:
                case IndexExpressionAst { NullConditional: true }:
                    Add(ast, "?. or ?[] (PowerShell 7)");
                    break;
                case NamedBlockAst { BlockKind: TokenKind.Clean }:
                    Add(ast, "a clean block (PowerShell 7.3)");
                    break;
                case CommandAst command:
                    CheckCommand(command, Add);
                    break;
                case VariableExpressionAst variable when NewerVariables.Contains(variable.VariablePath.UserPath):
                    Add(ast, $"${variable.VariablePath.UserPath} is not set in Windows PowerShell 5.1");
                    break;
                case MemberExpressionAst { Member: StringConstantExpressionAst member } when NewerMembers.Contains(member.Value):
                    Add(ast, $"{member.Value} is not in .NET Framework 4.7.2");
                    break;
                case TypeExpressionAst type when IsNewerType(type.TypeName):
                    Add(ast, $"{type.TypeName.FullName} is not in .NET Framework 4.7.2");
                    break;
                case ConvertExpressionAst convert when IsNewerType(convert.Type.TypeName):
                    Add(ast, $"{convert.Type.TypeName.FullName} is not in .NET Framework 4.7.2");
                    break;
            }
        }
        return problems;
    }

    private static bool IsNewerType(ITypeName type) =>
        NewerTypePrefixes.Any(prefix => type.FullName.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));

    private static void CheckCommand(CommandAst command, Action<Ast, string> add)
    {
        var name = command.GetCommandName();
        if (name is null) return;
        // Module-qualified names (Microsoft.PowerShell.Utility\Invoke-WebRequest) count as the command itself.
        var bare = name[(name.LastIndexOf('\\') + 1)..];
        if (NewerCommands.Contains(bare))
        {
            add(command, $"{bare} is not in Windows PowerShell 5.1");
        }
        var parameters = command.CommandElements.OfType<CommandParameterAst>().ToList();
        if (NewerParameters.TryGetValue(bare, out var newer))
        {
            foreach (var parameter in parameters.Where(p => newer.Any(n => n.StartsWith(p.ParameterName, StringComparison.OrdinalIgnoreCase) && p.ParameterName.Length >= 3)))
            {
                add(parameter, $"{bare} -{parameter.ParameterName} came with PowerShell 6 or 7");
            }
        }
        for (var i = 0; i < command.CommandElements.Count; i++)
        {
            if (command.CommandElements[i] is CommandParameterAst { ParameterName: var parameterName } encoding
                && parameterName.Equals("Encoding", StringComparison.OrdinalIgnoreCase))
            {
                var value = encoding.Argument ?? (i + 1 < command.CommandElements.Count ? command.CommandElements[i + 1] : null);
                if (value is StringConstantExpressionAst text && NewerEncodings.Contains(text.Value))
                {
                    add(encoding, $"-Encoding {text.Value} is not known to Windows PowerShell 5.1");
                }
            }
        }
    }
}
