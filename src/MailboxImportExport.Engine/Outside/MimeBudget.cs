using MimeKit;
using MimeKit.IO;

namespace MailboxImportExport.Engine.Outside;

/// <summary>An attachment taken out of the MIME, to add to the draft afterwards (by POST or upload session).</summary>
internal sealed record SetAsideAttachment(string Name, string ContentType, bool IsInline, string? ContentId, byte[] Data);

/// <summary>
/// Keeps the MIME a draft is created from small enough for one Graph request (4 MB, in base64): the largest
/// attachments, inline images included, are taken out, largest first, until the rest fits; they are added to the
/// draft afterwards, keeping their name, type, inline flag and Content-ID. Text, HTML and embedded messages stay.
/// </summary>
internal static class MimeBudget
{
    /// <summary>The MIME kept in the create request: ~2 MB, 2.7 MB in base64, under the 4 MB limit with room to spare.</summary>
    public const long DefaultBudget = 2L * 1024 * 1024;

    public static (MimeMessage Mime, IReadOnlyList<SetAsideAttachment> SetAside) Split(MimeMessage message, long budget, long maxAttachmentSize)
    {
        var setAside = new List<SetAsideAttachment>();
        if (Measure(message) <= budget) return (message, setAside);
        var candidates = Parts(message.Body)
            .Select(p => (Part: p.Part, Parent: p.Parent, Size: Measure(p.Part)))
            .OrderByDescending(p => p.Size)
            .ToList();
        foreach (var (part, parent, encodedSize) in candidates)
        {
            // Base64 carries 3 bytes in 4 (and line breaks): checked before a file over the limit is decoded into memory.
            if (encodedSize * 3 / 4 > maxAttachmentSize * 1.04)
                throw new InvalidDataException($"The attachment '{NameOf(part)}' is about {encodedSize * 3 / 4 / 1048576.0:0} MB; the service takes attachments of up to {maxAttachmentSize / 1048576} MB.");
            if (Measure(message) <= budget) break;
            var data = new MemoryStream();
            part.Content?.DecodeTo(data);
            var inline = !part.IsAttachment && part.ContentId is { Length: > 0 };
            if (data.Length > maxAttachmentSize)
                throw new InvalidDataException($"The attachment '{NameOf(part)}' is {data.Length / 1048576.0:0.#} MB; the service takes attachments of up to {maxAttachmentSize / 1048576} MB.");
            setAside.Add(new SetAsideAttachment(NameOf(part), part.ContentType.MimeType, inline,
                part.ContentId, data.ToArray()));
            parent.Remove(part);
        }
        var size = Measure(message);
        if (size > budget)
            throw new InvalidDataException(
                $"The message is still {size / 1048576.0:0.0} MB without its attachments (its text, HTML or embedded messages): more than one request to the service can carry.");
        return (message, setAside);
    }

    private static string NameOf(MimePart part) => part.FileName ?? part.ContentType.Name ?? "attachment";

    /// <summary>The parts that are files (attachments or inline images), with the multipart that holds them.</summary>
    private static IEnumerable<(MimePart Part, Multipart Parent)> Parts(MimeEntity? entity)
    {
        if (entity is not Multipart multipart) yield break;
        foreach (var child in multipart)
        {
            if (child is Multipart) foreach (var nested in Parts(child)) yield return nested;
            else if (child is MimePart part && (part.IsAttachment || part is not TextPart || part.FileName is not null)) yield return (part, multipart);
        }
    }

    private static long Measure(MimeEntity entity)
    {
        using var measure = new MeasuringStream();
        entity.WriteTo(measure);
        return measure.Length;
    }

    private static long Measure(MimeMessage message)
    {
        using var measure = new MeasuringStream();
        message.WriteTo(measure);
        return measure.Length;
    }
}
