using MailboxImportExport.Engine.Auth;
using MailboxImportExport.Engine.Journal;
using MailboxImportExport.Engine.Transfer;

// Usage: CopyHost <emulator> <source mailbox id> <target mailbox id> <journal> <target root> <settle ms> [include folder ...]
if (args.Length < 6)
{
    Console.Error.WriteLine("usage: CopyHost <emulator> <source> <target> <journal> <target root> <settle ms> [include ...]");
    return 2;
}
var connection = await ExConnector.ConnectAsync(new EmulatorSignIn(new Uri(args[0])), CancellationToken.None, "CopyHost");
var run = JournalRun.Join(args[3], "CopyHost");
var pair = new MailboxCopyRequest(args[1], args[2]) { TargetRootPath = args[4], IncludeFolders = args.Skip(6).ToList() };
var options = new MailboxCopyOptions();
options.Import.SettleDelay = TimeSpan.FromMilliseconds(int.Parse(args[5]));
var copy = new MailboxCopyRun(connection.Client, run.Journal, run.Counters, throttleLimit: 1, options);
await copy.RunAsync(new[] { pair }, CancellationToken.None);
run.Leave("Completed", out var summary);
var result = copy.Pairs.Single();
Console.WriteLine($"{result.Status}: {summary}");
return result.Status == "Completed" ? 0 : 1;
