using System.Diagnostics;

namespace MLNet.CnnDiagnostics.Analysis;

/// <summary>
/// t-distributed stochastic neighbour embedding into 2-D (van der Maaten &amp; Hinton 2008), organised as openTSNE is:
/// nearest neighbours → perplexity-calibrated sparse affinities → initialisation → gradient descent with early
/// exaggeration, the repulsion by Barnes–Hut or FFT interpolation. Deterministic for a given <see cref="TsneOptions.Seed"/>
/// (thread count does not change the result).
/// </summary>
public sealed class Tsne
{
    /// <summary>Creates a t-SNE with the given settings (defaults when null).</summary>
    public Tsne(TsneOptions? options = null)
    {
        Options = options ?? new TsneOptions();
        Validate(Options);
    }

    /// <summary>The settings in use.</summary>
    public TsneOptions Options { get; }

    /// <summary>Embeds [N, D] points (row-major, finite) into 2-D.</summary>
    /// <param name="points">The input points; N must allow the perplexity (N ≥ 3·perplexity + 1).</param>
    /// <param name="progress">Receives a report after each stage and every <see cref="TsneOptions.ReportEvery"/> iterations.</param>
    /// <param name="cancellation">Stops the run (throws <see cref="OperationCanceledException"/>).</param>
    public TsneEmbedding Fit(FloatTensor points, IProgress<TsneProgress>? progress = null, CancellationToken cancellation = default)
    {
        var clock = Stopwatch.StartNew();
        var data = PointMatrix.From(points, "t-SNE input", 2);
        var o = Options;
        TsneAffinities.CheckPerplexity(o.Perplexity, data.Count);
        int n = data.Count, k = Math.Min(n - 1, (int)Math.Floor(3 * o.Perplexity));

        bool approximate = o.NeighborMethod == NeighborSearchMethod.Approximate
            || (o.NeighborMethod == NeighborSearchMethod.Auto && n >= o.ApproximateNeighborsFrom);
        var graph = approximate
            ? ApproximateNeighborSearch.Search(data, k, o.Metric, o.Seed, o.MaxThreads, cancellation)
            : ExactNeighborSearch.Search(data, data, k, o.Metric, excludeSelf: true, o.MaxThreads, cancellation);
        progress?.Report(new TsneProgress(TsnePhase.Neighbors, 0, 0, double.NaN, clock.Elapsed));

        var affinities = TsneAffinities.FromNeighbors(graph, o.Perplexity);
        progress?.Report(new TsneProgress(TsnePhase.Affinities, 0, 0, double.NaN, clock.Elapsed));

        var y = Initialize(points, n, o);
        var optimizer = new TsneOptimizer(affinities, y, o);
        optimizer.Run(o.EarlyExaggerationIterations, o.EarlyExaggeration, o.InitialMomentum, TsnePhase.EarlyExaggeration, clock, progress, cancellation);
        optimizer.Run(o.Iterations, o.Exaggeration, o.FinalMomentum, TsnePhase.Embedding, clock, progress, cancellation);
        return new TsneEmbedding(data, y, affinities, o, optimizer);
    }

    /// <summary>Start coordinates (interleaved x, y) as <see cref="TsneOptions.Initialization"/> says, standard deviation 1e-4.</summary>
    internal static float[] Initialize(FloatTensor points, int n, TsneOptions o)
    {
        var y = new float[2 * n];
        int filled = 0;
        if (o.Initialization == TsneInitialization.Pca)
        {
            var pca = PrincipalComponents.Fit(points, Math.Min(2, points.Shape[1]), o.MaxThreads);
            var projected = pca.Project(points).Data;
            int c = pca.Components;
            double mean = 0, sq = 0;
            for (int i = 0; i < n; i++) mean += projected[i * c];
            mean /= n;
            for (int i = 0; i < n; i++) sq += (projected[i * c] - mean) * (projected[i * c] - mean);
            double std = Math.Sqrt(sq / n);
            if (std > 0 && double.IsFinite(std))
            {
                for (int i = 0; i < n; i++)
                    for (int a = 0; a < c; a++) y[2 * i + a] = (float)(projected[i * c + a] / std * 1e-4);
                filled = c;
            }
        }
        // random coordinates where PCA gave none (random initialisation, one input dimension, or no variance at all)
        var rng = new Random(o.Seed);
        for (int i = 0; i < n; i++)
            for (int a = filled; a < 2; a++) y[2 * i + a] = (float)(1e-4 * Gaussian(rng));
        return y;
    }

    private static double Gaussian(Random rng)
    {
        double u = 1 - rng.NextDouble(), v = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
    }

    private static void Validate(TsneOptions o)
    {
        static void Require(bool ok, string name, object value, string valid)
        {
            if (!ok) throw new ArgumentOutOfRangeException(name, value, $"{name} is {value}; it must be {valid}.");
        }
        Require(o.Perplexity > 1 && double.IsFinite(o.Perplexity), nameof(o.Perplexity), o.Perplexity, "a finite number above 1");
        Require(o.EarlyExaggeration > 0 && double.IsFinite(o.EarlyExaggeration), nameof(o.EarlyExaggeration), o.EarlyExaggeration, "positive");
        Require(o.Exaggeration > 0 && double.IsFinite(o.Exaggeration), nameof(o.Exaggeration), o.Exaggeration, "positive");
        Require(o.EarlyExaggerationIterations >= 0, nameof(o.EarlyExaggerationIterations), o.EarlyExaggerationIterations, "0 or more");
        Require(o.Iterations >= 0, nameof(o.Iterations), o.Iterations, "0 or more");
        Require(o.LearningRate is null || (o.LearningRate > 0 && double.IsFinite(o.LearningRate.Value)), nameof(o.LearningRate), o.LearningRate!, "positive (or null for N/12)");
        Require(o.InitialMomentum is >= 0 and < 1, nameof(o.InitialMomentum), o.InitialMomentum, "in [0, 1)");
        Require(o.FinalMomentum is >= 0 and < 1, nameof(o.FinalMomentum), o.FinalMomentum, "in [0, 1)");
        Require(o.MinGain is > 0 and <= 1, nameof(o.MinGain), o.MinGain, "in (0, 1]");
        Require(o.Theta is > 0 and <= 2, nameof(o.Theta), o.Theta, "in (0, 2]");
        Require(o.InterpolationPoints is >= 1 and <= 10, nameof(o.InterpolationPoints), o.InterpolationPoints, "between 1 and 10");
        Require(o.MinIntervals is >= 1 and <= 1000, nameof(o.MinIntervals), o.MinIntervals, "between 1 and 1000");
        Require(o.IntervalsPerUnit > 0 && double.IsFinite(o.IntervalsPerUnit), nameof(o.IntervalsPerUnit), o.IntervalsPerUnit, "positive");
        Require(o.MaxThreads == -1 || o.MaxThreads >= 1, nameof(o.MaxThreads), o.MaxThreads, "−1 (all cores) or at least 1");
        Require(o.MaxGradientNorm is null || o.MaxGradientNorm > 0, nameof(o.MaxGradientNorm), o.MaxGradientNorm!, "positive or null");
    }
}
