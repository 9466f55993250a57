using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Analysis.Activations;

/// <summary>Cuts the input patches that layer positions see (their receptive fields) out of images.</summary>
public static class ActivationPatches
{
    /// <summary>
    /// The patch [C, field rows, field columns] of <paramref name="image"/> ([C, H, W] or [1, C, H, W]) seen by output
    /// position (<paramref name="y"/>, <paramref name="x"/>); pixels outside the image are <paramref name="fill"/>.
    /// </summary>
    /// <exception cref="CnnDiagnosticsException">The field lies wholly outside the image (it was computed for another image size).</exception>
    public static FloatTensor Cut(FloatTensor image, ReceptiveField field, int y, int x, float fill = 0f)
    {
        ArgumentNullException.ThrowIfNull(field);
        var (channels, height, width) = ImageSize(image);
        var patch = new FloatTensor(channels, field.Y.Size, field.X.Size);
        CutInto(image.Data, channels, height, width, field.Rectangle(y, x), fill, patch.Data, 0);
        return patch;
    }

    /// <summary>
    /// The grid of a scan's top patches: a row per channel (all channels, or <paramref name="channels"/>), k patches per
    /// row, best first, as a tensor [rows, k, C, field rows, field columns]. Slots beyond a channel's hits are <paramref name="fill"/>.
    /// Each image is asked for once through <paramref name="imageById"/> ([C, H, W] or [1, C, H, W]).
    /// </summary>
    public static PatchGrid Grid(TopActivatingPatches scan, ReceptiveField field, Func<long, FloatTensor> imageById,
        IReadOnlyList<int>? channels = null, float fill = 0f)
    {
        ArgumentNullException.ThrowIfNull(scan);
        ArgumentNullException.ThrowIfNull(field);
        ArgumentNullException.ThrowIfNull(imageById);
        var rows = channels ?? Enumerable.Range(0, scan.Channels).ToArray();
        if (rows.Count == 0) throw new ArgumentException("choose at least one channel for the patch grid.", nameof(channels));
        var hits = rows.Select(scan.Top).ToList();
        var byImage = hits.SelectMany((row, r) => row.Select((hit, slot) => (hit, r, slot))).GroupBy(h => h.hit.ImageId).OrderBy(g => g.Key);
        FloatTensor? patches = null;
        int patchSize = 0;
        foreach (var group in byImage)
        {
            var image = imageById(group.Key) ?? throw new CnnDiagnosticsException($"the image callback returned null for image id {group.Key}.");
            var (c, h, w) = ImageSize(image);
            if (patches is null)
            {
                patches = new FloatTensor(rows.Count, scan.K, c, field.Y.Size, field.X.Size);
                Array.Fill(patches.Data, fill);
                patchSize = c * field.Y.Size * field.X.Size;
            }
            else if (c != patches.Shape[2])
                throw new CnnDiagnosticsException($"image {group.Key} has {c} channels, earlier images had {patches.Shape[2]}; all images must have the same channels.");
            foreach (var (hit, r, slot) in group)
                CutInto(image.Data, c, h, w, field.Rectangle(hit.Y, hit.X), fill, patches.Data, (r * scan.K + slot) * patchSize);
        }
        return new PatchGrid(patches!, rows.ToArray(), hits, field);
    }

    private static (int Channels, int Height, int Width) ImageSize(FloatTensor image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return image.Shape switch
        {
            [int c, int h, int w] => (c, h, w),
            [1, int c, int h, int w] => (c, h, w),
            _ => throw new CnnDiagnosticsException($"an image must be [C, H, W] or [1, C, H, W], but got [{string.Join(",", image.Shape)}]."),
        };
    }

    private static void CutInto(float[] image, int channels, int height, int width, PixelRectangle rect, float fill, float[] target, int offset)
    {
        if (!rect.Overlaps(height, width))
            throw new CnnDiagnosticsException(
                $"the receptive field {rect} lies wholly outside the {height}×{width} image; was the field computed for another image size, or the position taken from another layer?");
        var inside = rect.ClipTo(height, width);
        int plane = rect.Height * rect.Width;
        for (int c = 0; c < channels; c++)
        {
            var dst = target.AsSpan(offset + c * plane, plane);
            if (inside.Height != rect.Height || inside.Width != rect.Width) dst.Fill(fill);
            for (int row = inside.Top; row < inside.Bottom; row++)
                image.AsSpan((c * height + row) * width + inside.Left, inside.Width)
                    .CopyTo(dst.Slice((row - rect.Top) * rect.Width + inside.Left - rect.Left));
        }
    }
}
