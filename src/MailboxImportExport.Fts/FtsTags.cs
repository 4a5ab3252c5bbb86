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

    /// <summary>Bytes of a fixed-size value in a FastTransfer stream (booleans take two); null for other types.</summary>
    public static int? FixedSizeOf(ushort type) => type switch
    {
        Int16 => 2,
        Boolean => 2,
        Int32 or Float32 or ErrorCode => 4,
        Float64 or Currency or FloatingTime or Int64 or Time => 8,
        Guid => 16,
        _ => null,
    };

    /// <summary>True for the types written as a length and that many bytes (strings of any code page included).</summary>
    public static bool IsVariableSize(ushort type) =>
        type is String8 or Unicode or Binary or ServerId or Object
        || (type & CodePageFlag) != 0;

    /// <summary>
    /// True for a multi-valued type. The 15-bit code page of a code-page string overlaps the multi-value bit: such a
    /// type is multi-valued only when the code page without that bit is a real one and the code page with it is not
    /// (0x94B0 = multi-valued code page 1200).
    /// </summary>
    public static bool IsMultiValued(ushort type)
    {
        if ((type & CodePageFlag) == 0) return (type & MultiValueFlag) != 0;
        var codePage = type & 0x7FFF;
        return (codePage & MultiValueFlag) != 0
            && !KnownCodePages.Contains(codePage)
            && KnownCodePages.Contains(codePage & ~MultiValueFlag);
    }

    private static readonly HashSet<int> KnownCodePages = new()
    {
        437, 850, 874, 932, 936, 949, 950, 1200, 1201, 1250, 1251, 1252, 1253, 1254, 1255, 1256, 1257, 1258,
        20127, 28591, 28592, 28593, 28594, 28595, 28596, 28597, 28598, 28599, 28603, 28605,
    };

    /// <summary>True for the string types: Unicode, 8-bit and code-page strings (single-valued).</summary>
    public static bool IsString(ushort type) => type is String8 or Unicode || ((type & CodePageFlag) != 0 && !IsMultiValued(type));
}

/// <summary>Property ids (the high word of a tag) of the MAPI properties the codec and the emulator care about.</summary>
public static class FtsPropertyId
{
    public const ushort Importance = 0x0017;
    public const ushort ReadReceiptRequested = 0x0029;
    public const ushort ReceivedByName = 0x0040;
    public const ushort SentRepresentingAddressType = 0x0064;
    public const ushort TransportMessageHeaders = 0x007D;
    public const ushort DisplayBcc = 0x0E02;
    public const ushort DisplayCc = 0x0E03;
    public const ushort DisplayTo = 0x0E04;
    public const ushort MessageSize = 0x0E08;
    public const ushort NormalizedSubject = 0x0E1D;
    public const ushort SubjectPrefix = 0x003D;
    public const ushort RtfCompressed = 0x1009;
    public const ushort Html = 0x1013;
    public const ushort InReplyToId = 0x1042;
    public const ushort InternetReferences = 0x1039;
    public const ushort AttachExtension = 0x3703;
    public const ushort AttachFilename = 0x3704;
    public const ushort AttachContentId = 0x3712;
    public const ushort AttachContentLocation = 0x3713;
    public const ushort AttachFlags = 0x3714;
    public const ushort AttachmentHidden = 0x7FFE;
    public const ushort InternetCodepage = 0x3FDE;
    public const ushort MessageCodepage = 0x3FFD;
    public const ushort StoreSupportMask = 0x340D;
    public const ushort IconIndex = 0x1080;
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
