using System.Globalization;
using System.Text;

namespace MLNet.CnnDiagnostics.Cli;

/// <summary>
/// A numeric CSV, one row a point: an optional header, an optional label column (named, or found as the one
/// non-numeric column), every other column a coordinate. Quoted fields ("a, b", "say ""hi""") are read as RFC 4180 says.
/// </summary>
internal sealed class PointsCsv
{
    private PointsCsv(FloatTensor points, IReadOnlyList<string>? labels, string? labelHeader)
    {
        Points = points;
        Labels = labels;
        LabelHeader = labelHeader;
    }

    /// <summary>The points [N, D].</summary>
    public FloatTensor Points { get; }

    /// <summary>Each point's label, or null without a label column.</summary>
    public IReadOnlyList<string>? Labels { get; }

    /// <summary>The label column's header (null without a header).</summary>
    public string? LabelHeader { get; }

    /// <param name="path">The file.</param>
    /// <param name="labelColumn">A header name or a column number counting from 1; null finds a non-numeric column by itself.</param>
    public static PointsCsv Read(string path, string? labelColumn)
    {
        var rows = File.ReadLines(path).Where(l => l.Trim().Length > 0).Select(Split).ToList();
        if (rows.Count == 0) throw new CnnDiagnosticsException($"'{path}' is empty; expected one row per point of comma-separated numbers.");
        int width = rows[0].Count;
        for (int r = 1; r < rows.Count; r++)
            if (rows[r].Count != width)
                throw new CnnDiagnosticsException($"'{path}' line {r + 1} has {rows[r].Count} fields, the first line {width}; every row needs the same columns.");
        bool header = rows.Count > 1 && rows[0].Any(f => !IsNumber(f)) && rows[1].Count(f => !IsNumber(f)) < rows[0].Count(f => !IsNumber(f));
        var names = header ? rows[0] : Enumerable.Range(1, width).Select(i => $"column {i}").ToList();
        var data = header ? rows.Skip(1).ToList() : rows;
        if (rows.Count == 1 && rows[0].Any(f => !IsNumber(f)))
            throw new CnnDiagnosticsException($"'{path}' holds one line ({string.Join(",", rows[0].Take(5))}{(width > 5 ? ",..." : "")}) and no data rows; expected a header line (optional) and one row per point of comma-separated numbers.");
        int label = labelColumn is null ? FindLabelColumn(path, data, names, header) : ResolveLabelColumn(labelColumn, names, header);
        int dims = width - (label >= 0 ? 1 : 0);
        if (dims == 0) throw new CnnDiagnosticsException($"'{path}' has no numeric column besides the label column '{names[label]}'.");
        var points = new FloatTensor(data.Count, dims);
        var labels = label >= 0 ? new List<string>(data.Count) : null;
        for (int r = 0; r < data.Count; r++)
        {
            int d = 0;
            for (int c = 0; c < width; c++)
            {
                if (c == label)
                {
                    labels!.Add(data[r][c]);
                    continue;
                }
                if (!float.TryParse(data[r][c], NumberStyles.Float, CultureInfo.InvariantCulture, out float v) || !float.IsFinite(v))
                    throw new CnnDiagnosticsException($"'{path}' line {r + 1 + (header ? 1 : 0)}, column '{names[c]}': '{data[r][c]}' is not a finite number{(labelColumn is null ? "; name the label column with --labels-column" : "")}.");
                points.Data[r * dims + d++] = v;
            }
        }
        return new PointsCsv(points, labels, label >= 0 && header ? names[label] : null);
    }

    /// <summary>Writes x,y(,label) rows with a header.</summary>
    public static void Write(Stream stream, FloatTensor xy, IReadOnlyList<string>? labels, string? labelHeader)
    {
        using var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true);
        writer.WriteLine(labels is null ? "x,y" : $"x,y,{Quote(labelHeader ?? "label")}");
        for (int i = 0; i < xy.Shape[0]; i++)
        {
            string x = xy.Data[2 * i].ToString("R", CultureInfo.InvariantCulture), y = xy.Data[2 * i + 1].ToString("R", CultureInfo.InvariantCulture);
            writer.WriteLine(labels is null ? $"{x},{y}" : $"{x},{y},{Quote(labels[i])}");
        }
    }

    /// <summary>
    /// The one column with no number in it, if any. A column that mixes numbers with empty or other cells is a numeric column
    /// with a bad cell, not a label column: taking it as labels would silently drop a dimension and write its numbers as labels.
    /// </summary>
    private static int FindLabelColumn(string path, List<List<string>> data, List<string> names, bool header)
    {
        for (int c = 0; c < names.Count; c++)
        {
            int numbers = data.Count(row => IsNumber(row[c]));
            if (numbers == 0 || numbers == data.Count) continue;
            int r = data.FindIndex(row => !IsNumber(row[c]));
            string cell = data[r][c].Length == 0 ? "an empty cell" : $"'{data[r][c]}'";
            throw new CnnDiagnosticsException($"'{path}' line {r + 1 + (header ? 1 : 0)}, column '{names[c]}': {cell} is not a number, while {numbers} of the column's {data.Count} cells are; fix the cell, or name the label column with --labels-column{(header ? " NAME" : " NUMBER")}.");
        }
        var text = Enumerable.Range(0, names.Count).Where(c => data.Any(row => !IsNumber(row[c]))).ToList();
        if (text.Count <= 1) return text.Count == 1 ? text[0] : -1;
        throw new CnnDiagnosticsException($"'{path}' has {text.Count} non-numeric columns ({string.Join(", ", text.Select(c => $"'{names[c]}'"))}); at most one can be the label column: give --labels-column{(header ? " NAME" : " NUMBER")} and remove the others.");
    }

    private static int ResolveLabelColumn(string column, List<string> names, bool header)
    {
        if (header)
        {
            int byName = names.IndexOf(column);
            if (byName >= 0) return byName;
        }
        if (int.TryParse(column, NumberStyles.Integer, CultureInfo.InvariantCulture, out int number) && number >= 1 && number <= names.Count) return number - 1;
        throw new UsageException($"'--labels-column {column}' names no column; {(header ? $"{ClosestNames.Suggest(column, names)}; the columns are: {string.Join(", ", names)}" : $"the file has no header: give a column number from 1 to {names.Count}")}.");
    }

    private static bool IsNumber(string field) => double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    private static string Quote(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) < 0 ? field : "\"" + field.Replace("\"", "\"\"") + "\"";

    private static List<string> Split(string line)
    {
        var fields = new List<string>();
        var current = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { current.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else current.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(current.ToString().Trim()); current.Clear(); }
            else current.Append(c);
        }
        fields.Add(current.ToString().Trim());
        return fields;
    }
}
