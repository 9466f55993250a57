using MLNet.CnnDiagnostics.Rendering;

namespace MLNet.CnnDiagnostics.Reporting.Sections;

/// <summary>Section 3: the first layer's activation maps for a few images, as a channel grid and as an overlay on the image.</summary>
internal sealed class ActivationsSection : ReportSectionBuilder
{
    private const int Images = 3;

    public override string Id => "activations";

    public override string Title => "First-layer activations";

    public override ReportSections Flag => ReportSections.Activations;

    public override string Introduction => "Where each first-layer filter responds on a few sample images: one heatmap per channel (viridis, scaled per channel), and the mean activation over channels laid over the image.";

    public override void Build(ReportContext context, ReportSection section, ReportSummary summary)
    {
        var first = context.Graph.Layers.FirstOrDefault(l => l.OpType == "Conv")
            ?? throw new CnnDiagnosticsException("the model has no convolution layer.");
        // Show the first non-linearity after the convolution when there is one: that is what the next layer sees.
        var shown = context.Graph.Layers.Skip(first.Index + 1).Take(3).FirstOrDefault(l => l.OpType is "Relu" or "LeakyRelu" or "Clip") ?? first;
        string tensor = shown.Outputs[0];
        var rows = Enumerable.Range(0, Math.Min(Images, context.Rows)).ToList();
        var maps = context.Run([tensor], rows)[tensor];
        foreach (int row in rows)
        {
            var activation = maps.Slice(row);
            var grid = ActivationMapRenderer.RenderGrid(activation, new ActivationGridOptions { LayerName = shown.Name, MaxChannels = 64, Columns = 16 });
            section.Blocks.Add(new FigureBlock(grid.Image.EncodePng(), $"Row {row}{LabelText(context, row)}: {shown.Name} {activation.Shape[1]} channels. {string.Join(" ", grid.Legend)}"));
            var overlay = ActivationMapRenderer.RenderOverlay(context.Image(row), activation);
            section.Blocks.Add(new FigureBlock(overlay.EncodePng(), $"Row {row}: mean activation of {shown.Name} over the image."));
        }
    }

    internal static string LabelText(ReportContext context, int row) =>
        context.Labels is { } labels && labels[row] >= 0 ? $" (label {context.ClassName(labels[row])})" : "";
}
