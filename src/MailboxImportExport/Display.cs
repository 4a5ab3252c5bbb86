using System.Globalization;

namespace MailboxImportExport;

/// <summary>How the default views show sizes and times: one place for the format views' rules.</summary>
public static class Display
{
    /// <summary>A size people read at a glance: 980 B, 14.5 KB, 2.3 MB, 1.1 GB (units of 1024).</summary>
    public static string Size(long? bytes)
    {
        if (bytes is not { } value) return "";
        string[] units = { "B", "KB", "MB", "GB", "TB" };
        var size = (double)value;
        var unit = 0;
        while (size >= 1024 && unit < units.Length - 1)
        {
            size /= 1024;
            unit++;
        }
        return unit == 0
            ? value.ToString("N0", CultureInfo.CurrentCulture) + " B"
            : size.ToString(size < 10 ? "0.0" : "0", CultureInfo.CurrentCulture) + " " + units[unit];
    }

    /// <summary>A time in this computer's time zone, saying which: 2026-03-14 10:42 +01:00 (23 characters).</summary>
    public static string Time(DateTimeOffset? time) =>
        time is { } value ? value.ToLocalTime().ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture) : "";
}
