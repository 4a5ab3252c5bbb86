using System.Diagnostics;
using System.Text.Json.Nodes;
using MailboxImportExport.Engine.Auth;

namespace MailboxImportExport.Tests;

/// <summary>The emulator as a script starts it: a child process whose lines up to "Emulator listening on" are read,
/// and an HttpClient that trusts its certificate (and no other) at the address it printed.</summary>
public sealed class CommandLineEmulator : IAsyncDisposable
{
    private const string ListeningLine = "Emulator listening on ";
    private readonly Process _process;

    private CommandLineEmulator(Process process, Uri baseUri, List<string> printed)
    {
        _process = process;
        BaseUri = baseUri;
        Printed = printed;
        Http = new HttpClient(new LoopbackCertificatePin(baseUri).CreateHandler());
    }

    public Uri BaseUri { get; }
    public IReadOnlyList<string> Printed { get; }
    public HttpClient Http { get; }
    public int ProcessId => _process.Id;
    public int ExitCode => _process.ExitCode;

    /// <summary>Starts <paramref name="start"/> (its output streams redirected here) and waits until it listens.</summary>
    public static async Task<CommandLineEmulator> StartAsync(ProcessStartInfo start)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var process = Process.Start(start)!;
        var printed = new List<string>();
        while (await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(120)) is { } line)
        {
            if (line.StartsWith(ListeningLine, StringComparison.Ordinal))
                return new CommandLineEmulator(process, new Uri(line[ListeningLine.Length..]), printed);
            printed.Add(line);
        }
        throw new InvalidOperationException("The emulator ended before listening: " + await process.StandardError.ReadToEndAsync());
    }

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>An app-only access token of the client credentials flow at the emulator's sign-in endpoint.</summary>
    public async Task<string> ClientCredentialsTokenAsync(string tenantId, string clientId, string clientSecret)
    {
        using var response = await Http.PostAsync($"{BaseUri}{tenantId}/oauth2/v2.0/token",
            new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = clientId,
                ["client_secret"] = clientSecret,
                ["scope"] = "https://graph.microsoft.com/.default",
            }));
        return (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["access_token"]!;
    }

    /// <summary>GET of <paramref name="path"/> (relative to the emulator's address) with a bearer token.</summary>
    public async Task<HttpResponseMessage> GetAsync(string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{BaseUri}{path}");
        request.Headers.Authorization = new("Bearer", token);
        return await Http.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
