using System.Numerics.Tensors;

namespace MLNet.CnnDiagnostics.Analysis;

/// <summary>
/// Approximate k-NN: each point's candidates are the members of its leaves in a forest of random-projection trees
/// (split by the perpendicular bisector of two random points, as Annoy does), then a few rounds of
/// nearest-neighbour descent (Dong et al. 2011) try the neighbours of neighbours, forward and reverse.
/// Every round reads the previous round's graph only, so the result does not depend on thread timing.
/// </summary>
internal static class ApproximateNeighborSearch
{
    public const int Trees = 8;
    public const int DescentRounds = 3;

    public static NeighborGraph Search(PointMatrix points, int k, DistanceMetric metric, int seed, int maxThreads,
        CancellationToken cancellation)
    {
        int n = points.Count, d = points.Dimension;
        var data = metric == DistanceMetric.Cosine ? ExactNeighborSearch.Normalized(points) : points.Data;
        var options = new ParallelOptions { MaxDegreeOfParallelism = maxThreads, CancellationToken = cancellation };
        int leafSize = Math.Max(k + 1, 32);

        // leafOf[t][i] = (start, end) of point i's leaf in tree t's permutation
        var orders = new int[Trees][];
        var leafStart = new int[Trees][];
        var leafEnd = new int[Trees][];
        Parallel.For(0, Trees, options, t =>
        {
            var order = new int[n];
            for (int i = 0; i < n; i++) order[i] = i;
            var starts = new int[n];
            var ends = new int[n];
            var rng = new Random(unchecked(seed * 7919 + t * 104729 + 1));
            var normal = new float[d];
            var side = new float[n];
            Split(data, d, order, 0, n, leafSize, rng, normal, side, starts, ends);
            orders[t] = order; leafStart[t] = starts; leafEnd[t] = ends;
        });

        // renumber the points in the first tree's leaf order: neighbours then sit close in memory, and the
        // many random row reads of the candidate and descent phases mostly hit the cache
        var original = (int[])orders[0].Clone();
        var local = new int[n];
        for (int a = 0; a < n; a++) local[original[a]] = a;
        var sorted = new float[n * d];
        for (int a = 0; a < n; a++) Array.Copy(data, original[a] * d, sorted, a * d, d);
        data = sorted;
        Parallel.For(0, Trees, options, t =>
        {
            var order = orders[t];
            var starts = new int[n];
            var ends = new int[n];
            for (int i = 0; i < n; i++) { starts[local[i]] = leafStart[t][i]; ends[local[i]] = leafEnd[t][i]; }
            for (int m = 0; m < n; m++) order[m] = local[order[m]];
            leafStart[t] = starts; leafEnd[t] = ends;
        });

        var indices = new int[n * k];
        var keys = new float[n * k];
        Parallel.For(0, n, options, () => new SearchScratch(n, k), (i, _, s) =>
        {
            s.Begin(i);
            for (int t = 0; t < Trees; t++)
                for (int m = leafStart[t][i]; m < leafEnd[t][i]; m++)
                    s.Try(orders[t][m], data, d);
            s.Store(indices, keys);
            return s;
        }, _ => { });

        for (int round = 0; round < DescentRounds; round++)
        {
            cancellation.ThrowIfCancellationRequested();
            int m = Math.Min(k, 15);
            var (reverseStart, reverse) = ReverseLists(indices, n, k, m);
            var nextIndices = new int[n * k];
            var nextKeys = new float[n * k];
            int[] curIdx = indices; float[] curKeys = keys;
            Parallel.For(0, n, options, () => new SearchScratch(n, k), (i, _, s) =>
            {
                s.Begin(i);
                for (int a = 0; a < k; a++) s.Keep(curIdx[i * k + a], curKeys[i * k + a]);
                for (int a = 0; a < m; a++)
                {
                    int u = curIdx[i * k + a];
                    for (int b = 0; b < m; b++) s.Try(curIdx[u * k + b], data, d);
                    for (int b = reverseStart[u]; b < reverseStart[u + 1]; b++) s.Try(reverse[b], data, d);
                }
                for (int a = reverseStart[i]; a < reverseStart[i + 1]; a++)
                {
                    int u = reverse[a];
                    s.Try(u, data, d);
                    for (int b = 0; b < m; b++) s.Try(curIdx[u * k + b], data, d);
                }
                s.Store(nextIndices, nextKeys);
                return s;
            }, _ => { });
            indices = nextIndices; keys = nextKeys;
        }

        var finalIndices = new int[n * k];
        var distances = new float[n * k];
        for (int a = 0; a < n; a++)
        {
            int row = original[a] * k;
            for (int t = 0; t < k; t++)
            {
                finalIndices[row + t] = original[indices[a * k + t]];
                float key = keys[a * k + t];
                distances[row + t] = metric == DistanceMetric.Euclidean ? MathF.Sqrt(key) : key / 2f; // unit vectors: 1−cos = ‖a−b‖²/2
            }
        }
        for (int i = 0; i < n; i++) NeighborHeap.SortByDistance(finalIndices.AsSpan(i * k, k), distances.AsSpan(i * k, k));
        return new NeighborGraph(n, k, finalIndices, distances, metric);
    }

