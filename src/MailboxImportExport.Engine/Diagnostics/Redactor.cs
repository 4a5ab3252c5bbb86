using System.Text.RegularExpressions;

namespace MailboxImportExport.Engine.Diagnostics;

/// <summary>
/// Removes secrets from any text before it reaches a stream, a log, an error or a file: bearer tokens,
/// JWTs, OAuth form and JSON fields, and the <c>authtoken</c> that makes an import URL a credential.
/// Every message the engine emits passes through here, so a secret in a service response cannot leak either.
/// </summary>
public static class Redactor
{
    public const string Mask = "<redacted>";

    private static readonly Regex[] Patterns =
    {
        // The importUrl carries its credential in the query string.
        new(@"(?<keep>[?&]authtoken=)[^&\s'""<>]+", RegexOptions.IgnoreCase | RegexOptions.Compiled),
        new(@"(?<keep>\bBearer\s+)[A-Za-z0-9\-._~+/]+=*", RegexOptions.IgnoreCase | RegexOptions.Compiled),
        // OAuth form fields and JSON properties that hold secrets.
        new(@"(?<keep>\b(?:access_token|refresh_token|id_token|client_secret|client_assertion|assertion|device_code|password)[""']?\s*[:=]\s*[""']?)[^""'&\s,}]+",
            RegexOptions.IgnoreCase | RegexOptions.Compiled),
        // Any JWT, wherever it appears.
        new(@"(?<keep>)\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*", RegexOptions.Compiled),
    };

    public static string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text ?? string.Empty;
        var result = text!;
        foreach (var pattern in Patterns)
            result = pattern.Replace(result, m => m.Groups["keep"].Value + Mask);
        return result;
    }

    /// <summary>An import URL reduced to what is safe to show: scheme, host and path, never the query.</summary>
    public static string DescribeUrl(Uri url) =>
        url.IsAbsoluteUri ? Redact(url.GetLeftPart(UriPartial.Path)) + (string.IsNullOrEmpty(url.Query) ? "" : "?" + Mask) : Redact(url.ToString());
}
