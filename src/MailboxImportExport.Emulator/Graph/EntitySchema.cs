namespace MailboxImportExport.Emulator.Graph;

internal enum PropertyKind
{
    String,
    Number,
    DateTime,
    Collection,
}

/// <summary>The properties of an entity type that $select, $filter and $orderby may name (case-insensitively).</summary>
internal sealed class EntitySchema
{
    private readonly Dictionary<string, (string Canonical, PropertyKind Kind)> _properties = new(StringComparer.OrdinalIgnoreCase);

    private EntitySchema(string typeName, params (string Name, PropertyKind Kind)[] properties)
    {
        TypeName = typeName;
        foreach (var (name, kind) in properties) _properties[name] = (name, kind);
    }

    public static EntitySchema Folder { get; } = new("microsoft.graph.mailboxFolder",
        ("id", PropertyKind.String), ("displayName", PropertyKind.String), ("parentFolderId", PropertyKind.String),
        ("childFolderCount", PropertyKind.Number), ("totalItemCount", PropertyKind.Number), ("type", PropertyKind.String),
        ("wellKnownName", PropertyKind.String), ("parentMailboxUrl", PropertyKind.String));

    /// <summary>
    /// mailboxItem. The item-delta docs filter and sort on receivedDateTime, which the type does not have; it is
    /// accepted as another name for createdDateTime (the time the item arrived in the mailbox).
    /// </summary>
    public static EntitySchema Item { get; } = new EntitySchema("microsoft.graph.mailboxItem",
        ("id", PropertyKind.String), ("createdDateTime", PropertyKind.DateTime), ("lastModifiedDateTime", PropertyKind.DateTime),
        ("changeKey", PropertyKind.String), ("categories", PropertyKind.Collection), ("type", PropertyKind.String),
        ("size", PropertyKind.Number))
        .WithAlias("receivedDateTime", "createdDateTime");

    /// <summary>user, as <c>GET /users</c> lists it; its string properties also take <c>startswith</c> in $filter.</summary>
    public static EntitySchema User { get; } = new EntitySchema("microsoft.graph.user",
        ("id", PropertyKind.String), ("userPrincipalName", PropertyKind.String), ("displayName", PropertyKind.String), ("mail", PropertyKind.String))
        { AllowsStartsWith = true };

    public string TypeName { get; }

    /// <summary>Whether $filter may use <c>startswith(property,'text')</c> on this type's strings.</summary>
    public bool AllowsStartsWith { get; private init; }

    public bool TryResolve(string name, out string canonical, out PropertyKind kind)
    {
        if (_properties.TryGetValue(name, out var property))
        {
            (canonical, kind) = property;
            return true;
        }
        canonical = name;
        kind = default;
        return false;
    }

    /// <summary>The canonical property name, or a 400 naming the property as Graph does.</summary>
    public (string Canonical, PropertyKind Kind) Resolve(string name) =>
        TryResolve(name, out var canonical, out var kind)
            ? (canonical, kind)
            : throw GraphException.BadRequest($"Could not find a property named '{name}' on type '{TypeName}'.");

    private EntitySchema WithAlias(string alias, string target)
    {
        _properties[alias] = _properties[target];
        return this;
    }
}
