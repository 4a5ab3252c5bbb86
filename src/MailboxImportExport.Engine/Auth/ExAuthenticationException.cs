using MailboxImportExport.Engine.Diagnostics;

namespace MailboxImportExport.Engine.Auth;

/// <summary>Sign-in failed. The message says why and what to do; it never carries a secret.</summary>
public sealed class ExAuthenticationException : Exception
{
    public ExAuthenticationException(string code, string message, Exception? inner = null)
        : base(Redactor.Redact(message), inner)
    {
        Code = code;
    }

    /// <summary>The identity provider's error code (e.g. <c>invalid_client</c>), or the module's own.</summary>
    public string Code { get; }
}
