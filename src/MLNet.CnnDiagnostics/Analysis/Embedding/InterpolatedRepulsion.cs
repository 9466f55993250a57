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
        double min = double.MaxValue, max = double.MinValue;
        for (int i = 0; i < 2 * n; i++) { min = Math.Min(min, y[i]); max = Math.Max(max, y[i]); }
        double range = Math.Max(max - min, 1e-12) * (1 + 1e-6);
        double width = Math.Min(1 / _intervalsPerUnit, range / _minIntervals);
        width = Math.Pow(2, Math.Floor(Math.Log2(width) * 32) / 32);
        int boxes = Math.Max(1, (int)Math.Ceiling(range / width));
        int nodes = boxes * p;
        int size = BatchedFourierTransform<Lanes8>.NextFastLength(2 * nodes - 1, _convolution.Alignment);
        double h = width / p;
        _convolution.Prepare(size, width, h);
        if (_re1.Length != size * size)
        {
            _re1 = new float[size * size]; _im1 = new float[size * size];
            _re2 = new float[size * size]; _im2 = new float[size * size];
        }

        var box = new int[2 * n];
        var weights = new float[2 * n * p];
        var denominators = new double[p];
        for (int a = 0; a < p; a++)
        {
            double d = 1;
            for (int c = 0; c < p; c++) if (c != a) d *= a - c;
            denominators[a] = 1 / d;
        }
        Parallel.For(0, n, _parallel, i =>
        {
            for (int axis = 0; axis < 2; axis++)
            {
                double u = (y[2 * i + axis] - min) / h;
                int b = Math.Min((int)(u / p), boxes - 1);
                u -= b * p;
                box[2 * i + axis] = b * p;
                for (int a = 0; a < p; a++)
                {
                    double w = denominators[a];
                    for (int c = 0; c < p; c++) if (c != a) w *= u - (c + 0.5);
                    weights[(2 * i + axis) * p + a] = (float)w;
                }
            }
        });

        double centre = min + range / 2; // charges relative to the centre keep x²+y² small
        for (int r = 0; r < nodes; r++)
        {
            int row = r * size;
            Array.Clear(_re1, row, nodes); Array.Clear(_im1, row, nodes);
            Array.Clear(_re2, row, nodes); Array.Clear(_im2, row, nodes);
        }
        // one task a charge channel: no two tasks write the same grid, and each sums in point order (deterministic)
        var grids = new[] { _re1, _im1, _re2, _im2 };
        Parallel.For(0, 4, _parallel, channel =>
        {
            var grid = grids[channel];
            for (int i = 0; i < n; i++)
            {
                float x = (float)(y[2 * i] - centre), yy = (float)(y[2 * i + 1] - centre);
                float charge = channel switch { 0 => 1, 1 => x, 2 => yy, _ => x * x + yy * yy };
                int bx = box[2 * i], by = box[2 * i + 1];
                for (int b = 0; b < p; b++)
                {
                    float wy = weights[(2 * i + 1) * p + b] * charge;
                    int row = (by + b) * size + bx;
                    for (int a = 0; a < p; a++) grid[row + a] += wy * weights[2 * i * p + a];
                }
            }
        });

        _convolution.Convolve(_re1, _im1, size, nodes);
        _convolution.Convolve(_re2, _im2, size, nodes);

        const int chunk = 512;
        var zParts = new double[(n + chunk - 1) / chunk];
        double scale = 1.0 / ((double)size * size);
        Parallel.For(0, zParts.Length, _parallel, c =>
        {
            double z = 0;
            for (int i = c * chunk; i < Math.Min(n, (c + 1) * chunk); i++)
            {
                double g1 = 0, g2 = 0, g3 = 0, g4 = 0;
                int bx = box[2 * i], by = box[2 * i + 1];
                for (int b = 0; b < p; b++)
                {
                    float wy = weights[(2 * i + 1) * p + b];
                    int row = (by + b) * size + bx;
                    for (int a = 0; a < p; a++)
                    {
                        double w = wy * weights[2 * i * p + a];
                        g1 += w * _re1[row + a]; g2 += w * _im1[row + a];
                        g3 += w * _re2[row + a]; g4 += w * _im2[row + a];
                    }
                }
                double phi1 = g1 * scale, phi2 = g2 * scale, phi3 = g3 * scale, phi4 = g4 * scale;
                double x = y[2 * i] - centre, yy = y[2 * i + 1] - centre;
                forces[2 * i] = x * phi1 - phi2;
                forces[2 * i + 1] = yy * phi1 - phi3;
                z += (1 + x * x + yy * yy) * phi1 - 2 * (x * phi2 + yy * phi3) + phi4 - 1;
            }
            zParts[c] = z;
        });
        double total = 0;
        foreach (var z in zParts) total += z;
        return total;
    }
}
