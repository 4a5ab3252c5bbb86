using MailboxImportExport.Packaging.Layout;

namespace MailboxImportExport.Packaging;

/// <summary>
/// Command line: lays out out/MailboxImportExport/&lt;version&gt;/ from a module build that already exists.
/// <code>
/// dotnet run --project src/MailboxImportExport.Packaging -- [--configuration Debug|Release] [--output DIR]
/// </code>
/// </summary>
public static class Program
{
    private const string Usage =
        "Usage: MailboxImportExport.Packaging [--configuration Debug|Release] [--output DIR]\n" +
        "Lays out <DIR>/MailboxImportExport/<ModuleVersion>/ (default DIR: <repo>/out) from the module's\n" +
        "existing build output, src/MailboxImportExport/bin/<configuration>/netstandard2.0/, and the loader's,\n" +
        "src/MailboxImportExport.Loader/bin/<configuration>/. Builds nothing.";

    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <returns>0 on success, 1 when packaging failed, 2 for a usage error.</returns>
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var configuration = "Debug";
        string? outputRoot = null;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--configuration" or "-c" when i + 1 < args.Count:
                    configuration = args[++i];
                    break;
                case "--output" or "-o" when i + 1 < args.Count:
                    outputRoot = Path.GetFullPath(args[++i]);
                    break;
                case "--help" or "-h" or "-?":
                    output.WriteLine(Usage);
                    return 0;
                default:
                    error.WriteLine(args[i] is "--configuration" or "-c" or "--output" or "-o"
                        ? $"'{args[i]}' needs a value."
                        : $"Unexpected argument '{args[i]}'.");
                    error.WriteLine(Usage);
                    return 2;
            }
        }

        try
        {
            var moduleFolder = ModuleLayout.Create(new ModuleLayoutOptions { Configuration = configuration, OutputRoot = outputRoot });
            output.WriteLine($"Laid out {ModuleLayout.ModuleName} ({configuration}) at {moduleFolder}");
            return 0;
        }
        catch (PackagingException exception)
        {
            error.WriteLine($"error: {exception.Message}");
            return 1;
        }
    }
}
