using System.Text;
using MailboxImportExport.Fts;
using MailboxImportExport.Fts.Tests;
using MailboxImportExport.Engine.Transfer;

namespace MailboxImportExport.Engine.Tests.Transfer;

/// <summary>Items and service answers for the transfer tests.</summary>
internal static class TransferTestData
{
    public const string Mailbox = "MBX:11111111-2222-3333-4444-555555555555@tenant";

    /// <summary>A real export blob (a note with recipients and attachments) whose summary the reader can check.</summary>
    public static byte[] Blob(string subject = "Quarterly numbers", int attachmentBytes = 2_000) =>
        new FtsWriter().Write(FtsTestMessages.Note(subject, attachmentBytes));

    public static string ExportAnswer(params string[] elements) =>
        "{\"@odata.context\":\"https://graph.example.test/v1.0/$metadata#Collection(microsoft.graph.exportItemResponse)\",\"value\":[" +
        string.Join(",", elements) + "]}";

    public static string Exported(string itemId, byte[] data, string changeKey = "ck-1") =>
        $"{{\"itemId\":\"{itemId}\",\"changeKey\":\"{changeKey}\",\"data\":\"{Convert.ToBase64String(data)}\"}}";

    public static string Failed(string itemId, string code, string message, string property = "error") =>
        $"{{\"itemId\":\"{itemId}\",\"{property}\":{{\"code\":\"{code}\",\"message\":\"{message}\"}}}}";

    /// <summary>The ids of an exportItems request body.</summary>
    public static List<string> RequestedIds(string? body) =>
        System.Text.Json.JsonDocument.Parse(body!).RootElement.GetProperty("itemIds").EnumerateArray().Select(e => e.GetString()!).ToList();

    /// <summary>Answers an exportItems body with each id's blob from <paramref name="blobOf"/>.</summary>
    public static string AnswerFor(string? body, Func<string, byte[]> blobOf) =>
        ExportAnswer(RequestedIds(body).Select(id => Exported(id, blobOf(id), "ck-" + id)).ToArray());

    public static FtsData Data(byte[] bytes) => FtsData.FromBytes(bytes);

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}

/// <summary>
/// Tests that spill to temp files run one at a time, so the process-wide count of live temp files is theirs to check.
/// </summary>
[CollectionDefinition(Name)]
public sealed class TempFileCollection
{
    public const string Name = "Temp files";
}
