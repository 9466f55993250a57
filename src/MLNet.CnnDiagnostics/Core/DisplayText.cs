using System.Globalization;
using System.Text;

namespace MLNet.CnnDiagnostics;

/// <summary>
/// Names from model files and file systems made safe to print on a terminal: a control character (an escape sequence
/// can set the title, clear the screen or recolour the output) or a bidirectional override (which can make text read
/// differently from what it is) is written as a visible <c>\xNN</c> or <c>\uNNNN</c> escape.
/// </summary>
internal static class DisplayText
{
    /// <summary>The text with every control and bidirectional-override character escaped; other text unchanged.</summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        if (!text.Any(NeedsEscape)) return text;
        var builder = new StringBuilder(text.Length + 16);
        foreach (char c in text)
        {
            if (!NeedsEscape(c)) builder.Append(c);
            else if (c <= 0xFF) builder.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
            else builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
        }
        return builder.ToString();
    }

    private static bool NeedsEscape(char c) =>
        char.IsControl(c) || c is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069') or '\u200E' or '\u200F' or '\u061C';
}
