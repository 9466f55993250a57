using System.Text.Json.Serialization;
using MLNet.CnnDiagnostics.Analysis.Attribution;
using MLNet.CnnDiagnostics.Analysis.Attribution.Faithfulness;
using MLNet.CnnDiagnostics.Gradients;
using MLNet.CnnDiagnostics.Rendering;

namespace MLNet.CnnDiagnostics.Reporting.Sections;

/// <summary>Section 6: how the classifier decides: confusion matrix and per-class precision and recall.</summary>
internal sealed class DecisionsSection : DiagnosticSection<DecisionsSection.Result>
{
    public override string Id => "decisions";

    public override string Title => "Decisions";

    internal override ReportSections Flag => ReportSections.Decisions;

    public override string Introduction => "Why the classifier decides as it does: for correctly and incorrectly classified samples, which pixels the predicted class's score depends on (by default Grad-CAM, gradient saliency, SmoothGrad, integrated gradients and occlusion; any registered method through the AttributionMethods option) and how faithful each map is (deletion and insertion curves); then the confusion matrix (rows: label, columns: prediction) and per-class precision and recall.";

    private const int PerKind = 3;

    /// <summary>The attribution methods' numbers, the classifier's accuracy, and the blocks showing them (galleries, tables).</summary>
    internal sealed class Result : SectionResult
    {
        public List<AttributionSummary> Attributions { get; } = [];

        public ClassifierSummary? Classifier { get; set; }

        [JsonIgnore] public List<ReportBlock> Blocks { get; } = [];
    }

    public override Result Analyze(ReportContext context)
    {
        var result = new Result();
        try
        {
            Attributions(context, result);
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            // The confusion matrix does not depend on the attributions: keep it when they fail.
            result.Skip("attributions", e.Message, $"The attributions could not be completed: {e.Message}");
        }
        ConfusionMatrix(context, result);
        return result;
    }

    public override void Render(Result result, SectionWriter writer) => result.Blocks.ForEach(writer.Add);

    internal override void Summarize(Result result, ReportSummaryBuilder summary)
    {
        summary.Attributions.AddRange(result.Attributions);
        if (result.Classifier is not null) summary.Classifier = result.Classifier;
    }

    private static void Attributions(ReportContext context, Result result)
    {
        var engine = context.Gradients;
        if (engine is null)
        {
            result.Skip("attributions", "the pipeline has no linear classifier head on the CNN's features and the model has no classifier layer, so there is no class score to explain");
            return;
        }
        var rows = ChooseRows(context);
        var x = context.Images.Batch(rows.Select(r => r.Row).ToList());
        var target = new ClassTarget(rows.Select(r => r.Predicted).ToList());
        var methods = context.Options.AttributionMethods is { Count: > 0 } named
            ? named.Select(AttributionRegistry.Get).Distinct().ToList()
            : AttributionRegistry.ReportDefaults;
        // the engine's sessions are released whenever the next method runs another graph (input gradient, gradient at the
        // CAM layer, forward only), so only one is alive at a time
        var maps = new List<AttributionMap>();
        for (int m = 0; m < methods.Count; m++)
        {
            context.Progress("attributions: " + methods[m].DisplayName, m, methods.Count);
            if (m > 0 && methods[m].Pass != methods[m - 1].Pass)
            {
                context.ReleaseSessions();
                engine = context.Gradients!;
            }
            var setup = new AttributionSetup
            {
                Engine = engine, ImageHeight = x.Shape[2], ImageWidth = x.Shape[3], BatchSize = context.Options.BatchSize, Seed = context.Options.Seed,
                Layer = methods[m].Needs.HasFlag(AttributionNeeds.SpatialLayer) ? context.LastSpatialTensor() : null,
                PooledFeatures = context.EmbeddingTensor, Budget = AttributionBudget.Quick,
            };
            maps.Add(methods[m].Create(setup).Explain(x, target));
            result.Attributions.Add(new AttributionSummary { Method = methods[m].DisplayName, Images = rows.Count });
        }
        var gallery = new List<GalleryRow>();
        for (int i = 0; i < rows.Count; i++)
        {
            var (row, predicted, correct) = rows[i];
            var image = context.Image(row);
            var tiles = new List<GalleryTile> { new(Thumbnail.Readable(image), $"row {row}", correct switch { true => "good", false => "bad", null => null }) };
            for (int m = 0; m < methods.Count; m++)
                tiles.Add(new GalleryTile(Thumbnail.Readable(HeatmapOverlay.Render(image, maps[m], i)), methods[m].DisplayName));
            string label = context.Labels is { } labels && labels[row] >= 0 ? $", label {context.ClassName(labels[row])}" : "";
            gallery.Add(new GalleryRow($"row {row}: predicted {context.ClassName(predicted)}{label}", tiles));
        }
        result.Blocks.Add(new GalleryBlock(gallery, $"What the predicted class's score depends on, for {rows.Count(r => r.Correct == true)} correctly and {rows.Count(r => r.Correct == false)} incorrectly classified samples.",
            "correctly classified", "misclassified"));
        Faithfulness(context, result, engine, x, target, methods.Select(m => m.DisplayName).ToList(), maps);
    }

