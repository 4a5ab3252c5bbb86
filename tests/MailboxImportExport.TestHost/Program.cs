using System.Management.Automation;
using System.Management.Automation.Runspaces;

// Usage: MailboxImportExport.TestHost SCRIPT [ARG ...]
// Runs the script in a fresh runspace, its arguments as $args; prints output to stdout and errors, with
// their exception types, to stderr. Exit code 0 when the script wrote no error, 1 otherwise.
if (args.Length == 0)
{
    Console.Error.WriteLine("Usage: MailboxImportExport.TestHost SCRIPT [ARG ...]");
    return 2;
}
using var ps = PowerShell.Create(InitialSessionState.CreateDefault2());
ps.AddScript(File.ReadAllText(args[0]));
foreach (var argument in args[1..]) ps.AddArgument(argument);
try
{
    foreach (var output in ps.Invoke()) Console.WriteLine(output);
}
catch (RuntimeException exception)
{
    ps.Streams.Error.Add(exception.ErrorRecord);
}
foreach (var error in ps.Streams.Error)
{
    Console.Error.WriteLine($"{error.Exception.GetType().FullName}: {error}");
    Console.Error.WriteLine(error.Exception.InnerException?.ToString());
}
return ps.Streams.Error.Count == 0 ? 0 : 1;
