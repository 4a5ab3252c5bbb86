using MailboxImportExport.Emulator.Auth;
using MailboxImportExport.Emulator.Hosting;
using MailboxImportExport.Emulator.Outlook;
using MailboxImportExport.Emulator.Storage;
using MailboxImportExport.Engine.Auth;

namespace MailboxImportExport.Emulator;

/// <summary>Everything one running emulator owns; shared by its pipeline, its handlers and its control hooks.</summary>
internal sealed class EmulatorState : IDisposable
{
    private Uri? _baseUri;

    public EmulatorState(EmulatorOptions options, MailboxStore store)
    {
        Store = store;
        Signer = new TokenSigner(store.GetOrCreateSigningKey());
        AccessTokens = new AccessTokens(Signer, () => BaseUri);
        Clock.Skew = options.ClockSkew;
        Items = new ItemOperations(store, Ids, Clock);
        UploadSessions = new UploadSessions(this);
        ItemProperties = new ItemProperties(store);
        RequestLog = new RequestLog(options.RequestLogWriter);
        Apps.Register(EmulatorDefaults.ClientId, EmulatorDemoApp.ClientSecret, certificate: null, allowPublicClient: true);
        Control = new EmulatorControl(this, options);
        UserTokens = new UserTokens(this);
        DeviceCodes = new DeviceCodes(this, options.DeviceCodePollInterval);
        ManagedIdentities = new ManagedIdentities(this);
    }

    public MailboxStore Store { get; }
    public IdFactory Ids { get; } = IdFactory.Random;
    public ItemOperations Items { get; }
    public UploadSessions UploadSessions { get; }
    public ItemProperties ItemProperties { get; }
    public TokenSigner Signer { get; }
    public AccessTokens AccessTokens { get; }
    public AppRegistrations Apps { get; } = new();
    public UserTokens UserTokens { get; }
    public DeviceCodes DeviceCodes { get; }
    public ManagedIdentities ManagedIdentities { get; }
    public RequestLog RequestLog { get; }
    public FaultInjector Faults { get; } = new();
    public MailboxLimits Limits { get; } = new();
    public ServiceClock Clock { get; } = new();
    public LateCommits LateCommits { get; } = new();
    public ImportCounters Imports { get; } = new();

    /// <summary>Import sessions expired one by one (the 401 fault), by session id.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, bool> ExpiredImportSessions { get; } = new(StringComparer.Ordinal);
    public EmulatorControl Control { get; }

    /// <summary>https://127.0.0.1:port/, known once Kestrel has bound its port.</summary>
    public Uri BaseUri
    {
        get => _baseUri ?? throw new InvalidOperationException("The emulator has not started yet.");
        set => _baseUri = value;
    }

    public void Dispose() => Store.Dispose();
}
