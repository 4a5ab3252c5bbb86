namespace MailboxImportExport.Engine.Diagnostics;

public enum EngineLogLevel
{
    Debug,
    Verbose,
    Warning,
    /// <summary>Something the user must read and act on now (a device code to enter), shown whatever the preferences.</summary>
    Prompt,
}

/// <summary>Where the engine's diagnostics go. The module queues them and writes them on the pipeline thread.</summary>
public interface IEngineLogSink
{
    void Write(EngineLogLevel level, string message);
}

/// <summary>
/// The ambient log of the current operation. A cmdlet sets it for the duration of one call, and it flows
/// through every await of that call, so a shared GraphClient logs to whichever cmdlet is using it.
/// Messages are redacted here, once, so no caller can forget.
/// </summary>
public static class EngineLog
{
    private static readonly AsyncLocal<IEngineLogSink?> CurrentSink = new();

    public static IDisposable Use(IEngineLogSink sink)
    {
        var previous = CurrentSink.Value;
        CurrentSink.Value = sink;
        return new Restore(previous);
    }

    public static void Debug(string message) => Write(EngineLogLevel.Debug, message);
    public static void Verbose(string message) => Write(EngineLogLevel.Verbose, message);
    public static void Warning(string message) => Write(EngineLogLevel.Warning, message);
    public static void Prompt(string message) => Write(EngineLogLevel.Prompt, message);

    private static void Write(EngineLogLevel level, string message) =>
        CurrentSink.Value?.Write(level, Redactor.Redact(message));

    private sealed class Restore : IDisposable
    {
        private readonly IEngineLogSink? _previous;
        public Restore(IEngineLogSink? previous) => _previous = previous;
        public void Dispose() => CurrentSink.Value = _previous;
    }
}
