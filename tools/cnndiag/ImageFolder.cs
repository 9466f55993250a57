namespace MLNet.CnnDiagnostics.Cli;

/// <summary>
/// A folder with one sub-folder per class (torchvision's ImageFolder convention): every image below DIR/&lt;class&gt;/ is a row
/// labelled with the sub-folder's name; classes sort by name, as ImageFolder orders them.
/// </summary>
internal static class ImageFolder
{
    public static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"];

    /// <summary>One row: the image path relative to the folder, and its class (the sub-folder name).</summary>
    public sealed class Row
    {
        public string ImagePath { get; set; } = "";

        public string Label { get; set; } = "";
    }

    public static List<Row> Scan(string folder)
    {
        var classes = Directory.GetDirectories(folder).Select(Path.GetFileName).OfType<string>()
            .Where(n => !n.StartsWith('.')).Order(StringComparer.Ordinal).ToList();
        if (classes.Count == 0)
            throw new CnnDiagnosticsException($"folder '{folder}' has no sub-folders; expected one sub-folder per class with its images (e.g. {folder}/cat/1.png, {folder}/dog/2.png).");
        var rows = new List<Row>();
        foreach (var name in classes)
        {
            string classFolder = Path.Combine(folder, name);
            rows.AddRange(Directory.EnumerateFiles(classFolder, "*", SearchOption.AllDirectories)
                .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                .Order(StringComparer.Ordinal)
                .Select(f => new Row { ImagePath = Path.GetRelativePath(folder, f), Label = name }));
        }
        if (rows.Count < 2)
            throw new CnnDiagnosticsException($"folder '{folder}' holds {rows.Count} image(s) in its class sub-folders ({string.Join(", ", classes)}); a report needs at least 2 ({string.Join(", ", Extensions)}).");
        return rows;
    }
}
