using System.Numerics;

namespace MLNet.CnnDiagnostics.Analysis;

/// <summary>
/// t-SNE's repulsion by FFT-accelerated interpolation (FIt-SNE, Linderman et al. 2019), 2-D: the embedding's square
/// is cut into boxes (at least <c>minIntervals</c>, at most width 1/<c>intervalsPerUnit</c>) with <c>p</c> equispaced
/// Lagrange nodes per box and axis; the charges (1, x, y, x²+y²) are spread to the nodes, convolved with the kernel
/// 1/(1+r²)² on the regular node grid by zero-padded 2-D FFT, and interpolated back. From the four potentials:
/// Σⱼ qᵢⱼ²(yᵢ−yⱼ) = yᵢφ₁ − (φ₂, φ₃) and Z = Σᵢ[(1+‖yᵢ‖²)φ₁ − 2yᵢ·(φ₂,φ₃) + φ₄] − N.
/// </summary>
internal sealed class InterpolatedRepulsion
{
    private readonly int _points;
    private readonly int _minIntervals;
    private readonly double _intervalsPerUnit;
    private readonly ParallelOptions _parallel;
    private FourierTransform? _fft;
    private Complex[] _kernel = [], _grid1 = [], _grid2 = [];

    public InterpolatedRepulsion(int interpolationPoints, int minIntervals, double intervalsPerUnit, ParallelOptions parallel)
    {
        _points = interpolationPoints;
        _minIntervals = minIntervals;
        _intervalsPerUnit = intervalsPerUnit;
        _parallel = parallel;
    }

    /// <summary>Writes Σⱼ qᵢⱼ²(yᵢ−yⱼ) into <paramref name="forces"/> (2 per point) and returns Z = Σ_{i≠j} qᵢⱼ.</summary>
    public double Compute(float[] y, int n, double[] forces)
    {
        int p = _points;
        double min = double.MaxValue, max = double.MinValue;
        for (int i = 0; i < 2 * n; i++) { min = Math.Min(min, y[i]); max = Math.Max(max, y[i]); }
        double range = Math.Max(max - min, 1e-12);
        int boxes = Math.Max(_minIntervals, (int)Math.Ceiling(range * _intervalsPerUnit));
        while (!FourierTransform.IsFastLength(boxes)) boxes++;
        range *= 1 + 1e-7; // the maximum falls inside the last box
        double boxWidth = range / boxes, h = boxWidth / p, centre = min + range / 2;
        int nodes = boxes * p, size = 2 * nodes;
        Prepare(size, nodes, h);

        // Lagrange weights of each point on its box's p nodes, per axis
        var box = new int[2 * n];
        var weights = new double[2 * n * p];
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
                    double w = 1;
                    for (int c = 0; c < p; c++) if (c != a) w *= (u - (c + 0.5)) / (a - c);
                    weights[(2 * i + axis) * p + a] = w;
                }
            }
        });

        Array.Clear(_grid1); Array.Clear(_grid2);
        for (int i = 0; i < n; i++)
        {
            double x = y[2 * i] - centre, yy = y[2 * i + 1] - centre;
            var c1 = new Complex(1, x);
            var c2 = new Complex(yy, x * x + yy * yy);
            int bx = box[2 * i], by = box[2 * i + 1];
            for (int b = 0; b < p; b++)
            {
                double wy = weights[(2 * i + 1) * p + b];
                int row = (by + b) * size + bx;
                for (int a = 0; a < p; a++)
                {
                    double w = wy * weights[2 * i * p + a];
                    _grid1[row + a] += w * c1;
                    _grid2[row + a] += w * c2;
                }
            }
        }

        Convolve(_grid1, size, nodes);
        Convolve(_grid2, size, nodes);

        const int chunk = 512;
        int chunks = (n + chunk - 1) / chunk;
        var zParts = new double[chunks];
        double scale = 1.0 / ((double)size * size);
        Parallel.For(0, chunks, _parallel, c =>
        {
            double z = 0;
            for (int i = c * chunk; i < Math.Min(n, (c + 1) * chunk); i++)
            {
                Complex g1 = 0, g2 = 0;
                int bx = box[2 * i], by = box[2 * i + 1];
                for (int b = 0; b < p; b++)
                {
                    double wy = weights[(2 * i + 1) * p + b];
                    int row = (by + b) * size + bx;
                    for (int a = 0; a < p; a++)
                    {
                        double w = wy * weights[2 * i * p + a];
                        g1 += w * _grid1[row + a];
                        g2 += w * _grid2[row + a];
                    }
                }
                double phi1 = g1.Real * scale, phi2 = g1.Imaginary * scale, phi3 = g2.Real * scale, phi4 = g2.Imaginary * scale;
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

    private void Prepare(int size, int nodes, double h)
    {
        if (_fft is null || _fft.Length != size)
        {
            _fft = new FourierTransform(size);
            _kernel = new Complex[size * size];
            _grid1 = new Complex[size * size];
            _grid2 = new Complex[size * size];
        }
        Parallel.For(0, size, _parallel, r =>
        {
            double dy = (r <= nodes ? r : r - size) * h;
            for (int c = 0; c < size; c++)
            {
                double dx = (c <= nodes ? c : c - size) * h;
                double q = 1 / (1 + dx * dx + dy * dy);
                _kernel[r * size + c] = q * q;
            }
        });
        Transform2D(_kernel, size, size, inverse: false);
    }

    /// <summary>grid (first <paramref name="nodes"/> rows and columns hold data) ← IFFT(FFT(grid)·FFT(kernel)), unscaled.</summary>
    private void Convolve(Complex[] grid, int size, int nodes)
    {
        RowPass(grid, size, nodes, inverse: false);
        ColumnPass(grid, size, inverse: false);
        for (int i = 0; i < grid.Length; i++) grid[i] *= _kernel[i].Real; // a real, even kernel has a real spectrum
        ColumnPass(grid, size, inverse: true);
        RowPass(grid, size, nodes, inverse: true);
    }

    private void Transform2D(Complex[] grid, int size, int rows, bool inverse)
    {
        RowPass(grid, size, rows, inverse);
        ColumnPass(grid, size, inverse);
    }

    private void RowPass(Complex[] grid, int size, int rows, bool inverse)
    {
        var fft = _fft!;
        Parallel.For(0, rows, _parallel, () => new Complex[size], (r, _, scratch) =>
        {
            fft.Transform(grid, r * size, 1, scratch, 0, inverse);
            Array.Copy(scratch, 0, grid, r * size, size);
            return scratch;
        }, _ => { });
    }

    private void ColumnPass(Complex[] grid, int size, bool inverse)
    {
        var fft = _fft!;
        Parallel.For(0, size, _parallel, () => new Complex[size], (c, _, scratch) =>
        {
            fft.Transform(grid, c, size, scratch, 0, inverse);
            for (int r = 0; r < size; r++) grid[r * size + c] = scratch[r];
            return scratch;
        }, _ => { });
    }
}
