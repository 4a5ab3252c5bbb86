using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Management.Automation.Internal;
using System.Security;

namespace MailboxImportExport.ExampleRunner;

/// <summary>
/// A non-interactive PowerShell host that renders to a TextWriter. Out-Default formats objects through it
/// exactly as pwsh's console host would (the module's format views included), so examples and tests see
/// the tables a user sees.
/// </summary>
public sealed class TextHost : PSHost
{
    private readonly TextHostUserInterface _ui;

    /// <param name="supportsColor">Whether the writer ends at a terminal: PowerShell then colours its output with ANSI escapes.</param>
    public TextHost(TextWriter output, int width = 120, bool supportsColor = false) => _ui = new TextHostUserInterface(output, width, supportsColor);

    public override string Name => "MailboxImportExport.TextHost";
    public override Version Version { get; } = new(1, 0);
    public override Guid InstanceId { get; } = Guid.NewGuid();
    public override PSHostUserInterface UI => _ui;
    public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;
    public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;
    public int? ExitCode { get; private set; }

    public override void SetShouldExit(int exitCode) => ExitCode = exitCode;
    public override void EnterNestedPrompt() => throw new NotSupportedException("This host is not interactive.");
    public override void ExitNestedPrompt() => throw new NotSupportedException("This host is not interactive.");
    public override void NotifyBeginApplication() { }
    public override void NotifyEndApplication() { }
}

internal sealed class TextHostUserInterface : PSHostUserInterface
{
    private readonly TextWriter _out;
    private readonly TextHostRawUserInterface _raw;

    public TextHostUserInterface(TextWriter output, int width, bool supportsColor)
    {
        _out = output;
        _raw = new TextHostRawUserInterface(width);
        SupportsVirtualTerminal = supportsColor;
    }

    public override PSHostRawUserInterface RawUI => _raw;
    public override bool SupportsVirtualTerminal { get; }

    // PowerShell decorates tables and errors with ANSI escapes itself; a host that cannot show them removes them.
    private string Render(string value) =>
        SupportsVirtualTerminal || value is null ? value! : new StringDecorated(value).ToString(OutputRendering.PlainText);

    public override void Write(string value) => _out.Write(Render(value));
    public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => _out.Write(Render(value));
    public override void WriteLine(string value) => _out.WriteLine(Render(value));
    public override void WriteErrorLine(string value) => _out.WriteLine(Render(value));
    public override void WriteDebugLine(string message) => _out.WriteLine("DEBUG: " + message);
    public override void WriteVerboseLine(string message) => _out.WriteLine("VERBOSE: " + message);
    public override void WriteWarningLine(string message) => _out.WriteLine("WARNING: " + message);
    public override void WriteInformation(InformationRecord record) => _out.WriteLine(record.MessageData?.ToString());
    public override void WriteProgress(long sourceId, ProgressRecord record) { }

    private static Exception NotInteractive() =>
        new PSInvalidOperationException("This host is not interactive: pass every value as a parameter.");

    public override string ReadLine() => throw NotInteractive();
    public override SecureString ReadLineAsSecureString() => throw NotInteractive();
    public override Dictionary<string, PSObject> Prompt(string caption, string message, System.Collections.ObjectModel.Collection<FieldDescription> descriptions) => throw NotInteractive();
    public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) => throw NotInteractive();
    public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw NotInteractive();
    public override int PromptForChoice(string caption, string message, System.Collections.ObjectModel.Collection<ChoiceDescription> choices, int defaultChoice) => throw NotInteractive();
}

internal sealed class TextHostRawUserInterface : PSHostRawUserInterface
{
    public TextHostRawUserInterface(int width)
    {
        BufferSize = new Size(width, 9999);
        WindowSize = new Size(width, 50);
    }

    public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;
    public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;
    public override Coordinates CursorPosition { get; set; }
    public override Coordinates WindowPosition { get; set; }
    public override int CursorSize { get; set; }
    public override Size BufferSize { get; set; }
    public override Size WindowSize { get; set; }
    public override Size MaxWindowSize => WindowSize;
    public override Size MaxPhysicalWindowSize => WindowSize;
    public override bool KeyAvailable => false;
    public override string WindowTitle { get; set; } = string.Empty;

    public override KeyInfo ReadKey(ReadKeyOptions options) => throw new NotSupportedException("This host is not interactive.");
    public override void FlushInputBuffer() { }
    public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) { }
    public override void SetBufferContents(Rectangle rectangle, BufferCell fill) { }
    public override BufferCell[,] GetBufferContents(Rectangle rectangle) => throw new NotSupportedException();
    public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) { }
}
