namespace MailboxImportExport.Packaging.Help;

/// <summary>Markdown that is not in platyPS 0.14 format. The message starts with "file(line):", the form
/// compilers use, so editors and CI logs link straight to the spot.</summary>
public sealed class HelpFormatException : PackagingException
{
    public HelpFormatException(string file, int line, string problem)
        : base($"{file}({line}): {problem}")
    {
        File = file;
        Line = line;
        Problem = problem;
    }

    public string File { get; }

    /// <summary>1-based line number in <see cref="File"/>.</summary>
    public int Line { get; }

    /// <summary>The message without the location.</summary>
    public string Problem { get; }
}