    private static (int[] start, int[] list) ReverseLists(int[] indices, int n, int k, int m)
    {
        var start = new int[n + 1];
        for (int i = 0; i < n; i++)
            for (int a = 0; a < m; a++) start[indices[i * k + a] + 1]++;
        for (int i = 0; i < n; i++) start[i + 1] += start[i];
        var fill = (int[])start.Clone();
        var list = new int[start[n]];
        for (int i = 0; i < n; i++)
            for (int a = 0; a < m; a++) list[fill[indices[i * k + a]]++] = i;
        // keep at most m reverse neighbours a point so hubs do not blow up the candidate count
        var capped = new int[n + 1];
        var kept = new List<int>(n * m);
        for (int i = 0; i < n; i++)
        {
            capped[i] = kept.Count;
            for (int b = start[i]; b < Math.Min(start[i + 1], start[i] + m); b++) kept.Add(list[b]);
        }
        capped[n] = kept.Count;
        return (capped, kept.ToArray());
    }

    private static void Split(float[] data, int d, int[] order, int from, int to, int leafSize, Random rng,
        float[] normal, float[] side, int[] starts, int[] ends)
    {
        int count = to - from;
        if (count <= leafSize)
        {
            for (int m = from; m < to; m++) { starts[order[m]] = from; ends[order[m]] = to; }
            return;
        }
        int a = order[from + rng.Next(count)], b = order[from + rng.Next(count - 1)];
        if (b == a) b = order[to - 1];
        var pa = new ReadOnlySpan<float>(data, a * d, d);
        var pb = new ReadOnlySpan<float>(data, b * d, d);
        TensorPrimitives.Subtract(pa, pb, normal);
        float offset = 0;
        for (int t = 0; t < d; t++) offset += normal[t] * 0.5f * (pa[t] + pb[t]);
        int left = from, right = to - 1;
        for (int m = from; m < to; m++) side[order[m]] = TensorPrimitives.Dot(normal, new ReadOnlySpan<float>(data, order[m] * d, d)) - offset;
        while (left <= right)
        {
            if (side[order[left]] < 0) left++;
            else { (order[left], order[right]) = (order[right], order[left]); right--; }
        }
        int mid = left;
        if (mid - from < count / 10 || to - mid < count / 10) mid = from + count / 2; // degenerate split (duplicates): halve
        Split(data, d, order, from, mid, leafSize, rng, normal, side, starts, ends);
        Split(data, d, order, mid, to, leafSize, rng, normal, side, starts, ends);
    }

    /// <summary>Per-thread state: the heap of one point and a visit stamp per candidate.</summary>
    private sealed class SearchScratch(int n, int k)
    {
        private readonly int[] _stamp = new int[n];
        private readonly NeighborHeap _heap = new(k);
        private int _point;

        public void Begin(int point)
        {
            _point = point;
            _heap.Clear();
            _stamp[point] = point + 1;
        }

        public void Keep(int index, float key)
        {
            if (_stamp[index] == _point + 1) return;
            _stamp[index] = _point + 1;
            _heap.Offer(key, index);
        }

        public void Try(int index, float[] data, int d)
        {
            if (_stamp[index] == _point + 1) return;
            _stamp[index] = _point + 1;
            var a = new ReadOnlySpan<float>(data, _point * d, d);
            var b = new ReadOnlySpan<float>(data, index * d, d);
            float diff = TensorPrimitives.Distance(a, b);
            _heap.Offer(diff * diff, index);
        }

        public void Store(int[] indices, float[] keys)
        {
            var found = _heap.Indices;
            var foundKeys = _heap.Keys;
            int k = indices.Length / _stamp.Length;
            for (int a = 0; a < k; a++)
            {
                // tiny leaves can leave the heap short in the first round; the point itself stands in until descent fills it
                bool have = a < found.Length;
                indices[_point * k + a] = have ? found[a] : _point;
                keys[_point * k + a] = have ? foundKeys[a] : float.PositiveInfinity;
            }
        }
    }
}
