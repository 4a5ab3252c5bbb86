namespace MailboxImportExport.Emulator.Graph;

/// <summary>
/// The permissions an operation accepts, as Graph's reference lists them (least privileged, then higher): the
/// delegated ones are checked against a user token's <c>scp</c>, the application ones against an app token's <c>roles</c>.
/// </summary>
internal sealed record GraphPermission(IReadOnlyList<string> Delegated, IReadOnlyList<string> Application)
{
    public static readonly GraphPermission ReadUsers = new(["User.Read.All", "User.ReadWrite.All"], ["User.Read.All", "User.ReadWrite.All"]);
    public static readonly GraphPermission ReadFolders = new(["MailboxFolder.Read", "MailboxFolder.ReadWrite"], ["MailboxFolder.Read.All", "MailboxFolder.ReadWrite.All"]);
    public static readonly GraphPermission WriteFolders = new(["MailboxFolder.ReadWrite"], ["MailboxFolder.ReadWrite.All"]);
    public static readonly GraphPermission ReadItems = new(["MailboxItem.Read"], ["MailboxItem.Read.All"]);
    public static readonly GraphPermission DeleteItems = new(["MailboxItem.ReadWrite"], ["MailboxItem.ReadWrite.All"]);
    public static readonly GraphPermission ExportItems = new(["MailboxItem.Export", "MailboxItem.ImportExport"], ["MailboxItem.Export.All", "MailboxItem.ImportExport.All"]);
    public static readonly GraphPermission ImportItems = new(["MailboxItem.ImportExport"], ["MailboxItem.ImportExport.All"]);
}
