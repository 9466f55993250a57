using System.Globalization;

namespace MLNet.CnnDiagnostics.Cli;

/// <summary>
/// A folder with one sub-folder per class (torchvision's ImageFolder convention): every image below DIR/&lt;class&gt;/ is a row
/// labelled with the sub-folder's name; classes sort by name, as ImageFolder orders them.
/// The scan follows no directory link below a class folder (a link such as <c>a -&gt; ..</c> would make it endless, and
/// <c>self -&gt; .</c> would count every image again at each level), and stops at <see cref="MaxImages"/> files.
/// A class folder may itself be a link, unless it leads back to the image folder or above it.
/// </summary>
internal static class ImageFolder
{
    public static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"];

    /// <summary>The most image files one scan lists (the list is held in memory; ImageNet's training set has 1.28 million).</summary>
    public const int MaxImages = 2_000_000;

    /// <summary>One row: the image path relative to the folder, and its class (the sub-folder name).</summary>
    public sealed class Row
    {
        public string ImagePath { get; set; } = "";

        public string Label { get; set; } = "";
    }

    /// <summary>What a scan found: the rows, and what it passed over on purpose (for a note to the user).</summary>
    public sealed record Listing(List<Row> Rows, IReadOnlyList<string> Classes, IReadOnlyList<string> HiddenFolders, IReadOnlyList<string> SkippedLinks);

    public static Listing Scan(string folder) => Scan(folder, MaxImages);

    /// <summary>The full path of the <c>--images</c> folder; a usage error when it is a file or does not exist.</summary>
    public static string RequireFolder(string images)
    {
        if (File.Exists(images))
            throw new UsageException($"'--images {images}' is a file; give a folder with one sub-folder per class.");
        if (!Directory.Exists(images))
            throw new UsageException($"'--images {images}': the folder does not exist; give a folder with one sub-folder per class.");
        return Path.GetFullPath(images);
    }

    internal static Listing Scan(string folder, int maxImages)
    {
        var hidden = new List<string>();
        var links = new List<string>();
        var classes = new List<string>();
        string root = RealPath(new DirectoryInfo(folder));
        foreach (var dir in new DirectoryInfo(folder).EnumerateDirectories("*", Options(recurse: false)).OrderBy(d => d.Name, StringComparer.Ordinal))
        {
            if (dir.Name.StartsWith('.')) hidden.Add(dir.Name);
            else if (dir.LinkTarget is not null && IsSameOrAbove(RealPath(dir), root)) links.Add($"'{dir.Name} -> {dir.LinkTarget}'");
            else classes.Add(dir.Name);
        }
        if (classes.Count == 0)
            throw new CnnDiagnosticsException($"folder '{folder}' has no sub-folders{(hidden.Count > 0 ? $" besides hidden ones ({string.Join(", ", hidden)}), which are not classes" : "")}; expected one sub-folder per class with its images (e.g. {folder}/cat/1.png, {folder}/dog/2.png).");
        var rows = new List<Row>();
        foreach (var name in classes)
        {
            var found = new List<string>();
            var pending = new Stack<DirectoryInfo>([new DirectoryInfo(Path.Combine(folder, name))]);
            while (pending.Count > 0)
            {
                foreach (var entry in pending.Pop().EnumerateFileSystemInfos("*", Options(recurse: false)))
                {
                    if (entry is DirectoryInfo sub)
                    {
                        if (sub.LinkTarget is null) pending.Push(sub);
                        else links.Add($"'{Path.GetRelativePath(folder, sub.FullName)} -> {sub.LinkTarget}'");
                    }
                    else if (Extensions.Contains(Path.GetExtension(entry.Name).ToLowerInvariant()))
                    {
                        if (rows.Count + found.Count >= maxImages)
                            throw new CnnDiagnosticsException($"folder '{folder}' holds more than {maxImages.ToString("N0", CultureInfo.InvariantCulture)} image files, the most one report lists; give a folder with a subset of them.");
                        found.Add(entry.FullName);
                    }
                }
            }
            rows.AddRange(found.Order(StringComparer.Ordinal).Select(f => new Row { ImagePath = Path.GetRelativePath(folder, f), Label = name }));
        }
        if (rows.Count < 2)
            throw new CnnDiagnosticsException($"folder '{folder}' holds {rows.Count} image(s) in its class sub-folders ({string.Join(", ", classes)}); a report needs at least 2 ({string.Join(", ", Extensions)}).");
        return new Listing(rows, classes, hidden, links);
    }

    // links to files are listed like files; folders that cannot be entered are passed over rather than ending the scan
    private static EnumerationOptions Options(bool recurse) =>
        new() { RecurseSubdirectories = recurse, AttributesToSkip = 0, IgnoreInaccessible = true, ReturnSpecialDirectories = false };

    private static string RealPath(DirectoryInfo dir)
    {
        try
        {
            var target = dir.LinkTarget is null ? dir : dir.ResolveLinkTarget(returnFinalTarget: true) ?? dir;
            return Path.TrimEndingDirectorySeparator(Path.GetFullPath(target.FullName));
        }
        catch (IOException)
        {
            return Path.TrimEndingDirectorySeparator(dir.FullName);
        }
    }

    // a class folder that is the image folder or one of its ancestors would list the other classes' images again
    private static bool IsSameOrAbove(string candidate, string root) =>
        root == candidate || root.StartsWith(candidate + Path.DirectorySeparatorChar, StringComparison.Ordinal) || candidate == Path.GetPathRoot(root);
}
