using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MLNet.CnnDiagnostics.Analysis;

/// <summary>
/// t-SNE's repulsion by FFT-accelerated interpolation (FIt-SNE, Linderman et al. 2019), 2-D: the embedding's square
/// is cut into boxes (at least <c>minIntervals</c> per axis, each at most 1/<c>intervalsPerUnit</c> wide) with <c>p</c>
/// equispaced Lagrange nodes per box and axis; the charges (1, x, y, x²+y²) are spread to the nodes, convolved with the
/// kernel 1/(1+r²)² on the node grid by a zero-padded 2-D FFT, and interpolated back. From the four potentials:
/// Σⱼ qᵢⱼ²(yᵢ−yⱼ) = yᵢφ₁ − (φ₂, φ₃) and Z = Σᵢ[(1+‖yᵢ‖²)φ₁ − 2yᵢ·(φ₂,φ₃) + φ₄] − N.
/// The box width is rounded down to a ladder of ratio 2^(1/32), so the kernel's spectrum is reused across iterations
/// while the grid size stays the same (the grid is at most 2.2% finer than FIt-SNE's).
/// </summary>
internal sealed class InterpolatedRepulsion
{
    private readonly int _p;
    private readonly int _minIntervals;
    private readonly double _intervalsPerUnit;
    private readonly ParallelOptions _parallel;
    private readonly IGridConvolution _convolution;
    private float[] _re1 = [], _im1 = [], _re2 = [], _im2 = [];
    private int[] _box = [], _order = [];
    private int _stride; // 2N: distance between a coordinate's successive weights
    private float[] _weights = [];
    private double[] _denominators = [];

    public InterpolatedRepulsion(int interpolationPoints, int minIntervals, double intervalsPerUnit, ParallelOptions parallel)
    {
        _p = interpolationPoints;
        _minIntervals = minIntervals;
        _intervalsPerUnit = intervalsPerUnit;
        _parallel = parallel;
        _convolution = Vector512.IsHardwareAccelerated && Avx.IsSupported
            ? new GridConvolution<Lanes16>(parallel)
            : new GridConvolution<Lanes8>(parallel);
    }

    /// <summary>Writes Σⱼ qᵢⱼ²(yᵢ−yⱼ) into <paramref name="forces"/> (2 per point) and returns Z = Σ_{i≠j} qᵢⱼ.</summary>
    public double Compute(float[] y, int n, double[] forces)
    {
        int p = _p;
        var coordinates = y.AsSpan(0, 2 * n);
        double min = TensorPrimitives.Min<float>(coordinates), max = TensorPrimitives.Max<float>(coordinates);
        double range = Math.Max(max - min, 1e-12) * (1 + 1e-6);
        double width = Math.Min(1 / _intervalsPerUnit, range / _minIntervals);
        width = Math.Pow(2, Math.Floor(Math.Log2(width) * 32) / 32);
        int boxes = Math.Max(1, (int)Math.Ceiling(range / width));
        int nodes = boxes * p;
        int length = BatchedFourierTransform<Lanes8>.NextFastLength(2 * nodes - 1, 1);
        double h = width / p;
        _convolution.Prepare(length, width, h);
        int size = _convolution.Stride;
        if (_re1.Length != size * size)
        {
            _re1 = new float[size * size]; _im1 = new float[size * size];
            _re2 = new float[size * size]; _im2 = new float[size * size];
        }
        if (_box.Length < 2 * n)
        {
            _box = new int[2 * n];
            _weights = new float[2 * n * p];
            _order = new int[n];
        }
        if (_denominators.Length != p)
        {
            _denominators = new double[p];
            for (int a = 0; a < p; a++)
            {
                double d = 1;
                for (int c = 0; c < p; c++) if (c != a) d *= a - c;
                _denominators[a] = 1 / d;
            }
        }
        _stride = 2 * n;
        Parallel.For(0, (n + Chunk - 1) / Chunk, _parallel, c => Locate(y, 2 * c * Chunk, 2 * Math.Min(n, (c + 1) * Chunk), min, h, boxes));
        var rowStart = SortByBoxRow(n, boxes);

        // the grid rows of box row r are r·p … r·p+p−1 and no other box row touches them: tasks that own whole box
        // rows write disjoint parts of the grids, and each node sums its points in sorted order (deterministic)
        double centre = min + range / 2; // charges relative to the centre keep x²+y² small
        int tasks = Math.Min(boxes, SpreadTasks);
        var taskRows = new int[tasks + 1];
        for (int t = 1, r = 0; t < tasks; t++)
        {
            long target = (long)n * t / tasks;
            while (r < boxes && rowStart[r] < target) r++;
            taskRows[t] = Math.Max(r, taskRows[t - 1]);
        }
        taskRows[tasks] = boxes;
        Parallel.For(0, tasks, _parallel, t => Spread(y, rowStart, taskRows[t], taskRows[t + 1], size, nodes, (float)centre));

        _convolution.Convolve(_re1, _im1, _re2, _im2, nodes);

        var zParts = new double[(n + Chunk - 1) / Chunk];
        double scale = 1.0 / ((double)length * length);
        Parallel.For(0, zParts.Length, _parallel, c => zParts[c] = Gather(y, forces, c * Chunk, Math.Min(n, (c + 1) * Chunk), size, centre, scale));
        double total = 0;
        foreach (var z in zParts) total += z;
        return total;
    }

