namespace MailboxImportExport.Fts;

/// <summary>The bytes are not a well-formed export envelope or FastTransfer stream. Carries where it went wrong.</summary>
public sealed class FtsFormatException : Exception
{
    public FtsFormatException(string message, long offset)
        : base($"{message} (at offset {offset})")
    {
        Offset = offset;
    }

    /// <summary>Byte offset of the problem: inside the envelope for envelope errors, inside the FTS otherwise.</summary>
    public long Offset { get; }
}
