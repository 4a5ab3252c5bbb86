using System.Text.Json.Serialization;

namespace MailboxImportExport.Engine.Http;

/// <summary>One page of an OData collection or delta response.</summary>
public sealed class ODataPage<T>
{
    [JsonPropertyName("value")] public List<T> Value { get; set; } = new();
    [JsonPropertyName("@odata.nextLink")] public string? NextLink { get; set; }
    [JsonPropertyName("@odata.deltaLink")] public string? DeltaLink { get; set; }
    [JsonPropertyName("@odata.count")] public long? Count { get; set; }
}
