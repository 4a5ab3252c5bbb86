using System.Management.Automation;
using System.Net;
using MailboxImportExport.Engine.Http;
using MailboxImportExport.Engine.Services;

namespace MailboxImportExport;

/// <summary>
/// Base of the cmdlets that can return only what changed since a previous run (-Delta). The next token goes
/// to the -DeltaStatePath file and/or the variable named by -DeltaTokenVariable, and only once a round has been
/// read to its end, so an interrupted run is simply repeated.
/// </summary>
public abstract class ExDeltaCmdlet : ExCmdlet
{
    private DeltaStateFile? _stateFile;
    private int _rounds;

    /// <summary>Return changed and removed entries since the token (all entries, first time) instead of a listing.</summary>
    [Parameter]
    public SwitchParameter Delta { get; set; }

    /// <summary>The token of an earlier -Delta run, from -DeltaTokenVariable.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? DeltaToken { get; set; }

    /// <summary>A file that keeps the tokens between runs: read before, updated after each complete round.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? DeltaStatePath { get; set; }

    /// <summary>The name of a variable to receive the next delta token.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? DeltaTokenVariable { get; set; }

    protected override void BeginProcessing()
    {
        if (!Delta && (DeltaToken is not null || DeltaStatePath is not null || DeltaTokenVariable is not null))
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("-DeltaToken, -DeltaStatePath and -DeltaTokenVariable go with -Delta."),
                "DeltaParameterWithoutDelta", ErrorCategory.InvalidArgument, null));
        if (DeltaStatePath is not null)
        {
            try
            {
                _stateFile = DeltaStateFile.Open(SessionState.Path.GetUnresolvedProviderPathFromPSPath(DeltaStatePath));
            }
            catch (InvalidDataException e)
            {
                ThrowTerminatingError(new ErrorRecord(e, "DeltaStateFileInvalid", ErrorCategory.InvalidData, DeltaStatePath));
            }
        }
    }

    /// <summary>Runs one delta round for <paramref name="key"/>, writing each change as it arrives.</summary>
    protected void WriteDelta<T>(string key, object target, Func<string?, DeltaCursor, CancellationToken, IAsyncEnumerable<T>> changes)
    {
        if (DeltaToken is not null && _rounds > 0)
        {
            WriteError(new ErrorRecord(new ArgumentException($"-DeltaToken belongs to one folder or mailbox, but a second one ({target}) came down the pipeline. Use -DeltaStatePath to track several."),
                "DeltaTokenForSeveralInputs", ErrorCategory.InvalidArgument, target));
            return;
        }
        _rounds++;
        var token = DeltaToken ?? _stateFile?.Get(key);
        Verbose(token is null ? $"Delta: no token for {target}; reading everything once to start tracking changes." : $"Delta: reading changes of {target} since the stored token.");
        var cursor = new DeltaCursor();
        try
        {
            foreach (var change in Stream(ct => changes(token, cursor, ct)))
                WriteObject(change);
        }
        catch (GraphException e) when (e.StatusCode == HttpStatusCode.Gone || e.Code is "syncStateNotFound" or "resyncRequired")
        {
            _stateFile?.Set(key, null);
            WriteError(ErrorFor(e, "DeltaTokenExpired", target,
                "The service no longer knows this delta token. Run again without -DeltaToken for a full sync" +
                (_stateFile is null ? "." : "; the stale token was removed from the state file, so the next run does that by itself.")));
            return;
        }
        catch (ArgumentException e)
        {
            WriteError(ErrorFor(e, "DeltaTokenInvalid", target));
            return;
        }

        if (cursor.DeltaToken is null) return;
        _stateFile?.Set(key, cursor.DeltaToken);
        if (DeltaTokenVariable is not null) SessionState.PSVariable.Set(DeltaTokenVariable, cursor.DeltaToken);
    }
}
