using System.Security.Cryptography;
using System.Text.Json.Nodes;
using MailboxImportExport.Emulator.Storage;

namespace MailboxImportExport.Emulator.Auth;

/// <summary>
/// The device code flow (RFC 8628) as Entra ID runs it: <c>POST /{tenant}/oauth2/v2.0/devicecode</c> starts a
/// sign-in, the user approves or declines it (here through <see cref="EmulatorControl"/>), and the client polls the
/// token endpoint with the device code. Thread-safe.
/// </summary>
internal sealed class DeviceCodes : IGrantHandler
{
    /// <summary>Entra's user codes: nine characters without look-alikes (no 0/O, 1/I).</summary>
    private const string UserCodeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    private sealed class Entry(string deviceCode, string userCode, string clientId, ScopeRequest scopes, DateTimeOffset expires)
    {
        public string DeviceCode { get; } = deviceCode;
        public string UserCode { get; } = userCode;
        public string ClientId { get; } = clientId;
        public ScopeRequest Scopes { get; } = scopes;
        public DateTimeOffset Expires { get; } = expires;
        public UserRecord? ApprovedBy { get; set; }
        public bool Declined { get; set; }
    }

    private readonly Dictionary<string, Entry> _byDeviceCode = new(StringComparer.Ordinal);
    private readonly EmulatorState _state;
    private readonly TimeSpan _pollInterval;

    public DeviceCodes(EmulatorState state, TimeSpan pollInterval)
    {
        _state = state;
        _pollInterval = pollInterval;
    }

    public IReadOnlyList<string> GrantTypes { get; } = new[] { "urn:ietf:params:oauth:grant-type:device_code", "device_code" };

    public bool AllowsPublicClient => true;

    /// <summary>The devicecode endpoint: a new pending sign-in for the client and scopes of the form.</summary>
    public JsonObject Start(RegisteredClient client, IFormCollection form)
    {
        var scopes = ScopeRequest.Parse(form["scope"].ToString());
        var lifetime = _state.Control.DeviceCodeLifetime;
        var userCode = string.Concat(Enumerable.Range(0, 9).Select(_ => UserCodeAlphabet[RandomNumberGenerator.GetInt32(UserCodeAlphabet.Length)]));
        var entry = new Entry(Base64Url.NewSecret(), userCode, client.ClientId, scopes, DateTimeOffset.UtcNow + lifetime);
        lock (_byDeviceCode) _byDeviceCode[entry.DeviceCode] = entry;
        var verificationUri = $"{_state.BaseUri}devicelogin";
        return new JsonObject
        {
            ["user_code"] = entry.UserCode,
            ["device_code"] = entry.DeviceCode,
            ["verification_uri"] = verificationUri,
            ["expires_in"] = (long)lifetime.TotalSeconds,
            ["interval"] = (long)Math.Max(1, _pollInterval.TotalSeconds),
            ["message"] = $"To sign in, use a web browser to open the page {verificationUri} and enter the code {entry.UserCode} to authenticate.",
        };
    }

    public IReadOnlyList<PendingDeviceCode> Pending()
    {
        var now = DateTimeOffset.UtcNow;
        lock (_byDeviceCode)
        {
            return _byDeviceCode.Values.Where(e => e.ApprovedBy is null && !e.Declined && e.Expires > now)
                .Select(e => new PendingDeviceCode(e.UserCode, e.ClientId, e.Scopes.Requested)).ToArray();
        }
    }

    public void Approve(string userCode, UserRecord user) => Decide(userCode, e => e.ApprovedBy = user);

    public void Decline(string userCode) => Decide(userCode, e => e.Declined = true);

    private void Decide(string userCode, Action<Entry> decide)
    {
        lock (_byDeviceCode)
        {
            var entry = _byDeviceCode.Values.FirstOrDefault(e => e.UserCode.Equals(userCode, StringComparison.OrdinalIgnoreCase)
                && e.ApprovedBy is null && !e.Declined && e.Expires > DateTimeOffset.UtcNow)
                ?? throw new KeyNotFoundException($"No pending device code sign-in has the user code '{userCode}'.");
            decide(entry);
        }
    }

    /// <summary>A poll: pending, declined and expired codes answer Entra's errors; an approved code is redeemed once.</summary>
    public JsonObject Handle(TokenRequest request)
    {
        var deviceCode = request.Required("device_code");
        Entry? entry;
        lock (_byDeviceCode)
        {
            if (!_byDeviceCode.TryGetValue(deviceCode, out entry) || !entry.ClientId.Equals(request.Client.ClientId, StringComparison.OrdinalIgnoreCase))
            {
                throw new AadException(400, "invalid_grant", 70000, "Provided grant is invalid or malformed.");
            }
            if (entry.Expires <= DateTimeOffset.UtcNow)
            {
                _byDeviceCode.Remove(deviceCode);
                throw new AadException(400, "expired_token", 70019, "Verification code expired.");
            }
            if (entry.Declined)
            {
                _byDeviceCode.Remove(deviceCode);
                throw new AadException(400, "authorization_declined", 70000, "The user has declined to authorize the request.");
            }
            if (entry.ApprovedBy is null)
            {
                throw new AadException(400, "authorization_pending", 70016, "OAuth 2.0 device flow error. Authorization is pending. Continue polling.");
            }
            _byDeviceCode.Remove(deviceCode);
        }
        return _state.UserTokens.Respond(entry.ClientId, entry.ApprovedBy, entry.Scopes, entry.Scopes.ForSignIn);
    }
}

/// <summary>The refresh_token grant, which MSAL's silent calls use once an access token has expired.</summary>
internal sealed class RefreshTokenGrant(UserTokens tokens) : IGrantHandler
{
    public IReadOnlyList<string> GrantTypes { get; } = new[] { "refresh_token" };

    public bool AllowsPublicClient => true;

    public JsonObject Handle(TokenRequest request)
    {
        return tokens.Refresh(request.Client.ClientId, request.Required("refresh_token"), ScopeRequest.Parse(request.Form["scope"].ToString()));
    }
}