    /// <summary>
    /// Deletion and insertion (Petsiuk et al. 2018) for each method against a random pixel order: a faithful map makes the
    /// score fall fast when its top pixels are removed (low deletion area) and rise fast when they are revealed (high insertion area).
    /// </summary>
    private static void Faithfulness(ReportContext context, Result result, Gradients.GradientEngine engine,
        FloatTensor x, GradientTarget target, IReadOnlyList<string> names, IReadOnlyList<AttributionMap> maps)
    {
        const int Steps = 8;
        var deletion = new CausalMetric(engine, CausalMetricKind.Deletion) { Steps = Steps, BatchSize = context.Options.BatchSize };
        var insertion = new CausalMetric(engine, CausalMetricKind.Insertion) { Steps = Steps, BatchSize = context.Options.BatchSize };
        double Mean(CausalCurve[] curves) => curves.Average(c => c.Area);
        var rows = new List<IReadOnlyList<string>>();
        context.Progress("faithfulness", 0, names.Count + 1);
        double randomDeletion = Mean(deletion.MeasureRandomOrder(x, target, context.Options.Seed));
        double randomInsertion = Mean(insertion.MeasureRandomOrder(x, target, context.Options.Seed));
        rows.Add(["random order (reference)", $"{randomDeletion:F3}", $"{randomInsertion:F3}"]);
        for (int m = 0; m < names.Count; m++)
        {
            context.Progress("faithfulness", m + 1, names.Count + 1);
            double d = Mean(deletion.Measure(x, maps[m], target)), i = Mean(insertion.Measure(x, maps[m], target));
            rows.Add([names[m], $"{d:F3}", $"{i:F3}"]);
            int entry = result.Attributions.FindIndex(a => a.Method == names[m]);
            if (entry >= 0)
                result.Attributions[entry] = new AttributionSummary { Method = names[m], Images = result.Attributions[entry].Images, DeletionArea = d, InsertionArea = i };
        }
        result.Blocks.Add(new TableBlock(["method", "deletion area (lower is more faithful)", "insertion area (higher is more faithful)"], rows,
            $"Faithfulness over the same samples: the predicted class's score as the most important pixels are removed (deletion, to zero) or revealed (insertion, from a blurred copy), in {Steps} steps; areas in score units, compared with a random pixel order."));
    }

    internal static List<(int Row, int Predicted, bool? Correct)> ChooseRows(ReportContext context)
    {
        var predictions = context.Predictions ?? throw new InvalidOperationException("class scores exist but no predictions were derived from them.");
        var all = Enumerable.Range(0, context.Rows).Where(r => predictions[r] >= 0).ToList();
        if (context.Labels is { } labels)
        {
            var correct = all.Where(r => labels[r] == predictions[r]).Take(PerKind).Select(r => (r, predictions[r], (bool?)true));
            var wrong = all.Where(r => labels[r] >= 0 && labels[r] != predictions[r]).Take(PerKind).Select(r => (r, predictions[r], (bool?)false));
            var chosen = correct.Concat(wrong).ToList();
            // say why in the user's terms rather than fail later on an empty batch
            if (chosen.Count == 0)
                throw new CnnDiagnosticsException($"no sampled row has both a known label and a prediction to explain ({labels.Count(l => l >= 0)} of {context.Rows} rows have a label the classifier's classes include).");
            return chosen;
        }
        if (all.Count == 0) throw new CnnDiagnosticsException($"none of the {context.Rows} sampled rows has a prediction to explain.");
        return all.Take(PerKind).Select(r => (r, predictions[r], (bool?)null)).ToList();
    }

    private static void ConfusionMatrix(ReportContext context, Result result)
    {
        if (context.Labels is null || context.Predictions is null)
        {
            result.Skip("the confusion matrix", context.Labels is null ? "the data has no label column" : "the pipeline has no classifier");
            return;
        }
        var classes = context.Labels.Concat(context.Predictions).Where(c => c >= 0).Distinct().Order().ToList();
        var position = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
        int k = classes.Count;
        var matrix = new int[k, k];
        int correct = 0, counted = 0;
        for (int i = 0; i < context.Rows; i++)
        {
            int y = context.Labels[i], p = context.Predictions[i];
            if (y < 0 || p < 0) continue;
            matrix[position[y], position[p]]++;
            counted++;
            if (y == p) correct++;
        }
        double accuracy = counted == 0 ? 0 : (double)correct / counted;
        result.Classifier = new ClassifierSummary { Accuracy = accuracy, Source = context.ClassifierSource, Classes = classes.Select(context.ClassName).ToList() };
        result.Blocks.Add(new MetricsBlock([new("accuracy on the sample (rows the pipeline was fitted on)", $"{accuracy:P1} ({correct}/{counted})"), new("classifier", context.ClassifierSource)]));
        var headers = new List<string> { "label \\ prediction" };
        headers.AddRange(classes.Select(context.ClassName));
        var rows = Enumerable.Range(0, k).Select(y => (IReadOnlyList<string>)new[] { context.ClassName(classes[y]) }.Concat(Enumerable.Range(0, k).Select(p => matrix[y, p].ToString())).ToList()).ToList();
        result.Blocks.Add(new TableBlock(headers, rows, "Confusion matrix (classes that occur in the sample)"));
        var perClass = Enumerable.Range(0, k).Select(c =>
        {
            int tp = matrix[c, c];
            int predicted = Enumerable.Range(0, k).Sum(y => matrix[y, c]);
            int actual = Enumerable.Range(0, k).Sum(p => matrix[c, p]);
            return (IReadOnlyList<string>)[context.ClassName(classes[c]), actual.ToString(), predicted == 0 ? "–" : $"{(double)tp / predicted:F3}", actual == 0 ? "–" : $"{(double)tp / actual:F3}"];
        }).ToList();
        result.Blocks.Add(new TableBlock(["class", "support", "precision", "recall"], perClass, "Per-class precision and recall"));
    }
}
