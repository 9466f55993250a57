using MLNet.CnnDiagnostics.Analysis.Attribution;
using MLNet.CnnDiagnostics.Analysis;
using MLNet.CnnDiagnostics.Gradients;

namespace MLNet.CnnDiagnostics.Reporting.Sections;

/// <summary>Section 7: are the explanations trustworthy? Gradients against finite differences; saliency under weight randomization.</summary>
internal sealed class SanitySection : DiagnosticSection<SanitySection.Result>
{
    private const int Rows = 2;

    public override string Id => "sanity";

    public override string Title => "Sanity checks";

    internal override ReportSections Flag => ReportSections.Sanity;

    public override string Introduction => "Two checks that the explanations mean something. The backward graph's input gradient is compared with a directional finite difference of the class score, taken on the network with its activation pattern frozen at the image (every ReLU's on/off mask and every max pool's winners fixed: an affine function whose gradient is by definition the network's gradient there, so the difference is exact up to float32 round-off, about 1e-7); a right gradient reads far below the threshold 1e-3, a wrong backward rule reads 1e-1 or more. The model-randomization test (Adebayo et al. 2018) re-initialises the convolutions: a saliency method that reflects the model must then give different maps, so the Spearman rank correlation between the two should be low (below 0.5).";

    /// <summary>The Spearman ρ below which saliency counts as depending on the weights.</summary>
    internal const double RandomizationThreshold = 0.5;

    /// <summary>The two checks' numbers and verdicts.</summary>
    internal sealed class Result : SectionResult
    {
        public SanitySummary Sanity { get; set; } = new();

        public List<KeyValuePair<string, string>> Metrics { get; } = [];
    }

    public override Result Analyze(ReportContext context)
    {
        var result = new Result();
        if (!context.HasClassScores)
        {
            result.Skip("sanity checks", "there is no class score (no linear head on the CNN's features and no classifier layer in the model)",
                "Skipped: there is no class score (no linear head on the CNN's features and no classifier layer in the model).");
            return result;
        }
        var rows = DecisionsSection.ChooseRows(context).Take(Rows).ToList();
        var x = context.Images.Batch(rows.Select(r => r.Row).ToList());
        var target = new ClassTarget(rows.Select(r => r.Predicted).ToList());

        // Each check in a method of its own, so that nothing of one (an engine, a graph, a check's frozen networks) is
        // still referenced while the next makes its sessions: one network and one backward session in memory at a time.
        var gradient = MeasureGradient(context, x, target);

        double rho = RandomizationSpearman(context, x, target);

        bool independent = rho < RandomizationThreshold;
        result.Sanity = new SanitySummary
        {
            GradientRelativeError = gradient.RelativeError, GradientThreshold = gradient.Threshold, GradientPassed = gradient.Passed,
            RandomizationSpearman = rho, RandomizationThreshold = RandomizationThreshold, RandomizationPassed = independent,
        };
        result.Metrics.AddRange(
        [
            new("input gradient vs frozen-pattern finite differences (relative error, worst image)",
                $"{gradient.RelativeError:E2}: {(gradient.Passed ? "pass" : "FAIL")} (threshold {gradient.Threshold:0e0}; {rows.Count} images)"),
            new("saliency Spearman ρ, trained vs re-initialised convolutions",
                $"{rho:F3}: {(independent ? "pass: the maps depend on the weights" : "FAIL: the maps barely depend on the weights")} (threshold ρ < {RandomizationThreshold})"),
        ]);
        if (!gradient.Passed)
            result.Note($"The gradient check failed: the backward graph's input gradient disagrees with finite differences by {gradient.RelativeError:E2} (more than {gradient.Threshold:0e0}); the attributions in this report may be wrong.");
        return result;
    }

    public override void Render(Result result, SectionWriter writer)
    {
        if (result.Metrics.Count > 0) writer.Add(new MetricsBlock(result.Metrics));
    }

    internal override void Summarize(Result result, ReportSummaryBuilder summary) => summary.Sanity = result.Sanity;

    /// <summary>
    /// The gradient check on the report's engine. Its backward session is released as soon as the gradient is out, so
    /// that the check's own sessions (the forward with the activation pattern, the frozen network) come after it instead
    /// of next to it; the same engine (its builder and probed shapes) serves both.
    /// </summary>
    private static GradientCheckResult MeasureGradient(ReportContext context, FloatTensor x, ClassTarget target)
    {
        var engine = context.Gradients!;
        GradientCheckResult gradient;
        using (var check = new GradientCheck(engine) { Seed = context.Options.Seed })
            gradient = check.Measure(x, target, (points, t) =>
            {
                var g = engine.Compute(points, t).Gradients[engine.InputName];
                engine.ReleaseSessions();
                return g;
            });
        context.ReleaseSessions();
        return gradient;
    }

    /// <summary>
    /// Saliency's rank correlation between the trained network and one with re-initialised convolutions. The trained
    /// network's sessions and engine go before the re-initialised network is even made.
    /// </summary>
    private static double RandomizationSpearman(ReportContext context, FloatTensor x, ClassTarget target)
    {
        var trained = TrainedSaliency(context, x, target);
        var random = RandomizedSaliency(context, x, target);
        return RankCorrelation.Spearman(trained.Data, random.Data);
    }

    private static FloatTensor TrainedSaliency(ReportContext context, FloatTensor x, ClassTarget target)
    {
        var saliency = new Saliency(context.Gradients!).Attribute(x, target);
        context.ReleaseSessions();
        return saliency;
    }

    private static FloatTensor RandomizedSaliency(ReportContext context, FloatTensor x, ClassTarget target)
    {
        var graph = context.Graph.WithReinitializedConvolutions(context.Options.Seed);
        using var engine = new GradientEngine(graph, context.Head, context.SessionExecution);
        return new Saliency(engine).Attribute(x, target);
    }
}
