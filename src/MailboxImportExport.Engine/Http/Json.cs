using System.Text.Json;
using System.Text.Json.Serialization;

namespace MailboxImportExport.Engine.Http;

/// <summary>Serializer settings for every call: the service mixes camelCase and PascalCase, so reads ignore case.</summary>
internal static class Json
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNameCaseInsensitive = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };
}
