namespace MailboxImportExport.Fts;

/// <summary>
/// The identity of a named property (id ≥ 0x8000) as the stream repeats it on every occurrence: a property set GUID
/// plus either a numeric LID (kind 0) or a string name (kind 1, NUL-terminated UTF-16LE on the wire).
/// </summary>
public sealed class FtsNamedProperty : IEquatable<FtsNamedProperty>
{
    public static readonly Guid PsPublicStrings = new("00020329-0000-0000-C000-000000000046");
    public static readonly Guid PsetidCommon = new("00062008-0000-0000-C000-000000000046");
    public static readonly Guid PsInternetHeaders = new("00020386-0000-0000-C000-000000000046");

    public FtsNamedProperty(Guid propertySet, uint lid)
    {
        PropertySet = propertySet;
        Lid = lid;
    }

    public FtsNamedProperty(Guid propertySet, string name)
    {
        if (string.IsNullOrEmpty(name)) throw new ArgumentException("A named property needs a name.", nameof(name));
        if (name.IndexOf('\0') >= 0) throw new ArgumentException("The name cannot contain NUL: the stream terminates it with NUL.", nameof(name));
        PropertySet = propertySet;
        Name = name;
    }

    public Guid PropertySet { get; }

    /// <summary>The numeric id (kind 0), or null for a string-named property.</summary>
    public uint? Lid { get; }

    /// <summary>The string name (kind 1), or null for a LID-named property.</summary>
    public string? Name { get; }

    public bool Equals(FtsNamedProperty? other) =>
        other is not null && PropertySet == other.PropertySet && Lid == other.Lid && Name == other.Name;

    public override bool Equals(object? obj) => Equals(obj as FtsNamedProperty);
    public override int GetHashCode() => PropertySet.GetHashCode() ^ (Lid?.GetHashCode() ?? 0) ^ (Name?.GetHashCode() ?? 0);
    public override string ToString() => Name is null ? $"{{{PropertySet}}}:0x{Lid:X4}" : $"{{{PropertySet}}}:'{Name}'";
}
