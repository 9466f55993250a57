using System.Security.Cryptography;
using System.Text;
using MLNet.CnnDiagnostics.Scans;

namespace MLNet.CnnDiagnostics.Cli;

/// <summary>
/// An image folder as a scan source: item i is the i-th file of <see cref="ImageFolder.Scan(string)"/>'s listing (classes and
/// files in ordinal order), decoded by <see cref="Data.ImagePixels"/>: SkiaSharp directly, to the values of the ML.NET stages
/// that <c>report</c> uses (<see cref="ImagePreprocessing.PixelEstimator"/>) without their per-batch data views, which cost more
/// than decoding a small image. A file that cannot be read is reported as skipped, never fatal.
/// </summary>
internal sealed class ImageFolderSource : IScanSource
{
    private readonly string _folder;
    private readonly List<ImageFolder.Row> _rows;
    private readonly ImagePreprocessing _pre;

    public ImageFolderSource(string folder, ImageFolder.Listing listing, ImagePreprocessing pre)
    {
        _folder = folder;
        _rows = listing.Rows;
        _pre = pre;
        ItemShape = [pre.Channels, pre.Height, pre.Width];
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"image folder; {pre.Channels}x{pre.Height}x{pre.Width}; max pixels {pre.MaxPixels}\n"));
        foreach (var row in _rows) hash.AppendData(Encoding.UTF8.GetBytes($"{Key(row)}\t{row.Label}\n"));
        Fingerprint = hash.GetHashAndReset();
    }

    public long Count => _rows.Count;

    public IReadOnlyList<int> ItemShape { get; }

    public byte[] Fingerprint { get; }

    /// <summary>The class (sub-folder) of each item.</summary>
    public string Label(long id) => _rows[(int)id].Label;

    /// <summary>The file of an item, relative to the folder.</summary>
    public string RelativePath(long id) => _rows[(int)id].ImagePath;

    public string Key(long id) => Key(_rows[(int)id]);

    private static string Key(ImageFolder.Row row) => row.ImagePath.Replace(Path.DirectorySeparatorChar, '/');

    public void Load(IReadOnlyList<long> ids, Span<float> target, string?[] errors)
    {
        int length = ItemShape[0] * ItemShape[1] * ItemShape[2];
        for (int i = 0; i < ids.Count; i++)
        {
            string path = Path.Combine(_folder, _rows[(int)ids[i]].ImagePath);
            try
            {
                errors[i] = Data.ImagePixels.Load(path, _pre.MaxPixels, ItemShape[0], ItemShape[1], ItemShape[2], target.Slice(i * length, length));
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException or UnauthorizedAccessException)
            {
                errors[i] = $"cannot be decoded although its header is valid ({e.Message})";
            }
        }
    }
}
