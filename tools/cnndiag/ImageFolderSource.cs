using System.Security.Cryptography;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.CnnDiagnostics.Scans;

namespace MLNet.CnnDiagnostics.Cli;

/// <summary>
/// An image folder as a scan source: item i is the i-th file of <see cref="ImageFolder.Scan(string)"/>'s listing (classes and
/// files in ordinal order), decoded through the same ML.NET stages as <c>report</c> (<see cref="ImagePreprocessing.PixelEstimator"/>),
/// one pipeline per decoding thread. A file that cannot be read is reported as skipped, never fatal.
/// </summary>
internal sealed class ImageFolderSource : IScanSource
{
    private readonly string _folder;
    private readonly List<ImageFolder.Row> _rows;
    private readonly ImagePreprocessing _pre;
    private readonly ThreadLocal<(MLContext Ml, ITransformer Pixels)> _pipelines;

    public ImageFolderSource(string folder, ImageFolder.Listing listing, ImagePreprocessing pre)
    {
        _folder = folder;
        _rows = listing.Rows;
        _pre = pre;
        ItemShape = [pre.Channels, pre.Height, pre.Width];
        _pipelines = new ThreadLocal<(MLContext, ITransformer)>(() =>
        {
            var ml = new MLContext(seed: 1);
            var empty = ml.Data.LoadFromEnumerable(new List<ImageFolder.Row>());
            return (ml, pre.PixelEstimator(ml, folder, nameof(ImageFolder.Row.ImagePath), "Pixels").Fit(empty));
        });
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
        var readable = new List<int>();
        for (int i = 0; i < ids.Count; i++)
        {
            string path = Path.Combine(_folder, _rows[(int)ids[i]].ImagePath);
            if (Data.ImageFileCheck.Problem(path, _pre.MaxPixels) is { } problem) errors[i] = problem;
            else readable.Add(i);
        }
        if (readable.Count == 0) return;
        try
        {
            Decode(readable.Select(i => _rows[(int)ids[i]]).ToList(), readable, target, length);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException or FormatException)
        {
            // one corrupt file fails the whole batch: decode one at a time to find it and keep the others
            foreach (int i in readable)
            {
                try { Decode([_rows[(int)ids[i]]], [i], target, length); }
                catch (Exception one) when (one is InvalidOperationException or ArgumentException or IOException or FormatException)
                {
                    var inner = one;
                    while (inner.InnerException is not null) inner = inner.InnerException;
                    errors[i] = $"cannot be decoded although its header is valid ({inner.Message})";
                }
            }
        }
    }

    private void Decode(List<ImageFolder.Row> rows, List<int> slots, Span<float> target, int length)
    {
        var (ml, pixels) = _pipelines.Value;
        var view = pixels.Transform(ml.Data.LoadFromEnumerable(rows));
        var column = view.Schema["Pixels"];
        using var cursor = view.GetRowCursor([column]);
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> buffer = default;
        int k = 0;
        while (cursor.MoveNext())
        {
            getter(ref buffer);
            if (buffer.Length != length)
                throw new InvalidOperationException($"the pixel column holds {buffer.Length} values, expected {length}");
            var slot = target.Slice(slots[k++] * length, length);
            if (buffer.IsDense) buffer.GetValues().CopyTo(slot);
            else
            {
                slot.Clear();
                var indices = buffer.GetIndices();
                var values = buffer.GetValues();
                for (int j = 0; j < indices.Length; j++) slot[indices[j]] = values[j];
            }
        }
        if (k != rows.Count) throw new InvalidOperationException($"the image pipeline gave {k} rows for {rows.Count} files");
    }
}
