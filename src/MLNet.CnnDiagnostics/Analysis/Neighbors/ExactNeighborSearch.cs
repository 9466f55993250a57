using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace MLNet.CnnDiagnostics.Analysis;

/// <summary>
/// Exact k-nearest-neighbour search: queries × reference panels through <see cref="DotProductPanel"/>,
/// ‖r‖² − 2q·r compared against each query's current k-th best (a max-heap), vectorised filtering,
/// final distances recomputed directly so they carry no cancellation error.
/// </summary>
internal static class ExactNeighborSearch
{
    private const int PanelWidth = 256;
    private const int QueryBlock = 64;

    public static NeighborGraph Search(PointMatrix queries, PointMatrix reference, int k, DistanceMetric metric,
        bool excludeSelf, int maxThreads, CancellationToken cancellation)
    {
        int d = reference.Dimension, nq = queries.Count, nr = reference.Count;
        var q = metric == DistanceMetric.Cosine ? Normalized(queries) : queries.Data;
        var r = excludeSelf ? q : metric == DistanceMetric.Cosine ? Normalized(reference) : reference.Data;

        int panelCount = (nr + PanelWidth - 1) / PanelWidth;
        var panels = new float[panelCount][];
        var keyOffsets = new float[panelCount][];
        var options = new ParallelOptions { MaxDegreeOfParallelism = maxThreads, CancellationToken = cancellation };
        Parallel.For(0, panelCount, options, p =>
        {
            int first = p * PanelWidth, count = Math.Min(PanelWidth, nr - first);
            panels[p] = new float[d * PanelWidth];
            DotProductPanel.Pack(r, d, first, count, panels[p], PanelWidth);
            var offs = new float[PanelWidth];
            for (int j = 0; j < PanelWidth; j++)
            {
                if (j >= count) offs[j] = float.PositiveInfinity;
                else if (metric == DistanceMetric.Euclidean)
                {
                    var row = new ReadOnlySpan<float>(r, (first + j) * d, d);
                    offs[j] = TensorPrimitives.Dot(row, row);
                }
            }
            keyOffsets[p] = offs;
        });

        var indices = new int[nq * k];
        var distances = new float[nq * k];
        int blocks = (nq + QueryBlock - 1) / QueryBlock;
        Parallel.For(0, blocks, options, b =>
        {
            int q0 = b * QueryBlock, qc = Math.Min(QueryBlock, nq - q0);
            var dots = new float[QueryBlock * PanelWidth];
            var heaps = new NeighborHeap[qc];
            for (int i = 0; i < qc; i++) heaps[i] = new NeighborHeap(k);
            for (int p = 0; p < panelCount; p++)
            {
                cancellation.ThrowIfCancellationRequested();
                DotProductPanel.Multiply(q, d, q0, qc, panels[p], PanelWidth, dots);
                var offs = keyOffsets[p];
                int first = p * PanelWidth;
                for (int i = 0; i < qc; i++)
                    Scan(heaps[i], dots.AsSpan(i * PanelWidth, PanelWidth), offs, first, excludeSelf ? q0 + i : -1);
            }
            for (int i = 0; i < qc; i++)
                Finish(heaps[i], q, r, d, q0 + i, metric, indices.AsSpan((q0 + i) * k, k), distances.AsSpan((q0 + i) * k, k));
        });
        return new NeighborGraph(nq, k, indices, distances, metric);
    }

    private static void Scan(NeighborHeap heap, Span<float> dots, float[] offs, int first, int self)
    {
        // key = ‖r‖² − 2 q·r (Euclidean) or −2 q·r (cosine): both order the references like the true distance.
        var minus2 = Vector256.Create(-2f);
        for (int j = 0; j < PanelWidth; j += 8)
        {
            var key = Vector256.Create(offs, j) + minus2 * Vector256.Create(dots.Slice(j, 8));
            uint bits = Vector256.LessThan(key, Vector256.Create(heap.Threshold)).ExtractMostSignificantBits();
            while (bits != 0)
            {
                int lane = BitOperations.TrailingZeroCount(bits);
                bits &= bits - 1;
                int index = first + j + lane;
                if (index == self) continue;
                heap.Offer(key.GetElement(lane), index);
            }
        }
    }

    private static void Finish(NeighborHeap heap, float[] q, float[] r, int d, int query, DistanceMetric metric,
        Span<int> indices, Span<float> distances)
    {
        var qrow = new ReadOnlySpan<float>(q, query * d, d);
        var found = heap.Indices;
        for (int t = 0; t < found.Length; t++)
        {
            var rrow = new ReadOnlySpan<float>(r, found[t] * d, d);
            distances[t] = metric == DistanceMetric.Euclidean
                ? TensorPrimitives.Distance(qrow, rrow)
                : Math.Max(0f, 1f - TensorPrimitives.Dot(qrow, rrow));
            indices[t] = found[t];
        }
        NeighborHeap.SortByDistance(indices, distances);
    }

    /// <summary>Unit-length copies of the rows (zero rows stay zero).</summary>
    public static float[] Normalized(PointMatrix points)
    {
        int d = points.Dimension;
        var copy = (float[])points.Data.Clone();
        for (int i = 0; i < points.Count; i++)
        {
            var row = copy.AsSpan(i * d, d);
            float norm = TensorPrimitives.Norm(row);
            if (norm > 0) TensorPrimitives.Divide(row, norm, row);
        }
        return copy;
    }
}
