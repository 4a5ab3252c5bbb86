using System.Net;
using System.Text;

namespace MailboxImportExport.Emulator.Auth;

/// <summary>
/// <c>{BaseUri}devicelogin</c>, the page a device code sign-in names: a form where the person enters the code and
/// the account to sign in as, then approves or declines. It lets a standalone emulator (a Pester run, a demo)
/// complete <c>Connect-ExMailboxService -UseDeviceCode</c> in a browser or with one POST, as in-process tests do
/// with <see cref="EmulatorControl.ApproveDeviceCode"/>. There is no password: every user of the tenant may sign in.
/// </summary>
internal sealed class DeviceLoginPage
{
    private readonly EmulatorState _state;

    public DeviceLoginPage(EmulatorState state) => _state = state;

    public static bool IsRoute(IReadOnlyList<string> segments) => segments is ["devicelogin"];

    public async Task HandleAsync(HttpContext http)
    {
        switch (http.Request.Method)
        {
            case "GET":
                await WriteAsync(http, 200, Form(_state.Control.DefaultSignInUser, message: null));
                break;
            case "POST" when http.Request.HasFormContentType:
                var form = await http.Request.ReadFormAsync(http.RequestAborted);
                var (status, body) = Decide(form["code"].ToString().Trim(), form["username"].ToString().Trim(), form["action"].ToString());
                await WriteAsync(http, status, body);
                break;
            default:
                await WriteAsync(http, 405, Form(_state.Control.DefaultSignInUser, "Send the form: POST code, username and action (approve or decline)."));
                break;
        }
    }

    private (int Status, string Body) Decide(string code, string username, string action)
    {
        if (code.Length == 0) return (400, Form(username, "Enter the code that the sign-in showed."));
        try
        {
            if (action.Equals("decline", StringComparison.OrdinalIgnoreCase))
            {
                _state.Control.DenyDeviceCode(code);
                return (200, Page("Sign-in declined", Paragraph("You declined the sign-in. You can close this window.")));
            }
            if (username.Length == 0) return (400, Form(username, "Enter the account to sign in as, for example alice@contoso.test."));
            _state.Control.ApproveDeviceCode(code, username);
            return (200, Page("Signed in", Paragraph($"You signed in as {username}. You can close this window and return to the application.")));
        }
        catch (KeyNotFoundException e)
        {
            // An unknown, used or expired code, or a user the tenant does not have: say which, and let them try again.
            return (400, Form(username, e.Message));
        }
    }

    private static string Form(string username, string? message) => Page("Enter code", $"""
        {(message is null ? "" : Paragraph(message))}
        <form method="post">
          <label>Code <input name="code" autocomplete="off" autofocus></label>
          <label>Account <input name="username" value="{Encode(username)}"></label>
          <button name="action" value="approve">Sign in</button>
          <button name="action" value="decline">Decline</button>
        </form>
        """);

    private static string Page(string title, string bodyHtml) => $"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>{Encode(title)} - MailboxImportExport emulator</title></head>
        <body><h1>{Encode(title)}</h1>
        {bodyHtml}
        </body></html>
        """;

    private static string Paragraph(string text) => $"<p>{Encode(text)}</p>";

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private static Task WriteAsync(HttpContext http, int status, string html)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/html; charset=utf-8";
        return http.Response.WriteAsync(html, Encoding.UTF8, http.RequestAborted);
    }
}
