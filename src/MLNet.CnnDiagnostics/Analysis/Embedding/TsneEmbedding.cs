using System.Diagnostics;

namespace MLNet.CnnDiagnostics.Analysis;

/// <summary>
/// The result of <see cref="Tsne.Fit"/>: the 2-D coordinates of the training points, their affinities, and what is needed
/// to optimise further or to place new points into this fixed embedding (openTSNE's <c>TSNEEmbedding</c>).
/// </summary>
public sealed class TsneEmbedding
{
    private readonly PointMatrix _reference;
    private readonly float[] _y;
    private readonly TsneOptimizer _optimizer;

    internal TsneEmbedding(PointMatrix reference, float[] y, TsneAffinities affinities, TsneOptions options, TsneOptimizer optimizer)
    {
        _reference = reference;
        _y = y;
        Affinities = affinities;
        Options = options;
        _optimizer = optimizer;
    }

    /// <summary>The embedding, [N, 2] (a copy).</summary>
    public FloatTensor Coordinates => new([_reference.Count, 2], (float[])_y.Clone());

    /// <summary>The symmetric affinities P the embedding was optimised for.</summary>
    public TsneAffinities Affinities { get; }

    /// <summary>The settings of the run.</summary>
    public TsneOptions Options { get; }

    /// <summary>KL(P‖Q) at the last iteration.</summary>
    public double KlDivergence => _optimizer.KlDivergence;

    /// <summary>True when the repulsion was computed by FFT interpolation, false for Barnes–Hut.</summary>
    public bool UsedInterpolation => _optimizer.UsesInterpolation;

    /// <summary>Runs more iterations on this embedding (momentum and gains carry on).</summary>
    public void Optimize(int iterations, double exaggeration = 1, double momentum = 0.8,
        IProgress<TsneProgress>? progress = null, CancellationToken cancellation = default)
    {
        if (iterations < 0) throw new ArgumentOutOfRangeException(nameof(iterations), iterations, "iterations must be 0 or more.");
        _optimizer.Run(iterations, exaggeration, momentum, TsnePhase.Embedding, Stopwatch.StartNew(), progress, cancellation);
    }

    /// <summary>
    /// Places [M, D] new points into this embedding without moving the reference points: each starts at the
    /// affinity-weighted mean of its nearest reference points and is optimised against the fixed reference.
    /// Returns [M, 2].
    /// </summary>
    public FloatTensor Transform(FloatTensor points, TsneTransformOptions? options = null,
        IProgress<TsneProgress>? progress = null, CancellationToken cancellation = default)
    {
        var o = options ?? new TsneTransformOptions();
        var clock = Stopwatch.StartNew();
        var q = PointMatrix.From(points, "points to transform");
        if (q.Dimension != _reference.Dimension)
            throw new CnnDiagnosticsException($"points to transform have {q.Dimension} dimensions; the embedding was fitted on {_reference.Dimension}.");
        if (o.Iterations < 0 || !(o.LearningRate > 0) || o.Momentum is < 0 or >= 1 || !(o.MaxGradientNorm > 0) || !(o.Theta > 0) || !(o.Exaggeration > 0))
            throw new ArgumentOutOfRangeException(nameof(options), $"transform options out of range: Iterations {o.Iterations} (≥ 0), LearningRate {o.LearningRate} (> 0), Momentum {o.Momentum} ([0, 1)), MaxGradientNorm {o.MaxGradientNorm} (> 0), Theta {o.Theta} (> 0), Exaggeration {o.Exaggeration} (> 0).");
        if (!(o.Perplexity > 1) || 3 * o.Perplexity > _reference.Count)
            throw new CnnDiagnosticsException($"transform perplexity {o.Perplexity} needs 3·perplexity ≤ {_reference.Count} reference points and perplexity > 1; use at most {Math.Floor(_reference.Count / 3.0 * 100) / 100}.");
        int m = q.Count, k = (int)Math.Floor(3 * o.Perplexity);
        var graph = ExactNeighborSearch.Search(q, _reference, k, Options.Metric, excludeSelf: false, o.MaxThreads, cancellation);
        var p = TsneAffinities.Conditional(graph, o.Perplexity);
        var y = new float[2 * m];
        for (int i = 0; i < m; i++)
        {
            double x = 0, yy = 0;
            for (int a = 0; a < k; a++)
            {
                int j = graph.Indices[i * k + a];
                x += p[i * k + a] * _y[2 * j]; yy += p[i * k + a] * _y[2 * j + 1];
            }
            y[2 * i] = (float)x; y[2 * i + 1] = (float)yy;
        }
        var tree = new BarnesHutTree(_y, _reference.Count);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = o.MaxThreads, CancellationToken = cancellation };
        Parallel.For(0, m, parallel, i =>
        {
            double px = y[2 * i], py = y[2 * i + 1], ux = 0, uy = 0, gainX = 1, gainY = 1;
            for (int it = 0; it < o.Iterations; it++)
            {
                double ax = 0, ay = 0;
                for (int a = 0; a < k; a++)
                {
                    int j = graph.Indices[i * k + a];
                    double dx = px - _y[2 * j], dy = py - _y[2 * j + 1];
                    double w = p[i * k + a] / (1 + dx * dx + dy * dy);
                    ax += w * dx; ay += w * dy;
                }
                double fx = 0, fy = 0;
                double z = tree.Repulsion(px, py, -1, o.Theta, ref fx, ref fy);
                double gx = o.Exaggeration * ax - fx / z, gy = o.Exaggeration * ay - fy / z;
                double norm = Math.Sqrt(gx * gx + gy * gy);
                if (norm > o.MaxGradientNorm) { gx *= o.MaxGradientNorm / norm; gy *= o.MaxGradientNorm / norm; }
                gainX = Math.Max(0.01, (gx > 0) != (ux > 0) ? gainX + 0.2 : gainX * 0.8);
                gainY = Math.Max(0.01, (gy > 0) != (uy > 0) ? gainY + 0.2 : gainY * 0.8);
                ux = o.Momentum * ux - o.LearningRate * gainX * gx;
                uy = o.Momentum * uy - o.LearningRate * gainY * gy;
                px += ux; py += uy;
            }
            y[2 * i] = (float)px; y[2 * i + 1] = (float)py;
        });
        progress?.Report(new TsneProgress(TsnePhase.Transform, o.Iterations, o.Iterations, double.NaN, clock.Elapsed));
        return new FloatTensor([m, 2], y);
    }
}
