using System.Diagnostics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MLNet.CnnDiagnostics.Analysis;

/// <summary>
/// Gradient descent with momentum and delta-bar-delta gains over a t-SNE embedding (openTSNE's <c>gradient_descent</c>):
/// gradient gᵢ = α·Σⱼ pᵢⱼqᵢⱼ(yᵢ−yⱼ) − Σⱼ qᵢⱼ²(yᵢ−yⱼ)/Z with qᵢⱼ = 1/(1+‖yᵢ−yⱼ‖²), Z = Σ_{k≠l} q_kl;
/// gains grow by 0.2 where the gradient's sign flips against the last update and shrink ×0.8 otherwise.
/// </summary>
internal sealed class TsneOptimizer
{
    private readonly TsneAffinities _p;
    private readonly TsneOptions _options;
    private readonly ParallelOptions _parallel;
    private readonly float[] _y;
    private readonly double[] _update, _gains, _attractive, _repulsive;
    private readonly InterpolatedRepulsion? _interpolation;
    private readonly int _n;

    public TsneOptimizer(TsneAffinities p, float[] y, TsneOptions options)
    {
        _p = p;
        _y = y;
        _n = p.Count;
        _options = options;
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxThreads };
        _update = new double[2 * _n];
        _gains = new double[2 * _n];
        Array.Fill(_gains, 1.0);
        _attractive = new double[2 * _n];
        _repulsive = new double[2 * _n];
        if (UsesInterpolation)
            _interpolation = new InterpolatedRepulsion(options.InterpolationPoints, options.MinIntervals, options.IntervalsPerUnit, _parallel);
    }

    public bool UsesInterpolation => _options.GradientMethod == TsneGradientMethod.Interpolation
        || (_options.GradientMethod == TsneGradientMethod.Auto && _n >= _options.InterpolationFrom);

    public double KlDivergence { get; private set; } = double.NaN;

    public double LearningRate => _options.LearningRate ?? Math.Max(_n / 12.0, 200);

    public void Run(int iterations, double exaggeration, double momentum, TsnePhase phase, Stopwatch clock,
        IProgress<TsneProgress>? progress, CancellationToken cancellation)
    {
        double lr = LearningRate;
        for (int it = 1; it <= iterations; it++)
        {
            cancellation.ThrowIfCancellationRequested();
            bool report = it == iterations || (_options.ReportEvery > 0 && it % _options.ReportEvery == 0);
            Step(exaggeration, momentum, lr, report);
            if (report) progress?.Report(new TsneProgress(phase, it, iterations, KlDivergence, clock.Elapsed));
        }
    }

    private void Step(double exaggeration, double momentum, double lr, bool computeKl)
    {
        double z = Repulsion();
        double logSum = Attraction(computeKl);
        if (computeKl) KlDivergence = logSum + Math.Log(z);
        double clip = _options.MaxGradientNorm ?? double.PositiveInfinity, minGain = _options.MinGain;
        double invZ = 1 / z;
        Parallel.For(0, (_n + 1023) / 1024, _parallel, c =>
        {
            for (int i = c * 1024; i < Math.Min(_n, (c + 1) * 1024); i++)
            {
                double gx = exaggeration * _attractive[2 * i] - _repulsive[2 * i] * invZ;
                double gy = exaggeration * _attractive[2 * i + 1] - _repulsive[2 * i + 1] * invZ;
                double norm = Math.Sqrt(gx * gx + gy * gy);
                if (norm > clip) { gx *= clip / norm; gy *= clip / norm; }
                Move(2 * i, gx, momentum, lr, minGain);
                Move(2 * i + 1, gy, momentum, lr, minGain);
            }
        });
        Recentre();
    }

    private void Move(int a, double g, double momentum, double lr, double minGain)
    {
        double gain = (g > 0) != (_update[a] > 0) ? _gains[a] + 0.2 : _gains[a] * 0.8;
        _gains[a] = Math.Max(gain, minGain);
        _update[a] = momentum * _update[a] - lr * _gains[a] * g;
        _y[a] += (float)_update[a];
    }

    private void Recentre()
    {
        double mx = 0, my = 0;
        for (int i = 0; i < _n; i++) { mx += _y[2 * i]; my += _y[2 * i + 1]; }
        float fx = (float)(mx / _n), fy = (float)(my / _n);
        for (int i = 0; i < _n; i++) { _y[2 * i] -= fx; _y[2 * i + 1] -= fy; }
    }

    private double Repulsion()
    {
        if (_interpolation is not null) return _interpolation.Compute(_y, _n, _repulsive);
        var tree = new BarnesHutTree(_y, _n);
        const int chunk = 256;
        var parts = new double[(_n + chunk - 1) / chunk];
        double theta = _options.Theta;
        Parallel.For(0, parts.Length, _parallel, c =>
        {
            double z = 0;
            for (int i = c * chunk; i < Math.Min(_n, (c + 1) * chunk); i++)
            {
                double fx = 0, fy = 0;
                z += tree.Repulsion(_y[2 * i], _y[2 * i + 1], i, theta, ref fx, ref fy);
                _repulsive[2 * i] = fx; _repulsive[2 * i + 1] = fy;
            }
            parts[c] = z;
        });
        double total = 0;
        foreach (var part in parts) total += part;
        return total;
    }

    /// <summary>Fills the attractive forces Σⱼ pᵢⱼqᵢⱼ(yᵢ−yⱼ); with <paramref name="kl"/>, returns Σ p·ln(p/q̃) (q̃ unnormalised), else 0.</summary>
    private double Attraction(bool kl)
    {
        const int chunk = 256;
        var parts = new double[(_n + chunk - 1) / chunk];
        Parallel.For(0, parts.Length, _parallel, c =>
        {
            double sum = 0;
            for (int i = c * chunk; i < Math.Min(_n, (c + 1) * chunk); i++)
                sum += kl || !Avx2.IsSupported ? AttractionOf(i, kl) : AttractionOfVectorized(i);
            parts[c] = sum;
        });
        double total = 0;
        foreach (var part in parts) total += part;
        return total;
    }

    private double AttractionOf(int i, bool kl)
    {
        var rows = _p.RowStart; var cols = _p.Columns; var vals = _p.Values;
        float xi = _y[2 * i], yi = _y[2 * i + 1];
        float ax = 0, ay = 0;
        double sum = 0;
        for (int e = rows[i]; e < rows[i + 1]; e++)
        {
            int j = cols[e];
            float dx = xi - _y[2 * j], dy = yi - _y[2 * j + 1];
            float d2 = 1 + dx * dx + dy * dy;
            float w = vals[e] / d2;
            ax += w * dx; ay += w * dy;
            if (kl && vals[e] > 0) sum += vals[e] * Math.Log(vals[e] * d2);
        }
        _attractive[2 * i] = ax; _attractive[2 * i + 1] = ay;
        return sum;
    }

    /// <summary>
    /// The same sum, 8 neighbours at a time: each neighbour's (x, y) pair is fetched by one 64-bit gather lane (4 pairs a
    /// gather, half the gathered elements of fetching x and y apart), then split into x and y lanes
    /// (x₀x₁x₄x₅x₂x₃x₆x₇ order, so the values are permuted to match).
    /// </summary>
    private unsafe double AttractionOfVectorized(int i)
    {
        var rows = _p.RowStart;
        int s = rows[i], e = rows[i + 1];
        fixed (float* y = _y, vals = _p.Values)
        fixed (int* cols = _p.Columns)
        {
            var xi = Vector256.Create(y[2 * i]);
            var yi = Vector256.Create(y[2 * i + 1]);
            var one = Vector256.Create(1f);
            var order = Vector256.Create(0, 1, 4, 5, 2, 3, 6, 7);
            Vector256<float> ax = default, ay = default;
            int a = s;
            for (; a + 8 <= e; a += 8)
            {
                var index = Avx.LoadVector256(cols + a);
                var low = Avx2.GatherVector256((long*)y, index.GetLower(), 8).AsSingle();
                var high = Avx2.GatherVector256((long*)y, index.GetUpper(), 8).AsSingle();
                var dx = xi - Avx.Shuffle(low, high, 0x88);
                var dy = yi - Avx.Shuffle(low, high, 0xDD);
                var w = Avx2.PermuteVar8x32(Avx.LoadVector256(vals + a), order) / (one + dx * dx + dy * dy);
                ax += w * dx; ay += w * dy;
            }
            float sx = Vector256.Sum(ax), sy = Vector256.Sum(ay);
            for (; a < e; a++)
            {
                int j = cols[a];
                float dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1];
                float w = vals[a] / (1 + dx * dx + dy * dy);
                sx += w * dx; sy += w * dy;
            }
            _attractive[2 * i] = sx; _attractive[2 * i + 1] = sy;
        }
        return 0;
    }
}
