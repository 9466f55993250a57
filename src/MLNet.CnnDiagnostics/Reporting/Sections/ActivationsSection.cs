using MLNet.CnnDiagnostics.Rendering;

namespace MLNet.CnnDiagnostics.Reporting.Sections;

/// <summary>Section 3: the first layer's activation maps for a few images, as a channel grid and as an overlay on the image.</summary>
internal sealed class ActivationsSection : DiagnosticSection<ActivationsSection.Result>
{
    private const int Images = 3;

    public override string Id => "activations";

    public override string Title => "First-layer activations";

    internal override ReportSections Flag => ReportSections.Activations;

    public override string Introduction => "Where each first-layer filter responds on a few sample images: one heatmap per channel (viridis, scaled per channel), and the mean activation over channels laid over the image.";

    /// <summary>The layer shown and, per image, its channel grid and overlay.</summary>
    internal sealed class Result : SectionResult
    {
        public string Layer { get; set; } = "";

        public List<FigureBlock> Figures { get; } = [];
    }

    public override Result Analyze(ReportContext context)
    {
        var first = context.Graph.Layers.FirstOrDefault(l => l.OpType == "Conv")
            ?? throw new CnnDiagnosticsException("the model has no convolution layer.");
        // Show the first non-linearity after the convolution when there is one: that is what the next layer sees.
        var shown = context.Graph.Layers.Skip(first.Index + 1).Take(3).FirstOrDefault(l => l.OpType is "Relu" or "LeakyRelu" or "Clip") ?? first;
        string tensor = shown.Outputs[0];
        var rows = Enumerable.Range(0, Math.Min(Images, context.Rows)).ToList();
        var maps = context.Run([tensor], rows)[tensor];
        var result = new Result { Layer = shown.Name };
        foreach (int row in rows)
        {
            var activation = maps.Slice(row);
            var grid = ActivationMapRenderer.RenderGrid(activation, new ActivationGridOptions { LayerName = shown.Name, MaxChannels = 64, Columns = 16 });
            result.Figures.Add(new FigureBlock(grid.Image, $"Row {row}{LabelText(context, row)}: {shown.Name} {activation.Shape[1]} channels. {string.Join(" ", grid.Legend)}"));
            var overlay = ActivationMapRenderer.RenderOverlay(context.Image(row), activation);
            result.Figures.Add(new FigureBlock(overlay, $"Row {row}: mean activation of {shown.Name} over the image."));
        }
        return result;
    }

    public override void Render(Result result, SectionWriter writer) => result.Figures.ForEach(writer.Add);

    // the figures are the section: nothing of it goes into the JSON summary (as before)
    internal override void Summarize(Result result, ReportSummaryBuilder summary) { }

    internal static string LabelText(ReportContext context, int row) =>
        context.Labels is { } labels && labels[row] >= 0 ? $" (label {context.ClassName(labels[row])})" : "";
}
