using MLNet.CnnDiagnostics.Analysis.Attribution;
using MLNet.CnnDiagnostics.Analysis;
using MLNet.CnnDiagnostics.Gradients;

namespace MLNet.CnnDiagnostics.Reporting.Sections;

/// <summary>Section 7: are the explanations trustworthy? Gradients against finite differences; saliency under weight randomization.</summary>
internal sealed class SanitySection : ReportSectionBuilder
{
    private const int Rows = 2;

    public override string Id => "sanity";

    public override string Title => "Sanity checks";

    public override ReportSections Flag => ReportSections.Sanity;

    public override string Introduction => "Two checks that the explanations mean something. The backward graph's input gradient is compared with central finite differences of the class score along a direction (best of four step sizes; float32 arithmetic and ReLU kinks bound the agreement near 1e-3). The model-randomization test (Adebayo et al. 2018) re-initialises the convolutions: a saliency method that reflects the model must then give different maps, so the Spearman rank correlation between the two should be low (below 0.5).";

    public override void Build(ReportContext context, ReportSection section, ReportSummary summary)
    {
        var engine = context.Gradients;
        if (engine is null)
        {
            section.Notes.Add("Skipped: there is no class score (no linear head on the CNN's features and no classifier layer in the model).");
            return;
        }
        var rows = DecisionsSection.ChooseRows(context).Take(Rows).ToList();
        var x = FloatTensor.Stack(rows.Select(r => context.Images.Slice(r.Row)).ToList());
        var target = new ClassTarget(rows.Select(r => r.Predicted).ToList());

        double error = GradientError(engine, x, target, context.Options.Seed);
        summary.Sanity.GradientRelativeError = error;

        var trained = new Saliency(engine).Attribute(x, target);
        using var randomEngine = RandomizedEngine(context);
        var random = new Saliency(randomEngine).Attribute(x, target);
        double rho = RankCorrelation.Spearman(trained.Data, random.Data);
        summary.Sanity.RandomizationSpearman = rho;

        section.Blocks.Add(new MetricsBlock(
        [
            new("input gradient vs finite differences (relative error)", $"{error:E2}"),
            new("saliency Spearman ρ, trained vs re-initialised convolutions", $"{rho:F3} {(rho < 0.5 ? "(passes: the maps depend on the weights)" : "(fails: the maps barely depend on the weights)")}"),
        ]));
    }

    private static GradientEngine RandomizedEngine(ReportContext context)
    {
        var graph = context.Graph.WithReinitializedConvolutions(context.Options.Seed);
        return new GradientEngine(graph, context.Head, context.Options.Execution);
    }

    /// <summary>Relative error |g·d − (f(x+hd) − f(x−hd))/2h| / |g·d| along d = ½ ĝ + ½ random unit, best over four steps h.</summary>
    internal static double GradientError(GradientEngine engine, FloatTensor x, GradientTarget target, int seed)
    {
        var result = engine.Compute(x, target);
        var g = result.Gradients[engine.InputName];
        var random = new Random(seed);
        var d = new float[x.Length];
        double gNorm = Math.Sqrt(g.Data.Sum(v => (double)v * v)) + 1e-30;
        var r = Enumerable.Range(0, x.Length).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        double rNorm = Math.Sqrt(r.Sum(v => v * v));
        for (int i = 0; i < d.Length; i++) d[i] = (float)(0.5 * g.Data[i] / gNorm + 0.5 * r[i] / rNorm);
        double analytic = 0;
        for (int i = 0; i < d.Length; i++) analytic += (double)g.Data[i] * d[i];
        // Steps relative to the pixels' RMS value; d has unit norm, so each pixel moves by a small fraction of h.
        double rms = Math.Sqrt(x.Data.Sum(v => (double)v * v) / x.Length);
        double best = double.PositiveInfinity;
        foreach (double fraction in new[] { 10, 1, 1e-1, 1e-2 })
        {
            float h = (float)(fraction * Math.Max(rms, 1e-3));
            var plus = x.Clone();
            var minus = x.Clone();
            for (int i = 0; i < d.Length; i++)
            {
                plus.Data[i] += h * d[i];
                minus.Data[i] -= h * d[i];
            }
            double fPlus = engine.Evaluate(plus, target).TargetValues.Sum();
            double fMinus = engine.Evaluate(minus, target).TargetValues.Sum();
            double numeric = (fPlus - fMinus) / (2 * h);
            best = Math.Min(best, Math.Abs(numeric - analytic) / Math.Max(Math.Abs(analytic), 1e-12));
        }
        return best;
    }
}
