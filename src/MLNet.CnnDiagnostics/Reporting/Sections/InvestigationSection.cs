using System.Text.Json.Serialization;
using MLNet.CnnDiagnostics.Ops;
using MLNet.CnnDiagnostics.Analysis.Activations;
using MLNet.CnnDiagnostics.Analysis.ClassVisualization;
using MLNet.CnnDiagnostics.Gradients;
using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Rendering;

namespace MLNet.CnnDiagnostics.Reporting.Sections;

/// <summary>Section 5: what hidden units respond to over the whole sample: maximally activating patches and activation masks.</summary>
internal sealed class InvestigationSection : DiagnosticSection<InvestigationSection.Result>
{
    private const int Channels = 8, K = 6, Masks = 4;

    public override string Id => "investigation";

    public override string Title => "Activation investigation";

    internal override ReportSections Flag => ReportSections.Investigation;

    public override string Introduction => "For units (channels) of a middle layer: the image patches that activate each unit most over the whole sample (cut as the unit's receptive field), the unit used as a mask over its best image, thresholded at its top-0.5% activation (Network Dissection); and class visualizations: images optimised by gradient ascent in the image's own pixel units to maximise a class score (with decay toward grey, blur, jitter and small-norm clipping as regularisers).";

    /// <summary>Top patches and masks of one layer, and the class visualizations.</summary>
    internal sealed class Result : SectionResult
    {
        public TopPatchesSummary? TopPatches { get; set; }

        public List<ClassVisualizationSummary> ClassVisualizations { get; } = [];

        [JsonIgnore] public GalleryBlock? Patches { get; set; }

        [JsonIgnore] public GalleryBlock? Masks { get; set; }

        [JsonIgnore] public GalleryBlock? Classes { get; set; }
    }

    public override Result Analyze(ReportContext context)
    {
        var result = new Result();
        if (context.Options.Scan is { } datasetScan)
        {
            ScanSections.Investigation(context, datasetScan, result);
            ClassVisualizations(context, result);
            return result;
        }
        string tensor = context.MiddleTensor();
        var shape = context.Graph.GetTensorInfo(tensor).Shape;
        if (shape is not { Length: 4 })
            throw new CnnDiagnosticsException($"layer tensor '{tensor}' has shape {context.Graph.GetTensorInfo(tensor).ShapeText}; maximally activating patches need a spatial [N,C,H,W] layer.");
        int channels = shape[1];
        var fields = context.Fields;
        var field = fields[tensor];
        var scan = new TopActivatingPatches(channels, K);
        var quantiles = new ActivationQuantiles(channels);
        context.ForEachBatch([tensor], (first, outputs) =>
        {
            scan.Add(outputs[tensor], first);
            quantiles.Add(outputs[tensor]);
        }, stage: "activation scan");

        var strongest = Enumerable.Range(0, channels).OrderByDescending(c => scan.Top(c).Count > 0 ? scan.Top(c)[0].Value : float.MinValue).Take(Channels).ToList();
        var grid = ActivationPatches.Grid(scan, field, id => context.Images.Slice((int)id), strongest);
        var patchRows = PatchRows(context, grid, strongest, K, K, hit => $"row {hit.ImageId}");
        result.Patches = new GalleryBlock(patchRows,
            $"Top {K} patches of the {strongest.Count} most active channels of {tensor} over {context.Rows} images, with the activation and the row; each patch is the unit's receptive field ({field.Y.Size}×{field.X.Size} px, padded with black outside the image).");
        result.TopPatches = new TopPatchesSummary { Layer = tensor, Channels = strongest, K = K };

        var thresholds = quantiles.TopThresholds();
        var maskTiles = new List<GalleryTile>();
        int height = context.Images.Shape[2], width = context.Images.Shape[3];
        foreach (int channel in strongest.Take(Masks))
        {
            var best = scan.Top(channel)[0];
            var activation = context.Run([tensor], [(int)best.ImageId])[tensor];
            var mask = ActivationMask.Create(activation, 0, channel, thresholds[channel], height, width, field);
            var masked = mask.ApplyTo(context.Images.Slice((int)best.ImageId));
            maskTiles.Add(new GalleryTile(Thumbnail.Readable(context.Display(masked)), $"channel {channel}, row {best.ImageId}, {mask.Coverage:P0} kept"));
        }
        result.Masks = new GalleryBlock([new GalleryRow("masks", maskTiles)],
            $"Layer activation masks of {tensor}: each unit's best image, dimmed outside where the unit exceeds its top-0.5% quantile over the sample.");
        // the forward session of the scan goes before the gradient engine's is made
        context.ReleaseSessions();
        ClassVisualizations(context, result);
        return result;
    }

