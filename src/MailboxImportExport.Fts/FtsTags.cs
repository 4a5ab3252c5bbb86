namespace MailboxImportExport.Fts;

/// <summary>Property types as they appear in the low word of a FastTransfer property tag (MS-OXCDATA, MS-OXCFXICS).</summary>
public static class FtsPropertyType
{
    public const ushort Int16 = 0x0002;
    public const ushort Int32 = 0x0003;
    public const ushort Float32 = 0x0004;
    public const ushort Float64 = 0x0005;
    public const ushort Currency = 0x0006;
    public const ushort FloatingTime = 0x0007;
    public const ushort ErrorCode = 0x000A;
    /// <summary>Two bytes on the wire inside a FastTransfer stream (one byte elsewhere).</summary>
    public const ushort Boolean = 0x000B;
    public const ushort Object = 0x000D;
    public const ushort Int64 = 0x0014;
    public const ushort String8 = 0x001E;
    public const ushort Unicode = 0x001F;
    /// <summary>FILETIME, UTC.</summary>
    public const ushort Time = 0x0040;
    public const ushort Guid = 0x0048;
    public const ushort ServerId = 0x00FB;
    public const ushort Binary = 0x0102;
    /// <summary>Flag that turns a base type into its multi-valued form.</summary>
    public const ushort MultiValueFlag = 0x1000;
    /// <summary>Flag of a code-page string type: the low 15 bits carry the code page.</summary>
    public const ushort CodePageFlag = 0x8000;
    /// <summary>UTF-16LE code-page string (code page 1200), the form Exchange Online exports use for every string.</summary>
    public const ushort CodePageUnicode = CodePageFlag | 1200;
}

/// <summary>Property ids (the high word of a tag) of the MAPI properties the codec and the emulator care about.</summary>
public static class FtsPropertyId
{
    public const ushort Importance = 0x0017;
    public const ushort MessageClass = 0x001A;
    public const ushort Priority = 0x0026;
    public const ushort Sensitivity = 0x0036;
    public const ushort Subject = 0x0037;
    public const ushort ClientSubmitTime = 0x0039;
    public const ushort SentRepresentingName = 0x0042;
    public const ushort SentRepresentingEmailAddress = 0x0065;
    public const ushort SenderName = 0x0C1A;
    public const ushort RecipientType = 0x0C15;
    public const ushort SenderAddressType = 0x0C1E;
    public const ushort SenderEmailAddress = 0x0C1F;
    public const ushort MessageDeliveryTime = 0x0E06;
    public const ushort MessageFlags = 0x0E07;
    public const ushort MessageRecipients = 0x0E12;
    public const ushort MessageAttachments = 0x0E13;
    public const ushort HasAttachments = 0x0E1B;
    public const ushort AttachSize = 0x0E20;
    public const ushort AttachNumber = 0x0E21;
    public const ushort ObjectType = 0x0FFE;
    public const ushort Body = 0x1000;
    public const ushort InternetMessageId = 0x1035;
    public const ushort Rowid = 0x3000;
    public const ushort DisplayName = 0x3001;
    public const ushort AddressType = 0x3002;
    public const ushort EmailAddress = 0x3003;
    public const ushort CreationTime = 0x3007;
    public const ushort LastModificationTime = 0x3008;
    public const ushort AttachDataBinary = 0x3701;
    public const ushort AttachMethod = 0x3705;
    public const ushort AttachLongFilename = 0x3707;
    public const ushort RenderingPosition = 0x370B;
    public const ushort AttachMimeTag = 0x370E;
    public const ushort DisplayType = 0x3900;
    public const ushort SmtpAddress = 0x39FE;
    public const ushort SenderSmtpAddress = 0x5D01;
    public const ushort SentRepresentingSmtpAddress = 0x5D02;
    /// <summary>Ids at or above this one are named properties: the tag is followed by a GUID and a LID or name.</summary>
    public const ushort FirstNamed = 0x8000;
}

/// <summary>Markers (tags without a value) and meta-properties of MS-OXCFXICS §2.2.4.1.4–5.</summary>
public static class FtsMarker
{
    public const uint NewAttach = 0x40000003;
    public const uint StartEmbed = 0x40010003;
    public const uint EndEmbed = 0x40020003;
    public const uint StartRecip = 0x40030003;
    public const uint EndToRecip = 0x40040003;
    public const uint StartTopFld = 0x40090003;
    public const uint StartSubFld = 0x400A0003;
    public const uint EndFolder = 0x400B0003;
    public const uint StartMessage = 0x400C0003;
    public const uint EndMessage = 0x400D0003;
    public const uint EndAttach = 0x400E0003;
    public const uint StartFaiMessage = 0x40100003;
    public const uint IncrSyncChange = 0x40120003;
    public const uint IncrSyncDelete = 0x40130003;
    public const uint IncrSyncEnd = 0x40140003;
    public const uint IncrSyncMessage = 0x40150003;
    public const uint FxErrorInfo = 0x40180003;
    public const uint IncrSyncRead = 0x402F0003;
    public const uint IncrSyncStateBegin = 0x403A0003;
    public const uint IncrSyncStateEnd = 0x403B0003;
    public const uint IncrSyncChangePartial = 0x407D0003;

    /// <summary>Meta-property whose int32 value names a collection (recipients, attachments) the importer replaces.</summary>
    public const uint MetaTagFxDelProp = 0x40160003;
    public const uint MetaTagEcWarning = 0x400F0003;
    /// <summary>Typed int32 but carries a counted binary (ICS state streams only).</summary>
    public const uint MetaTagIdsetGiven = 0x40170003;
    /// <summary>Property id of MetaTagDnPrefix; its type is a string or code-page string.</summary>
    public const ushort MetaTagDnPrefixId = 0x4008;

    private static readonly HashSet<uint> Markers = new()
    {
        NewAttach, StartEmbed, EndEmbed, StartRecip, EndToRecip, StartTopFld, StartSubFld, EndFolder,
        StartMessage, EndMessage, EndAttach, StartFaiMessage, IncrSyncChange, IncrSyncDelete, IncrSyncEnd,
        IncrSyncMessage, FxErrorInfo, IncrSyncRead, IncrSyncStateBegin, IncrSyncStateEnd, IncrSyncChangePartial,
    };

    /// <summary>True for a marker: a tag that stands alone, with no value bytes after it.</summary>
    public static bool IsMarker(uint tag) => Markers.Contains(tag);
}