    private const int Chunk = 1024, SpreadTasks = 16;

    /// <summary>
    /// Each coordinate's first node (box·p) and its p Lagrange weights, wₐ = Πc≠a (u − c − ½)/(a − c) with u the position
    /// in node spacings from the box's edge, for coordinates [from, to) (2i + axis), weight a of coordinate k at a·2N + k.
    /// </summary>
    private void Locate(float[] y, int from, int to, double min, double h, int boxes)
    {
        int p = _p, m = _stride;
        var box = _box; var weights = _weights; var denominators = _denominators;
        double invH = 1 / h, invP = 1.0 / p;
        int k = from;
        if (p == 3 && Avx.IsSupported)
        {
            // the default, four coordinates at a time (in double, as the scalar loop below)
            var vmin = Vector256.Create(min); var vinvH = Vector256.Create(invH); var vinvP = Vector256.Create(invP);
            var last = Vector256.Create((double)boxes - 1);
            var three = Vector256.Create(3.0); var half = Vector256.Create(0.5);
            var one = Vector256.Create(1.0); var two = Vector256.Create(2.0);
            var den0 = Vector256.Create(denominators[0]); var den1 = Vector256.Create(denominators[1]); var den2 = Vector256.Create(denominators[2]);
            for (; k + 4 <= to; k += 4)
            {
                var u = (Avx.ConvertToVector256Double(Vector128.Create(y, k)) - vmin) * vinvH;
                var first = Vector256.Min(Vector256.Floor(u * vinvP), last) * three;
                u -= first;
                Avx.ConvertToVector128Int32WithTruncation(first).CopyTo(box, k);
                var d0 = u - half; var d1 = d0 - one; var d2 = d0 - two;
                Avx.ConvertToVector128Single(den0 * d1 * d2).CopyTo(weights, k);
                Avx.ConvertToVector128Single(den1 * d0 * d2).CopyTo(weights, m + k);
                Avx.ConvertToVector128Single(den2 * d0 * d1).CopyTo(weights, 2 * m + k);
            }
        }
        Span<double> before = stackalloc double[p + 1];
        for (; k < to; k++)
        {
            double u = (y[k] - min) * invH;
            int b = Math.Min((int)Math.Floor(u * invP), boxes - 1);
            u -= b * p;
            box[k] = b * p;
            before[0] = 1;
            for (int c = 0; c < p; c++) before[c + 1] = before[c] * (u - (c + 0.5));
            double after = 1;
            for (int a = p - 1; a >= 0; a--)
            {
                weights[a * m + k] = (float)(denominators[a] * before[a] * after);
                after *= u - (a + 0.5);
            }
        }
    }

