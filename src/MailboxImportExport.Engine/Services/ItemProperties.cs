using System.Globalization;
using System.Text.Json.Serialization;
using MailboxImportExport.Engine.Models;

namespace MailboxImportExport.Engine.Services;

/// <summary>
/// What admins know items by (subject, sender, received time) is not part of mailboxItem: the service gives it only as
/// extended properties, read with the listing through <c>$expand</c> (graph-api-notes §6), so no call per item.
/// </summary>
internal static class ItemProperties
{
    private static readonly (string Type, ushort Tag, Action<ExMailboxItem, string> Set)[] Read =
    {
        ("String", 0x0037, (item, value) => item.Subject = value),
        ("String", 0x0C1A, (item, value) => item.SenderName = value),
        ("String", 0x5D01, (item, value) => item.SenderAddress = value),
        ("SystemTime", 0x0E06, (item, value) => item.ReceivedDateTime = ParseTime(value)),
    };

    /// <summary>The <c>$expand</c> value that asks for them.</summary>
    public static readonly string Expand =
        "singleValueExtendedProperties($filter=" + string.Join(" or ", Read.Select(p => $"id eq '{p.Type} 0x{p.Tag:X4}'")) + ")";

    public static void Apply(IEnumerable<Value>? values, ExMailboxItem item)
    {
        foreach (var value in values ?? Enumerable.Empty<Value>())
        {
            if (value.Id is null || value.Text is null || !TryParseId(value.Id, out var type, out var tag)) continue;
            foreach (var property in Read)
                if (property.Tag == tag && string.Equals(property.Type, type, StringComparison.OrdinalIgnoreCase)) property.Set(item, value.Text);
        }
    }

    /// <summary>Ids come back normalised (<c>String 0x37</c>), so they are compared by type and number, not as text.</summary>
    private static bool TryParseId(string id, out string type, out ushort tag)
    {
        var parts = id.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
        type = parts.Length == 2 ? parts[0] : "";
        tag = 0;
        return parts.Length == 2 && parts[1].StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            && ushort.TryParse(parts[1].Substring(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out tag);
    }

    private static DateTimeOffset? ParseTime(string value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : null;

    internal sealed class Value
    {
        [JsonPropertyName("id")] public string? Id { get; set; }
        [JsonPropertyName("value")] public string? Text { get; set; }
    }
}
