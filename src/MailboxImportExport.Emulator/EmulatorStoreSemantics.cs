namespace MailboxImportExport.Emulator;

/// <summary>
/// What createdDateTime an imported item gets (exactly-once-notes §2, §6.2). Exchange sets PidTagCreationTime when it
/// creates the message, before the stream is applied, and clients may not set it: the import time is the expected
/// behaviour; the source's time would mean EXO imports as a mailbox-move logon (unconfirmed).
/// </summary>
public enum ImportedCreatedDateTime
{
    /// <summary>The time of the import, on the service clock (the default).</summary>
    ImportTime,

    /// <summary>The PidTagCreationTime carried in the imported stream (the import time when it carries none).</summary>
    Source,
}

/// <summary>
/// Whether an imported item keeps the PidTagSearchKey of its stream (exactly-once-notes §2: the expected behaviour,
/// copies keep their search key) or gets one of its own, as if the store dropped the streamed value.
/// </summary>
public enum ImportedSearchKey
{
    /// <summary>The stream's search key (the default).</summary>
    Kept,

    /// <summary>
    /// A new random key of the same length, written into the stored blob, so exports and extended-property reads of
    /// the target show it; an update keeps the key the item already had.
    /// </summary>
    Regenerated,
}
