using System.Collections.Concurrent;
using System.Globalization;
using MailboxImportExport.Fts;

namespace MailboxImportExport.Emulator.Storage;

/// <summary>
/// A MAPI property as Graph names it in <c>singleValueExtendedProperties</c>: a type name and a numeric tag, such as
/// <c>String 0x0037</c>. Parsed in any casing and zero-padding; written the way Graph normalises it (<c>String 0x37</c>,
/// <c>Binary 0x300b</c>).
/// </summary>
internal readonly record struct ExtendedPropertyId(string Type, ushort Tag)
{
    // Graph's type names and the FastTransfer types whose values they name.
    private static readonly (string Name, ushort[] FtsTypes)[] Types =
    {
        ("Binary", new[] { FtsPropertyType.Binary, FtsPropertyType.ServerId }),
        ("Boolean", new[] { FtsPropertyType.Boolean }),
        ("CLSID", new[] { FtsPropertyType.Guid }),
        ("Currency", new[] { FtsPropertyType.Currency }),
        ("Double", new[] { FtsPropertyType.Float64 }),
        ("Float", new[] { FtsPropertyType.Float32 }),
        ("Integer", new[] { FtsPropertyType.Int32 }),
        ("Long", new[] { FtsPropertyType.Int64 }),
        ("Short", new[] { FtsPropertyType.Int16 }),
        ("String", new[] { FtsPropertyType.Unicode, FtsPropertyType.String8 }),
        ("SystemTime", new[] { FtsPropertyType.Time }),
    };

    public override string ToString() => $"{Type} 0x{Tag:x}";

    /// <summary>Parses <c>Type 0xTag</c>; named properties (<c>String {guid} Name x</c>) and other forms are refused with the reason.</summary>
    public static bool TryParse(string text, out ExtendedPropertyId id, out string? problem)
    {
        id = default;
        var parts = text.Trim().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2)
        {
            problem = parts.Length > 2 && parts[1].StartsWith('{')
                ? $"the named property '{text}' is not supported by the emulator; use a property tag such as 'String 0x0037'"
                : $"'{text}' is not a property id such as 'String 0x0037'";
            return false;
        }
        var type = Types.FirstOrDefault(t => t.Name.Equals(parts[0], StringComparison.OrdinalIgnoreCase)).Name;
        var tag = parts[1];
        if (type is null || !tag.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            || !ushort.TryParse(tag.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var number))
        {
            problem = $"'{text}' is not a property id such as 'String 0x0037'";
            return false;
        }
        id = new ExtendedPropertyId(type, number);
        problem = null;
        return true;
    }

    /// <summary>The Graph type name of a FastTransfer property type; null for types Graph does not name (objects, multi-valued).</summary>
    public static string? TypeNameOf(ushort ftsType)
    {
        if ((ftsType & FtsPropertyType.CodePageFlag) != 0) return "String";
        return Types.FirstOrDefault(t => t.FtsTypes.Contains(ftsType)).Name;
    }
}

/// <summary>
/// The single-value properties of an item itself (not of its recipients, attachments or embedded messages), read from
/// its stored export with the engine's FastTransfer reader, as Graph would show them: every value a string. Values
/// larger than the tokenizer keeps in memory (bodies of 64 KiB and more, attachment data) are left out. Cached per item
/// version, since an item's changeKey changes with its content.
/// </summary>
internal sealed class ItemProperties
{
    private readonly MailboxStore _store;
    private readonly ConcurrentDictionary<(string ItemId, string ChangeKey), IReadOnlyDictionary<ExtendedPropertyId, string>> _cache = new();

    public ItemProperties(MailboxStore store) => _store = store;

    /// <summary>The item's properties; empty when the item is gone or its stream cannot be read.</summary>
    public IReadOnlyDictionary<ExtendedPropertyId, string> Of(string mailboxId, string itemId, string changeKey) =>
        _cache.GetOrAdd((itemId, changeKey), _ => _store.GetItemWithData(mailboxId, itemId) is { } found
            ? Read(found.Data)
            : new Dictionary<ExtendedPropertyId, string>());

    public static IReadOnlyDictionary<ExtendedPropertyId, string> Read(byte[] blob)
    {
        var properties = new Dictionary<ExtendedPropertyId, string>();
        try
        {
            var tokenizer = new FtsTokenizer(FtsPayloadStream.Open(new MemoryStream(blob, writable: false)));
            var depth = 0;
            while (tokenizer.Read() is { } element)
            {
                if (element.Kind == FtsElementKind.Marker)
                {
                    depth += element.Tag switch
                    {
                        FtsMarker.StartRecip or FtsMarker.NewAttach or FtsMarker.StartEmbed => 1,
                        FtsMarker.EndToRecip or FtsMarker.EndAttach or FtsMarker.EndEmbed => -1,
                        _ => 0,
                    };
                    continue;
                }
                if (depth != 0 || element.Kind != FtsElementKind.Property || element.Named is not null || element.IsMultiValued) continue;
                if (ExtendedPropertyId.TypeNameOf(element.PropertyType) is { } type && Value(element) is { } value)
                    properties[new ExtendedPropertyId(type, element.PropertyId)] = value;
            }
        }
        catch (Exception e) when (e is FtsFormatException or IOException)
        {
            // What was read before the damage stays: the service shows what it has.
        }
        return properties;
    }

    private static string? Value(FtsElement element)
    {
        if (element.Value is null) return null;
        if (element.GetString() is { } text) return text;
        return element.PropertyType switch
        {
            FtsPropertyType.Time => element.GetTime() is { } time ? time.ToString("yyyy-MM-ddTHH:mm:ss'Z'", CultureInfo.InvariantCulture) : null,
            FtsPropertyType.Int32 => element.GetInt32()?.ToString(CultureInfo.InvariantCulture),
            FtsPropertyType.Int64 => element.GetInt64()?.ToString(CultureInfo.InvariantCulture),
            FtsPropertyType.Boolean => element.GetBoolean() is { } flag ? (flag ? "true" : "false") : null,
            FtsPropertyType.Int16 when element.Value.Length >= 2 => BitConverter.ToInt16(element.Value, 0).ToString(CultureInfo.InvariantCulture),
            FtsPropertyType.Float64 when element.Value.Length == 8 => BitConverter.ToDouble(element.Value, 0).ToString("R", CultureInfo.InvariantCulture),
            FtsPropertyType.Guid when element.Value.Length == 16 => new Guid(element.Value).ToString(),
            _ => Convert.ToBase64String(element.Value),
        };
    }
}
