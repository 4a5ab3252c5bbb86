namespace MailboxImportExport.Fts;

/// <summary>
/// The exporting server's version as carried by the TellPartnerVersion record: three little-endian words in the
/// MS-OXCRPC §3.1.4.1.3.1 format (high bit of the second word set: major/minor packed into the first word).
/// </summary>
public readonly struct FtsServerVersion : IEquatable<FtsServerVersion>
{
    public FtsServerVersion(int major, int minor, int build, int revision)
    {
        if (major is < 0 or > 0xFF || minor is < 0 or > 0xFF || build is < 0 or > 0x7FFF || revision is < 0 or > 0xFFFF)
        {
            throw new ArgumentOutOfRangeException(nameof(build), "The version does not fit the three-word format.");
        }
        Major = major;
        Minor = minor;
        Build = build;
        Revision = revision;
    }

    /// <summary>The Exchange Online build the writer stamps by default (a 15.20 build, like real exports).</summary>
    public static FtsServerVersion ExchangeOnlineDefault { get; } = new(15, 20, 8964, 12);

    public int Major { get; }
    public int Minor { get; }
    public int Build { get; }
    public int Revision { get; }

    internal static FtsServerVersion FromWords(ushort w0, ushort w1, ushort w2) =>
        (w1 & 0x8000) != 0
            ? new FtsServerVersion(w0 >> 8, w0 & 0xFF, w1 & 0x7FFF, w2)
            // Old format: the first word is the major version alone (MS-OXCRPC).
            : new FtsServerVersion(Math.Min((int)w0, 0xFF), 0, w1, w2);

    internal void ToWords(out ushort w0, out ushort w1, out ushort w2)
    {
        w0 = (ushort)((Major << 8) | Minor);
        w1 = (ushort)(0x8000 | Build);
        w2 = (ushort)Revision;
    }

    public override string ToString() => $"{Major}.{Minor}.{Build}.{Revision}";
    public bool Equals(FtsServerVersion other) =>
        Major == other.Major && Minor == other.Minor && Build == other.Build && Revision == other.Revision;
    public override bool Equals(object? obj) => obj is FtsServerVersion other && Equals(other);
    public override int GetHashCode() => ((Major * 397 ^ Minor) * 397 ^ Build) * 397 ^ Revision;
}
