using System.Collections.Concurrent;
using System.Management.Automation;
using MailboxImportExport.Engine.Auth;
using MailboxImportExport.Engine.Diagnostics;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Journal;
using MailboxImportExport.Engine.Models;
using MailboxImportExport.Engine.Services;

namespace MailboxImportExport;

/// <summary>
/// Base of every cmdlet: bridges the engine's async calls onto the pipeline thread. Ctrl+C cancels the
/// call in flight (StopProcessing), engine diagnostics are queued and written only from the pipeline thread
/// while the call runs, and exceptions become well-formed ErrorRecords.
/// </summary>
public abstract class ExCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly QueuedLogSink _log = new();
    private ThrottleMeter? _meter;

    protected CancellationToken StopToken => _stop.Token;

    protected override void StopProcessing() => _stop.Cancel();

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// PowerShell disposes a cmdlet when its pipeline ends, however it ends: work still in flight is cancelled, and
    /// per-run resources are released here.
    /// </summary>
    protected virtual void Dispose(bool disposing)
    {
        if (!disposing) return;
        _stop.Cancel();
        _stop.Dispose();
    }

    /// <summary>True when the command runs under -WhatIf (given, or through $WhatIfPreference): plan, write nothing.</summary>
    protected bool IsWhatIf() =>
        MyInvocation.BoundParameters.TryGetValue("WhatIf", out var whatIf) ? ((SwitchParameter)whatIf).IsPresent
            : GetVariableValue("WhatIfPreference") is SwitchParameter { IsPresent: true } or true;

    /// <summary>Counts the time the engine calls of this command spend throttled into <paramref name="meter"/>.</summary>
    protected void UseMeter(ThrottleMeter meter) => _meter = meter;

    /// <summary>Called on the pipeline thread a few times a second while an engine call runs (progress refresh).</summary>
    protected virtual void OnWaiting()
    {
    }

    /// <summary>The ambient context engine calls run in: this command's log sink and throttle meter.</summary>
    private IDisposable Ambient() => new AmbientScope(EngineLog.Use(_log), _meter is null ? null : ThrottleMeter.Use(_meter));

    /// <summary>The connection of this runspace; a terminating error tells the user how to connect when there is none.</summary>
    protected ExConnection RequireConnection()
    {
        var connection = ConnectionRegistry.Current;
        if (connection is not null) return connection;
        ThrowTerminatingError(new ErrorRecord(
            new InvalidOperationException(
                "Not connected. Run Connect-ExMailboxService first: for example 'Connect-ExMailboxService -Emulator https://127.0.0.1:<port>/' for the local emulator."),
            "NotConnected", ErrorCategory.ConnectionError, null));
        return null!; // unreachable: ThrowTerminatingError always throws
    }

    /// <summary>
    /// The mailbox id a parameter names: a mailbox id as given, or the primary mailbox of a user principal name or
    /// object id. Throws the service's failure (GraphException) for the caller to report against its input.
    /// </summary>
    protected string ResolveMailboxId(string mailboxOrUser) =>
        MailboxService.IsMailboxId(mailboxOrUser)
            ? mailboxOrUser.Trim()
            : Await(ct => RequireConnection().Mailboxes.ResolveMailboxIdAsync(mailboxOrUser, ct));

    /// <summary>The same for one input of many: a failure is written as a MailboxNotFound error about the input, and null returned.</summary>
    protected string? ResolveMailboxIdOrWriteError(string mailboxOrUser)
    {
        try
        {
            return ResolveMailboxId(mailboxOrUser);
        }
        catch (Exception e) when (IsServiceFailure(e))
        {
            WriteError(ErrorFor(e, "MailboxNotFound", mailboxOrUser));
            return null;
        }
    }

    /// <summary>
    /// Opens a copy job's journal for this command (joining the run another command of the pipeline has on it); a
    /// journal another process is running, or one that cannot be opened, stops the command with an error saying so.
    /// </summary>
    protected JournalRun JoinJournal(string path, string command)
    {
        var full = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
        try
        {
            return JournalRun.Join(full, command);
        }
        catch (JournalBusyException e)
        {
            ThrowTerminatingError(new ErrorRecord(e, "JournalBusy", ErrorCategory.ResourceBusy, full)
            {
                ErrorDetails = new ErrorDetails(e.Message) { RecommendedAction = "Wait for the other run to end; Get-ExCopyStatistics -JournalPath shows how far it is." },
            });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or System.Data.Common.DbException)
        {
            ThrowTerminatingError(new ErrorRecord(e, "JournalUnavailable", ErrorCategory.OpenError, full)
            {
                ErrorDetails = new ErrorDetails($"The journal '{full}' cannot be opened: {e.Message}") { RecommendedAction = "Give a journal path in a folder you can write to." },
            });
        }
        return null!; // unreachable: ThrowTerminatingError always throws
    }

    /// <summary>Stops the command because two parameters cannot go together; the message says which and why.</summary>
    protected void ThrowInvalidCombination(string errorId, string message) =>
        ThrowTerminatingError(new ErrorRecord(new ArgumentException(message), errorId, ErrorCategory.InvalidArgument, null));

    /// <summary>Runs one engine call to completion, writing its diagnostics as they arrive.</summary>
    protected T Await<T>(Func<CancellationToken, Task<T>> operation)
    {
        Task<T> task;
        using (Ambient())
        {
            task = operation(_stop.Token);
            Pump(task);
        }
        return Result(task);
    }

    protected void Await(Func<CancellationToken, Task> operation) => Await<bool>(async ct =>
    {
        await operation(ct).ConfigureAwait(false);
        return true;
    });

    /// <summary>
    /// Enumerates an async stream on the pipeline thread, one element at a time, so each element can be
    /// written to the pipeline before the next page is even requested.
    /// </summary>
    protected IEnumerable<T> Stream<T>(Func<CancellationToken, IAsyncEnumerable<T>> source)
    {
        IAsyncEnumerator<T> enumerator;
        using (Ambient()) enumerator = source(_stop.Token).GetAsyncEnumerator(_stop.Token);
        try
        {
            while (true)
            {
                Task<bool> moved;
                using (Ambient())
                {
                    moved = enumerator.MoveNextAsync().AsTask();
                    Pump(moved);
                }
                if (!Result(moved)) yield break;
                yield return enumerator.Current;
            }
        }
        finally
        {
            var disposed = enumerator.DisposeAsync().AsTask();
            Pump(disposed);
        }
    }

    private void Pump(Task task)
    {
        var handle = ((IAsyncResult)task).AsyncWaitHandle;
        try
        {
            while (!task.IsCompleted)
            {
                handle.WaitOne(100);
                DrainLog();
                if (!task.IsCompleted) OnWaiting();
            }
            DrainLog();
        }
        catch (PipelineStoppedException)
        {
            // Ctrl+C: writing now throws, but the cancelled call may still be cleaning up (deleting an upload session,
            // recording an outcome in the journal). Leaving before it ends would cut that off when the process exits.
            _stop.Cancel();
            handle.WaitOne();
            throw;
        }
    }

    private T Result<T>(Task<T> task)
    {
        try
        {
            return task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }

    private void DrainLog()
    {
        while (_log.TryDequeue(out var entry))
        {
            switch (entry.Level)
            {
                case EngineLogLevel.Debug: WriteDebug(entry.Message); break;
                case EngineLogLevel.Verbose: WriteVerbose(entry.Message); break;
                case EngineLogLevel.Warning: WriteWarning(entry.Message); break;
                // Shown by the host like Write-Host, yet capturable: the information stream with the PSHOST tag.
                case EngineLogLevel.Prompt: WriteInformation(new HostInformationMessage { Message = entry.Message }, new[] { "PSHOST" }); break;
            }
        }
    }

    /// <summary>Writes engine messages of the cmdlet itself through the same redacting path.</summary>
    protected void Verbose(string message)
    {
        using (EngineLog.Use(_log)) EngineLog.Verbose(message);
        DrainLog();
    }

    /// <summary>A failure the service or the sign-in reported (as opposed to a bug): per-input, so written as an error.</summary>
    protected static bool IsServiceFailure(Exception e) => e is GraphException or ExAuthenticationException;

    /// <summary>
    /// An ErrorRecord for a failure: the category follows from what the service said, the message keeps the
    /// service's code and request id, and the offending input is the target object.
    /// </summary>
    protected static ErrorRecord ErrorFor(Exception exception, string errorId, object? target, string? recommendedAction = null)
    {
        var record = new ErrorRecord(exception, errorId, CategoryOf(exception), target);
        var text = AdminText(exception);
        if (recommendedAction is not null || text != exception.Message)
            record.ErrorDetails = new ErrorDetails(text) { RecommendedAction = recommendedAction };
        return record;
    }

    /// <summary>An exception's message as an admin should read it: without .NET's " (Parameter 'x')" tail.</summary>
    protected static string AdminText(Exception exception)
    {
        var message = exception.Message;
        if (exception is ArgumentException { ParamName: { Length: > 0 } name })
        {
            var tail = $" (Parameter '{name}')";
            if (message.EndsWith(tail, StringComparison.Ordinal)) message = message.Substring(0, message.Length - tail.Length);
        }
        return message;
    }

    private static ErrorCategory CategoryOf(Exception exception) => exception switch
    {
        GraphException { StatusCode: System.Net.HttpStatusCode.NotFound } => ErrorCategory.ObjectNotFound,
        GraphException { StatusCode: System.Net.HttpStatusCode.Unauthorized } => ErrorCategory.AuthenticationError,
        GraphException { StatusCode: System.Net.HttpStatusCode.Forbidden } => ErrorCategory.PermissionDenied,
        GraphException { StatusCode: System.Net.HttpStatusCode.Conflict } => ErrorCategory.ResourceExists,
        GraphException { StatusCode: System.Net.HttpStatusCode.BadRequest } => ErrorCategory.InvalidArgument,
        GraphException { StatusCode: (System.Net.HttpStatusCode)429 } => ErrorCategory.LimitsExceeded,
        GraphException { StatusCode: 0 } => ErrorCategory.ConnectionError,
        GraphException => ErrorCategory.ResourceUnavailable,
        ExAuthenticationException => ErrorCategory.AuthenticationError,
        ArgumentException => ErrorCategory.InvalidArgument,
        _ => ErrorCategory.NotSpecified,
    };

    private sealed class AmbientScope : IDisposable
    {
        private readonly IDisposable _log;
        private readonly IDisposable? _meter;

        public AmbientScope(IDisposable log, IDisposable? meter)
        {
            _log = log;
            _meter = meter;
        }

        public void Dispose()
        {
            _meter?.Dispose();
            _log.Dispose();
        }
    }

    private sealed class QueuedLogSink : IEngineLogSink
    {
        private readonly ConcurrentQueue<(EngineLogLevel Level, string Message)> _queue = new();
        public void Write(EngineLogLevel level, string message) => _queue.Enqueue((level, message));
        public bool TryDequeue(out (EngineLogLevel Level, string Message) entry) => _queue.TryDequeue(out entry);
    }
}
