namespace MailboxImportExport.Emulator.Hosting;

/// <summary>
/// What every mailbox request (Graph under /admin/exchange/mailboxes and the importUrl) goes through once it is
/// authenticated: admission into its (app, mailbox) lane under Outlook's limits, the service time it holds its slot
/// for, then the injected fault, if any, around the handler.
/// </summary>
internal static class MailboxGate
{
    /// <param name="handler">The work, given the context to run on (a detached copy when a late commit runs it later).</param>
    public static async Task RunAsync(EmulatorState state, HttpContext http, string appId, string mailboxId, Func<HttpContext, Task> handler)
    {
        var trace = RequestTrace.Of(http);
        var lane = new EmulatorLane(appId, mailboxId);
        trace.Lane = lane;
        var control = state.Control;
        IDisposable slot;
        try
        {
            slot = state.Limits.Admit(lane, UploadBytes(http.Request), control.MailboxConcurrencyLimit, control.RequestRateLimit, control.UploadLimit);
        }
        catch (Graph.GraphException e) when (e.StatusCode == 429)
        {
            trace.Throttled = e.ThrottledLimit;
            throw;
        }
        using (slot)
        {
            if (control.NextServiceTime() is { Ticks: > 0 } serviceTime) await Task.Delay(serviceTime, http.RequestAborted);
            await FaultRunner.RunAsync(state, http, state.Faults.TryTake(trace.Info), handler);
        }
    }

    /// <summary>The bytes a request uploads: its body, for the methods Outlook counts (POST, PUT, PATCH).</summary>
    private static long UploadBytes(HttpRequest request) =>
        request.Method is "POST" or "PUT" or "PATCH" ? request.ContentLength ?? 0 : 0;
}
