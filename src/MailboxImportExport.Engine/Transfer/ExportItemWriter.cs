using System.Globalization;
using System.Text;
using MailboxImportExport.Engine.Models;
using MailboxImportExport.Engine.Services;
using MailboxImportExport.Fts;
using MailboxImportExport.Fts.Conversion;

namespace MailboxImportExport.Engine.Transfer;

/// <summary>What an export folder holds per item: the full-fidelity stream, or a file people open.</summary>
public enum ExportFormat
{
    /// <summary>The FastTransfer stream as exported (.fts): the full-fidelity archive that Import-ExMailboxItem reads.</summary>
    Fts,
    /// <summary>Outlook's item file (.msg, MS-OXMSG): every item class.</summary>
    Msg,
    /// <summary>Internet mail (.eml, MIME) for messages; other items (appointments, contacts, tasks) as .msg.</summary>
    Eml,
}

/// <summary>
/// How <see cref="ExportStore"/> names and writes one item's file. The store keeps the manifest, the crash safety and
/// the decision to skip or replace; the writer only says where the item goes in the folder and what its bytes are.
/// </summary>
internal abstract class ExportItemWriter
{
    public static ExportItemWriter For(ExportFormat format) => format == ExportFormat.Fts ? new FtsItemWriter() : new ReadableItemWriter(format);

    public abstract ExportFormat Format { get; }

    /// <summary>The item's path relative to the folder ('/'-separated); <paramref name="isTaken"/> says whether a path is another item's.</summary>
    public abstract string PathFor(ExExportedItem item, Func<string, bool> isTaken);

    public abstract void Write(ExExportedItem item, Stream output);
}

/// <summary>The stream as exported, under a hash of its mailbox and item id: short and safe for any id.</summary>
internal sealed class FtsItemWriter : ExportItemWriter
{
    public override ExportFormat Format => ExportFormat.Fts;

    public override string PathFor(ExExportedItem item, Func<string, bool> isTaken) => ExportStore.FileNameFor(item.SourceMailboxId, item.ItemId);

    public override void Write(ExExportedItem item, Stream output)
    {
        using var source = item.Data.OpenRead();
        source.CopyTo(output, 81920);
    }
}

/// <summary>
/// A .msg or .eml converted from the stream, in a folder tree like the mailbox's, named by date and subject:
/// <c>Inbox/Projects/2026-03-14 0926 Q3 numbers.msg</c>. Names are made safe on every file system.
/// </summary>
internal sealed class ReadableItemWriter : ExportItemWriter
{
    private const int MaxNameChars = 100;
    private static readonly char[] Invalid = "<>:\"/\\|?*".ToCharArray();
    private static readonly HashSet<string> DeviceNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    };

    public ReadableItemWriter(ExportFormat format) => Format = format;

    public override ExportFormat Format { get; }

    public override string PathFor(ExExportedItem item, Func<string, bool> isTaken)
    {
        var folders = string.IsNullOrEmpty(item.SourceFolderPath) ? Array.Empty<string>() : FolderPath.Split(item.SourceFolderPath!).Select(SafeName);
        var when = item.ReceivedDateTime ?? item.SentDateTime;
        var stem = SafeName((when is { } time ? time.UtcDateTime.ToString("yyyy-MM-dd HHmm", CultureInfo.InvariantCulture) + " " : "")
                            + (string.IsNullOrWhiteSpace(item.Subject) ? "(no subject)" : item.Subject));
        var extension = Extension(item.MessageClass ?? item.Type);
        var directory = string.Join("/", folders);
        for (var n = 1; ; n++)
        {
            var name = (n == 1 ? stem : $"{stem} ({n})") + extension;
            var path = directory.Length == 0 ? name : directory + "/" + name;
            if (!isTaken(path)) return path;
        }
    }

    public override void Write(ExExportedItem item, Stream output)
    {
        FtsMessage message;
        using (var source = item.Data.OpenRead()) message = FtsMessageReader.Read(source);
        if (Extension(message.GetString(FtsPropertyId.MessageClass)) == ".eml") MimeConversion.WriteEml(message, output);
        else MsgFile.Write(message, output);
    }

    /// <summary>.eml only for mail and only when asked; everything else is a .msg, which holds any item.</summary>
    private string Extension(string? messageClass) => Format == ExportFormat.Eml && MimeConversion.IsMailMessage(messageClass) ? ".eml" : ".msg";

    /// <summary>A file or folder name that every file system takes: no reserved characters or device names, no trailing dot or space, not too long.</summary>
    internal static string SafeName(string text)
    {
        var name = new StringBuilder(text.Length);
        foreach (var c in text) name.Append(c < 0x20 || Array.IndexOf(Invalid, c) >= 0 ? '_' : c);
        var result = name.ToString().Trim();
        if (result.Length > MaxNameChars)
        {
            result = result.Substring(0, MaxNameChars);
            if (char.IsHighSurrogate(result[result.Length - 1])) result = result.Substring(0, result.Length - 1);
        }
        result = result.TrimEnd('.', ' ');
        if (result.Length == 0) return "_";
        var stem = result.Split('.')[0];
        return DeviceNames.Contains(stem) ? "_" + result : result;
    }
}
