using MailboxImportExport.Emulator;
using MailboxImportExport.Fts;

namespace MailboxImportExport.Module.Tests;

/// <summary>Test data planted straight into an emulator, for the cases the demo tenant does not cover.</summary>
public static class EmulatorData
{
    public static byte[] MessageBlob(string subject, string messageClass = "IPM.Note")
    {
        var message = new FtsMessage();
        message.Properties.Add(FtsProperty.String(FtsPropertyId.MessageClass, messageClass));
        message.Properties.Add(FtsProperty.String(FtsPropertyId.Subject, subject));
        return new FtsWriter().Write(message);
    }

    public static List<string> AddItems(this EmulatorControl control, string mailboxId, string folderId, int count, string subjectPrefix = "Planted")
    {
        var ids = new List<string>(count);
        for (var i = 0; i < count; i++) ids.Add(control.AddItem(mailboxId, folderId, MessageBlob($"{subjectPrefix} {i}")));
        return ids;
    }
}
