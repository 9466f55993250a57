namespace MLNet.CnnDiagnostics.Analysis;

/// <summary>
/// A validated view of N points of D dimensions stored row-major in one float array
/// (point i occupies <c>Data[i*Dimension .. (i+1)*Dimension)</c>); the analyses' internal currency.
/// </summary>
internal sealed class PointMatrix
{
    public PointMatrix(float[] data, int count, int dimension)
    {
        Data = data;
        Count = count;
        Dimension = dimension;
    }

    public float[] Data { get; }
    public int Count { get; }
    public int Dimension { get; }

    public ReadOnlySpan<float> Row(int i) => new(Data, i * Dimension, Dimension);

    /// <summary>Checks that <paramref name="points"/> is an [N, D] tensor of finite values; names the first bad row otherwise.</summary>
    public static PointMatrix From(FloatTensor points, string what, int minimumCount = 1)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Rank != 2)
            throw new CnnDiagnosticsException(
                $"{what} must be a rank-2 tensor [points, dimensions]; got shape [{string.Join(",", points.Shape)}].");
        int n = points.Shape[0], d = points.Shape[1];
        if (n < minimumCount)
            throw new CnnDiagnosticsException($"{what} holds {n} points; at least {minimumCount} are needed.");
        if (d < 1)
            throw new CnnDiagnosticsException($"{what} has {d} dimensions; at least 1 is needed.");
        var data = points.Data;
        // TensorPrimitives has no IsFinite reduction: x*0 is 0 for finite x and NaN otherwise, so a sum of x*0 finds any bad value.
        const int block = 4096;
        for (int start = 0; start < data.Length; start += block)
        {
            int len = Math.Min(block, data.Length - start);
            float probe = 0;
            var span = data.AsSpan(start, len);
            for (int i = 0; i < span.Length; i++) probe += span[i] * 0f;
            if (!float.IsNaN(probe)) continue;
            for (int i = start; i < start + len; i++)
                if (!float.IsFinite(data[i]))
                    throw new CnnDiagnosticsException(
                        $"{what}: row {i / d} holds {data[i]} at column {i % d}; only finite values are valid (remove or impute that row).");
        }
        return new PointMatrix(data, n, d);
    }
}
