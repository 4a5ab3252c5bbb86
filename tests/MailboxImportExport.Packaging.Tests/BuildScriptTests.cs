using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;

namespace MailboxImportExport.Packaging.Tests;

/// <summary>
/// build.ps1 cannot run here (no pwsh), so its rules are checked on its syntax tree, parsed by the real
/// PowerShell parser: it parses, it would parse on Windows PowerShell 5.1, it uses no aliases, it
/// module-qualifies commands, and it checks $LASTEXITCODE after every native call.
/// </summary>
public class BuildScriptTests
{
    private static readonly string ScriptPath = Path.Combine(TestPaths.RepoRoot, "build.ps1");
    private static readonly ScriptBlockAst Script = Parse(File.ReadAllText(ScriptPath));

    private static readonly HashSet<string> Aliases = InitialSessionState.CreateDefault2().Commands
        .OfType<SessionStateAliasEntry>()
        .Select(alias => alias.Name)
        .ToHashSet(StringComparer.OrdinalIgnoreCase);

    [Fact]
    public void Declares_the_Task_and_Configuration_parameters()
    {
        var parameters = Script.ParamBlock.Parameters.ToDictionary(parameter => parameter.Name.VariablePath.UserPath);

        Assert.Equal(["Task", "Configuration"], parameters.Keys);
        AssertValidateSetAndDefault(parameters["Task"], ["Build", "Test", "Package", "All"], "All");
        AssertValidateSetAndDefault(parameters["Configuration"], ["Debug", "Release"], "Release");
    }

    [Fact]
    public void Stops_on_the_first_error()
    {
        Assert.Contains(Script.EndBlock.Statements.OfType<AssignmentStatementAst>(), assignment =>
            assignment.Left.Extent.Text == "$ErrorActionPreference" && assignment.Right.Extent.Text == "'Stop'");
    }

    [Fact]
    public void Requires_and_parses_on_Windows_PowerShell_5_1()
    {
        Assert.Equal(new Version(5, 1), Script.ScriptRequirements.RequiredPSVersion);
        Assert.Empty(WindowsPowerShell51.Problems(Script));
    }

    [Fact]
    public void Uses_no_aliases_and_module_qualifies_every_command()
    {
        Assert.Contains("where", Aliases);
        Assert.Empty(UnqualifiedCommands(Script));
    }

    [Fact]
    public void Checks_LASTEXITCODE_right_after_every_native_call()
    {
        var nativeCalls = Script.FindAll(ast => ast is CommandAst command && IsNativeCall(command), true).ToList();

        Assert.True(nativeCalls.Count >= 1, "the dotnet call was not found");
        Assert.All(nativeCalls, call =>
        {
            var next = NextStatement(call);
            Assert.True(next is IfStatementAst check && check.Clauses[0].Item1.Extent.Text.Contains("$LASTEXITCODE"),
                $"no $LASTEXITCODE check right after '{call.Extent.Text}'");
        });
    }

    private static ScriptBlockAst Parse(string script)
    {
        var ast = Parser.ParseInput(script, out _, out var errors);
        Assert.Empty(errors.Select(error => $"{error.Extent.StartLineNumber}: {error.Message}"));
        return ast;
    }

    /// <summary>Commands that are neither module-qualified, nor defined in the script, nor native calls.</summary>
    private static IEnumerable<string> UnqualifiedCommands(ScriptBlockAst script)
    {
        var functions = script.FindAll(ast => ast is FunctionDefinitionAst, true).Cast<FunctionDefinitionAst>().Select(function => function.Name).ToHashSet();
        return script.FindAll(ast => ast is CommandAst, true).Cast<CommandAst>()
            .Where(command => !IsNativeCall(command))
            .Select(command => command.GetCommandName())
            .Where(name => !functions.Contains(name))
            .Where(name => name.Split('\\') is not [_, var command] || Aliases.Contains(command) || !command.Contains('-'));
    }

    /// <summary>dotnet, or the child PowerShell run through a variable.</summary>
    private static bool IsNativeCall(CommandAst command) =>
        command.GetCommandName() == "dotnet"
        || command is { InvocationOperator: TokenKind.Ampersand, CommandElements: [VariableExpressionAst, ..] };

    private static StatementAst? NextStatement(Ast ast)
    {
        while (ast.Parent is not (StatementBlockAst or NamedBlockAst))
        {
            ast = ast.Parent!;
        }
        var statements = ast.Parent is StatementBlockAst block ? block.Statements : ((NamedBlockAst)ast.Parent).Statements;
        var index = statements.IndexOf((StatementAst)ast);
        return index + 1 < statements.Count ? statements[index + 1] : null;
    }

    private static void AssertValidateSetAndDefault(ParameterAst parameter, string[] values, string defaultValue)
    {
        var validateSet = parameter.Attributes.OfType<AttributeAst>().Single(attribute => attribute.TypeName.Name == "ValidateSet");
        Assert.Equal(values, validateSet.PositionalArguments.Cast<StringConstantExpressionAst>().Select(argument => argument.Value));
        Assert.Equal(defaultValue, (parameter.DefaultValue as StringConstantExpressionAst)?.Value);
    }
}
