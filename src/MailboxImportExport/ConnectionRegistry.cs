using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using MailboxImportExport.Engine.Models;

namespace MailboxImportExport;

/// <summary>
/// The connection each runspace uses. A runspace that connected (or disconnected) keeps its own state, so scripts
/// side by side in one process can each talk to the service they connected to; a runspace that never did uses the
/// process's latest connection, so ForEach-Object -Parallel, thread jobs and runspace pools work without connecting
/// again (as the Graph SDK shares its connection across the process). Tokens are shared through MSAL's process-wide
/// cache either way. A connection's HTTP client is disposed once nothing uses it any more.
/// </summary>
internal static class ConnectionRegistry
{
    private sealed class Holder
    {
        public ExConnection? Connection;
    }

    private static readonly ConditionalWeakTable<Runspace, Holder> ByRunspace = new();
    private static readonly Dictionary<ExConnection, int> Users = new();
    private static readonly object Gate = new();
    private static ExConnection? _shared;

    public static ExConnection? Current
    {
        get
        {
            lock (Gate)
            {
                return Runspace.DefaultRunspace is { } runspace && ByRunspace.TryGetValue(runspace, out var holder) ? holder.Connection : _shared;
            }
        }
    }

    /// <summary>This runspace's connection, which also becomes the one of the runspaces that have none of their own.</summary>
    public static void Connect(ExConnection connection)
    {
        lock (Gate)
        {
            var holder = ByRunspace.GetValue(CurrentRunspace(), _ => new Holder());
            Replace(ref holder.Connection, connection);
            Replace(ref _shared, connection);
        }
    }

    /// <summary>Makes this runspace one with its own connection state (keeping its connection, or none), without sharing anything.</summary>
    public static void KeepOwn()
    {
        lock (Gate) ByRunspace.GetValue(CurrentRunspace(), _ => new Holder());
    }

    /// <summary>
    /// Ends the connection this runspace uses: its own, or else the shared one (which is then gone for every runspace
    /// using it). Either way this runspace is not connected afterwards, whatever other runspaces do.
    /// </summary>
    public static void Disconnect()
    {
        lock (Gate)
        {
            var runspace = CurrentRunspace();
            var ended = ByRunspace.TryGetValue(runspace, out var own) ? own.Connection : _shared;
            var holder = ByRunspace.GetValue(runspace, _ => new Holder());
            Replace(ref holder.Connection, null);
            if (ReferenceEquals(_shared, ended)) Replace(ref _shared, null);
        }
    }

    private static Runspace CurrentRunspace() =>
        Runspace.DefaultRunspace ?? throw new InvalidOperationException("No runspace is current on this thread.");

    /// <summary>Moves one reference to a connection, disposing a client nothing refers to any more.</summary>
    private static void Replace(ref ExConnection? slot, ExConnection? connection)
    {
        if (ReferenceEquals(slot, connection)) return;
        if (connection is not null) Users[connection] = Users.TryGetValue(connection, out var count) ? count + 1 : 1;
        if (slot is { } previous)
        {
            if (--Users[previous] == 0)
            {
                Users.Remove(previous);
                previous.Client.Dispose();
            }
        }
        slot = connection;
    }
}