    /// <summary>Counting sort of the points by box row (stable): _order lists them, row r's at [start[r], start[r+1]).</summary>
    private int[] SortByBoxRow(int n, int boxes)
    {
        int p = _p;
        var start = new int[boxes + 1];
        for (int i = 0; i < n; i++) start[_box[2 * i + 1] / p + 1]++; // p is small: the division is cheap next to the rest
        for (int r = 0; r < boxes; r++) start[r + 1] += start[r];
        var fill = (int[])start.Clone();
        for (int i = 0; i < n; i++) _order[fill[_box[2 * i + 1] / p]++] = i;
        return start;
    }

    /// <summary>Clears the grid rows of box rows [r0, r1) and spreads their points' charges (1, x, y, x²+y²) onto them.</summary>
    private void Spread(float[] y, int[] rowStart, int r0, int r1, int size, int nodes, float centre)
    {
        int p = _p;
        float[] g1 = _re1, g2 = _im1, g3 = _re2, g4 = _im2;
        var box = _box; var weights = _weights; var order = _order;
        int m = _stride;
        const int panel = GridConvolution<Lanes8>.Panel;
        for (int c = 0; c < nodes; c += panel)
        {
            int at = GridConvolution<Lanes8>.Offset(size, r0 * p, c), count = (r1 - r0) * p * panel;
            Array.Clear(g1, at, count); Array.Clear(g2, at, count);
            Array.Clear(g3, at, count); Array.Clear(g4, at, count);
        }
        Span<int> columns = stackalloc int[p];
        for (int s = rowStart[r0]; s < rowStart[r1]; s++)
        {
            int i = order[s];
            float x = y[2 * i] - centre, yy = y[2 * i + 1] - centre, sq = x * x + yy * yy;
            int bx = box[2 * i], by = box[2 * i + 1], wx = 2 * i, wyo = 2 * i + 1;
            for (int a = 0; a < p; a++) columns[a] = GridConvolution<Lanes8>.Offset(size, 0, bx + a);
            for (int b = 0; b < p; b++)
            {
                float wy = weights[wyo + b * m];
                int row = (by + b) * panel;
                for (int a = 0; a < p; a++)
                {
                    float w = wy * weights[wx + a * m];
                    int at = row + columns[a];
                    g1[at] += w; g2[at] += w * x; g3[at] += w * yy; g4[at] += w * sq;
                }
            }
        }
    }

    /// <summary>Interpolates the four potentials back to points [from, to), writes their forces, returns their part of Z.</summary>
    private double Gather(float[] y, double[] forces, int from, int to, int size, double centre, double scale)
    {
        int p = _p;
        float[] g1 = _re1, g2 = _im1, g3 = _re2, g4 = _im2;
        var box = _box; var weights = _weights;
        int m = _stride;
        Span<int> columns = stackalloc int[p];
        double z = 0;
        for (int i = from; i < to; i++)
        {
            float s1 = 0, s2 = 0, s3 = 0, s4 = 0;
            int bx = box[2 * i], by = box[2 * i + 1], wx = 2 * i, wyo = 2 * i + 1;
            for (int a = 0; a < p; a++) columns[a] = GridConvolution<Lanes8>.Offset(size, 0, bx + a);
            for (int b = 0; b < p; b++)
            {
                float wy = weights[wyo + b * m];
                int row = (by + b) * GridConvolution<Lanes8>.Panel;
                float t1 = 0, t2 = 0, t3 = 0, t4 = 0;
                for (int a = 0; a < p; a++)
                {
                    float w = weights[wx + a * m];
                    int at = row + columns[a];
                    t1 += w * g1[at]; t2 += w * g2[at]; t3 += w * g3[at]; t4 += w * g4[at];
                }
                s1 += wy * t1; s2 += wy * t2; s3 += wy * t3; s4 += wy * t4;
            }
            double phi1 = s1 * scale, phi2 = s2 * scale, phi3 = s3 * scale, phi4 = s4 * scale;
            double x = y[2 * i] - centre, yy = y[2 * i + 1] - centre;
            forces[2 * i] = x * phi1 - phi2;
            forces[2 * i + 1] = yy * phi1 - phi3;
            z += (1 + x * x + yy * yy) * phi1 - 2 * (x * phi2 + yy * phi3) + phi4 - 1;
        }
        return z;
    }
}
