using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace MLNet.CnnDiagnostics.Scans;

/// <summary>
/// NumPy's .npy format (version 1.0, C order, little-endian) for tables that grow by rows: the header has a fixed size
/// (<see cref="HeaderBytes"/>) so that the row count can be rewritten in place, and the file can be cut back to a checkpoint.
/// <c>numpy.load(path)</c> (or <c>mmap_mode='r'</c>) reads it.
/// </summary>
internal static partial class NpyFile
{
    public const int HeaderBytes = 128;

    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0];

    /// <summary>The header for <paramref name="rows"/> rows of <paramref name="rowShape"/> elements of <paramref name="descr"/> ('&lt;f4', '&lt;i4', '&lt;i8').</summary>
    public static byte[] Header(string descr, long rows, IReadOnlyList<int> rowShape)
    {
        string shape = rowShape.Count == 0 ? $"({rows},)" : $"({rows}, {string.Join(", ", rowShape)})";
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";
        int textBytes = HeaderBytes - Magic.Length - 2;
        if (dict.Length + 1 > textBytes)
            throw new CnnDiagnosticsException($"the .npy header for shape {shape} does not fit in {HeaderBytes} bytes; rows of at most a few dimensions are supported.");
        var header = new byte[HeaderBytes];
        Magic.CopyTo(header, 0);
        header[8] = (byte)(textBytes & 0xFF);
        header[9] = (byte)(textBytes >> 8);
        var text = Encoding.ASCII.GetBytes(dict.PadRight(textBytes - 1) + "\n");
        text.CopyTo(header, 10);
        return header;
    }

    /// <summary>Reads a header written by <see cref="Header"/>: (descr, rows, row shape).</summary>
    public static (string Descr, long Rows, int[] RowShape) ReadHeader(Stream stream, string path)
    {
        var header = new byte[HeaderBytes];
        stream.Position = 0;
        if (stream.ReadAtLeast(header, HeaderBytes, throwOnEndOfStream: false) < HeaderBytes || !header.AsSpan(0, 8).SequenceEqual(Magic))
            throw new CnnDiagnosticsException($"'{path}' is not a scan table (.npy version 1.0 with a {HeaderBytes}-byte header).");
        string text = Encoding.ASCII.GetString(header, 10, HeaderBytes - 10);
        var match = HeaderPattern().Match(text);
        if (!match.Success)
            throw new CnnDiagnosticsException($"'{path}' has a .npy header this library did not write: {text.Trim()}");
        var dims = match.Groups["shape"].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => long.Parse(d, CultureInfo.InvariantCulture)).ToArray();
        return (match.Groups["descr"].Value, dims[0], dims.Skip(1).Select(d => checked((int)d)).ToArray());
    }

    [GeneratedRegex(@"^\{'descr': '(?<descr><[fi][48])', 'fortran_order': False, 'shape': \((?<shape>[0-9, ]+)\), \}")]
    private static partial Regex HeaderPattern();
}
