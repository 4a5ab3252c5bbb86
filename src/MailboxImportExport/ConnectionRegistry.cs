using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using MailboxImportExport.Engine.Models;

namespace MailboxImportExport;

/// <summary>
/// The current connection of each runspace. Runspaces do not share connections, so scripts running side by
/// side (and tests running in parallel) each talk to the service they connected to; tokens are still shared
/// through MSAL's process-wide cache.
/// </summary>
internal static class ConnectionRegistry
{
    private sealed class Holder
    {
        public ExConnection? Connection;
    }

    private static readonly ConditionalWeakTable<Runspace, Holder> ByRunspace = new();

    public static ExConnection? Current => Runspace.DefaultRunspace is { } runspace && ByRunspace.TryGetValue(runspace, out var holder)
        ? holder.Connection
        : null;

    public static void Set(ExConnection? connection)
    {
        var runspace = Runspace.DefaultRunspace ?? throw new InvalidOperationException("No runspace is current on this thread.");
        var holder = ByRunspace.GetValue(runspace, _ => new Holder());
        var previous = holder.Connection;
        holder.Connection = connection;
        if (previous is not null && !ReferenceEquals(previous, connection)) previous.Client.Dispose();
    }
}