    public override void Render(Result result, SectionWriter writer)
    {
        foreach (var gallery in new[] { result.Patches, result.Masks, result.Classes })
            if (gallery is not null) writer.Add(gallery);
    }

    internal override void Summarize(Result result, ReportSummaryBuilder summary)
    {
        if (result.TopPatches is not null) summary.TopPatches.Add(result.TopPatches);
        summary.ClassVisualizations.AddRange(result.ClassVisualizations);
    }

    /// <summary>One gallery row per channel: its top patches (each the unit's receptive field) with the activation and where it came from.</summary>
    internal static List<GalleryRow> PatchRows(ReportContext context, PatchGrid grid, IReadOnlyList<int> channels, int slots, int shown, Func<ActivationHit, string> source)
    {
        int c = grid.Patches.Shape[2], pH = grid.Patches.Shape[3], pW = grid.Patches.Shape[4], size = c * pH * pW;
        var rows = new List<GalleryRow>();
        for (int r = 0; r < channels.Count; r++)
        {
            var hits = grid.Hits[r];
            var tiles = new List<GalleryTile>();
            for (int slot = 0; slot < Math.Min(shown, hits.Count); slot++)
            {
                var patch = new FloatTensor([c, pH, pW], grid.Patches.Data.AsSpan((r * slots + slot) * size, size).ToArray());
                tiles.Add(new GalleryTile(Thumbnail.Readable(context.Display(patch)), $"#{slot + 1}: {hits[slot].Value:G3}, {source(hits[slot])}"));
            }
            rows.Add(new GalleryRow($"channel {channels[r]}", tiles));
        }
        return rows;
    }

    private static void ClassVisualizations(ReportContext context, Result result)
    {
        var engine = context.Gradients;
        if (engine is null)
        {
            result.Skip("class visualizations", "there is no class score (no linear head on the CNN's features and no classifier layer)");
            return;
        }
        int classes = context.ClassNames.Count > 0 ? context.ClassNames.Count : engine.Builder.ItemShape(engine.Builder.DefaultTarget)[0];
        var chosen = Enumerable.Range(0, Math.Min(classes, context.Options.ClassesToVisualize)).ToList();
        if (chosen.Count == 0) return;
        // The ascent runs in the image's own units; jitter and blur follow the image's size (4 px and σ 0.5 px at 224; 1 px and no blur at 28).
        var options = new ClassVisualizationOptions
        {
            Steps = context.Options.ClassVisualizationSteps,
            PixelMean = context.Options.PixelMean,
            PixelStd = context.Options.PixelStd,
            PixelMaxValue = context.Options.PixelMaxValue,
            ChannelsAreBgr = context.Options.ChannelsAreBgr,
            Jitter = Math.Max(1, (int)Math.Round(context.Images.Shape[2] / 56.0)),
            BlurSigma = 0.5f * Math.Min(1f, context.Images.Shape[2] / 224f),
            Seed = context.Options.Seed,
        };
        float[]? start = null;
        var progress = new Progress(p =>
        {
            start ??= p.TargetValues.ToArray();
            context.Progress("class visualization", p.Step, p.TotalSteps);
        });
        var (images, end) = new ClassVisualizer(engine).Visualize(new ClassTarget(chosen), chosen.Count, options, progress);
        var classTiles = new List<GalleryTile>();
        for (int i = 0; i < chosen.Count; i++)
        {
            var image = context.Display(images.Slice(i));
            classTiles.Add(new GalleryTile(Thumbnail.Readable(image), $"{context.ClassName(chosen[i])}: {start![i]:G3} → {end[i]:G3}"));
            result.ClassVisualizations.Add(new ClassVisualizationSummary { Class = context.ClassName(chosen[i]), ScoreStart = start[i], ScoreEnd = end[i] });
        }
        result.Classes = new GalleryBlock([new GalleryRow("class visualizations", classTiles)],
            $"Class visualizations after {options.Steps} steps of Adam in image units (pixels in [0, 1], from mid-grey); each caption gives the class score at the start and at the end.");
    }

    /// <summary>Synchronous progress (System.Progress posts to the thread pool, which would lose the first report).</summary>
    private sealed class Progress(Action<ClassVisualizationProgress> report) : IProgress<ClassVisualizationProgress>
    {
        public void Report(ClassVisualizationProgress value) => report(value);
    }
}
