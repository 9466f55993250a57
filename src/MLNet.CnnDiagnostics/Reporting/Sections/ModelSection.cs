using MLNet.CnnDiagnostics.Selection;

namespace MLNet.CnnDiagnostics.Reporting.Sections;

/// <summary>Section 1: the network's layers with output shapes and parameter counts.</summary>
internal sealed class ModelSection : DiagnosticSection<ModelSection.Result>
{
    public override string Id => "model";

    public override string Title => "Model";

    internal override ReportSections Flag => ReportSections.Model;

    public override string Introduction => "Every layer of the network in execution order, with the shape of its output (N is the batch), the number of weights it holds, and the receptive field of one output position in input pixels.";

    /// <summary>The model's facts, its layer table and the layer choices.</summary>
    internal sealed class Result : SectionResult
    {
        public ModelSummary Model { get; set; } = new();

        public List<KeyValuePair<string, string>> Facts { get; } = [];

        public List<IReadOnlyList<string>> LayerRows { get; } = [];

        public List<IReadOnlyList<string>> ChoiceRows { get; } = [];
    }

    public override Result Analyze(ReportContext context)
    {
        var result = new Result();
        var graph = context.Graph;
        var layers = graph.Layers;
        result.Facts.AddRange(
        [
            new("source", graph.SourceName),
            new("image input", $"{graph.ImageInput.Name} {graph.ImageInput.ShapeText}"),
            new("layers", layers.Count.ToString()),
            new("convolutions", layers.Count(l => l.IsConvolution).ToString()),
            new("parameters", layers.Sum(l => l.ParameterCount).ToString("N0")),
            new("opset", graph.OpsetVersion.ToString()),
            new("embedding tensor", context.EmbeddingTensor),
        ]);
        var fields = context.Fields;
        var layerSummaries = new List<LayerSummary>();
        foreach (var l in layers)
        {
            bool hasField = fields.TryGet(l.Outputs[0], out var field);
            layerSummaries.Add(new LayerSummary { Name = l.Name, Op = l.OpType, OutputShape = l.OutputShape, Parameters = l.ParameterCount, ReceptiveField = hasField ? field.Y.Size : null });
            string attributes = l.Convolution is { } c ? $"k{string.Join("×", c.Kernel)} s{string.Join("×", c.Strides)} p[{string.Join(",", c.Pads)}]" + (c.Group > 1 ? $" g{c.Group}" : "") : "";
            result.LayerRows.Add([l.Index.ToString(), l.Name, l.OpType, l.Output?.ShapeText ?? "?", l.ParameterCount.ToString("N0"), attributes,
                hasField ? $"{field.Y.Size}×{field.X.Size} (jump {field.Y.Jump})" : ""]);
        }

        var choices = context.Layers;
        var chosen = new List<(string Part, LayerChoice? Choice)>
        {
            ("class scores (explained)", choices.Logits),
            ("classifier layer", choices.Classifier),
            ("class activation maps", choices.Cam),
            ("embedding", new LayerChoice(context.EmbeddingTensor, choices.Embedding.Layer,
                context.EmbeddingTensor == choices.Embedding.Tensor ? choices.Embedding.Reason : "the features the ML.NET head reads")),
        };
        var layerChoices = new Dictionary<string, string>();
        chosen.AddRange(choices.Investigation.Select((c, i) => ($"investigation{(i == 0 ? " (patches, masks)" : $" {i + 1}")}", (LayerChoice?)c)));
        foreach (var (part, choice) in chosen)
        {
            string field = choice is not null && fields.TryGet(choice.Tensor, out var f) ? $"{f.Y.Size}×{f.X.Size}" : "";
            result.ChoiceRows.Add([part, choice?.Layer ?? "(none)", choice?.Tensor ?? "", field, choice?.Reason ?? string.Join("; ", choices.Notes)]);
            if (choice is not null) layerChoices[part] = $"{choice.Tensor}: {choice.Reason}";
        }
        result.Model = new ModelSummary { Source = graph.SourceName, Layers = layerSummaries, LayerChoices = layerChoices };
        return result;
    }

    public override void Render(Result result, SectionWriter writer)
    {
        writer.Add(new MetricsBlock(result.Facts));
        writer.Table(["#", "layer", "op", "output shape", "parameters", "kernel / stride / pads", "receptive field"], result.LayerRows, "Layer table");
        writer.Table(["part", "layer", "tensor", "receptive field", "why"], result.ChoiceRows,
            "Layer choices: which layer each part of the report uses, and why (override with the options CamLayer and Layers, or --layers)");
    }

    internal override void Summarize(Result result, ReportSummaryBuilder summary) => summary.Model = result.Model;
}
