using MLNet.CnnDiagnostics.Gradients;

namespace MLNet.CnnDiagnostics.Analysis.Attribution;

/// <summary>
/// Occlusion sensitivity (Zeiler &amp; Fergus 2014), forward only: a square patch of <see cref="FillValue"/> slides over the
/// image; each pixel gets the mean drop of the target over the patches that cover it. Occluded copies run in batches.
/// </summary>
public sealed class Occlusion(GradientEngine engine) : AttributionMethod(engine)
{
    /// <summary>The registry entry: <c>occlusion</c> (patches of 1/8 of the image side, stride 1/16; 1/4 and 1/8 on the quick budget).</summary>
    internal static AttributionDescriptor Registration { get; } = new()
    {
        Name = "occlusion", DisplayName = "occlusion", Order = 50, InReportByDefault = true,
        Summary = "occlusion: the score's mean drop over zero patches (1/8 of the side, stride 1/16) covering each pixel, signed; [H,W]",
        Pass = AttributionPass.Forward,
        Create = s => new Occlusion(s.Engine)
        {
            PatchSize = Math.Max(2, s.Side / (s.Quick ? 4 : 8)), Stride = Math.Max(1, s.Side / (s.Quick ? 8 : 16)), BatchSize = s.BatchSize,
        },
    };

    /// <inheritdoc/>
    public override bool Signed => true;

    /// <summary>Patch side in pixels.</summary>
    public int PatchSize { get; init; } = 16;

    /// <summary>Patch stride in pixels.</summary>
    public int Stride { get; init; } = 8;

    /// <summary>Value written into the patch (0 is the mean for mean-subtracted inputs).</summary>
    public float FillValue { get; init; }

    /// <inheritdoc/>
    protected override FloatTensor AttributeBatch(FloatTensor batch, GradientTarget target)
    {
        if (PatchSize < 1 || Stride < 1) throw new CnnDiagnosticsException($"patch size {PatchSize} and stride {Stride} must be at least 1.");
        int n = batch.Shape[0], c = batch.Shape[1], h = batch.Shape[2], w = batch.Shape[3], size = c * h * w;
        var patches = (from y in Starts(h) from x in Starts(w) select (Y: y, X: x)).ToList();
        var result = new FloatTensor(n, h, w);
        var baseValues = Engine.Evaluate(batch, target).TargetValues;
        for (int item = 0; item < n; item++)
        {
            var drop = new double[h * w];
            var cover = new int[h * w];
            for (int start = 0; start < patches.Count; start += BatchSize)
            {
                int count = Math.Min(BatchSize, patches.Count - start);
                var occluded = new FloatTensor(count, c, h, w);
                for (int k = 0; k < count; k++)
                {
                    Array.Copy(batch.Data, item * size, occluded.Data, k * size, size);
                    var (py, px) = patches[start + k];
                    for (int ch = 0; ch < c; ch++)
                    for (int y = py; y < Math.Min(h, py + PatchSize); y++)
                        Array.Fill(occluded.Data, FillValue, k * size + (ch * h + y) * w + px, Math.Min(w, px + PatchSize) - px);
                }
                var values = Engine.Evaluate(occluded, target.Repeat(item, count)).TargetValues;
                for (int k = 0; k < count; k++)
                {
                    var (py, px) = patches[start + k];
                    for (int y = py; y < Math.Min(h, py + PatchSize); y++)
                    for (int x = px; x < Math.Min(w, px + PatchSize); x++)
                    {
                        drop[y * w + x] += baseValues[item] - values[k];
                        cover[y * w + x]++;
                    }
                }
            }
            for (int p = 0; p < h * w; p++) result.Data[item * h * w + p] = cover[p] == 0 ? 0f : (float)(drop[p] / cover[p]);
        }
        return result;
    }

    /// <summary>Patch origins along an axis: every stride until a patch reaches the end.</summary>
    private IEnumerable<int> Starts(int length)
    {
        for (int s = 0; ; s += Stride)
        {
            yield return s;
            if (s + PatchSize >= length) yield break;
        }
    }
}
