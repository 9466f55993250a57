using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Ops;

namespace MLNet.CnnDiagnostics.Selection;

/// <summary>One decision of the <see cref="LayerSelector"/>: the tensor, the layer that produces it, and why it was chosen.</summary>
/// <param name="Tensor">The tensor name.</param>
/// <param name="Layer">The name of the layer (node) that produces it, or the tensor for graph inputs.</param>
/// <param name="Reason">Why this tensor: the rule that chose it, or that the user named it.</param>
public sealed record LayerChoice(string Tensor, string Layer, string Reason);

/// <summary>Layers the user names instead of the automatic choices; null keeps the automatic choice.</summary>
public sealed record LayerOverrides
{
    /// <summary>The layer for class activation maps (Grad-CAM, CAM, Grad-CAM++).</summary>
    public string? CamLayer { get; init; }

    /// <summary>The layers to investigate (top patches, masks); the first one is analysed first.</summary>
    public IReadOnlyList<string>? Investigation { get; init; }
}

/// <summary>Every layer choice the report, the CLI and the benchmarks make for one model, each with its reason.</summary>
public sealed record LayerSelection(LayerChoice Logits, LayerChoice? Classifier, LayerChoice? Cam, LayerChoice Embedding, IReadOnlyList<LayerChoice> Investigation)
{
    /// <summary>Problems found while choosing (a part without a choice has its reason here).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>The receptive fields the choices were made from (at the declared input size), or null when they could not be computed.</summary>
    public ReceptiveFields? Fields { get; init; }
}

/// <summary>
/// The one place that decides which layers a diagnosis looks at, from the graph's structure and its receptive fields,
/// with the conventions of pytorch-grad-cam and Captum users:
/// <list type="bullet">
/// <item>logits: the class scores before a final Softmax;</item>
/// <item>the CAM layer: the last spatial feature map that every path from the image to the logits passes through
/// (a block's output after its activation, the Concat of an inception block, DenseNet's final norm + ReLU), taken
/// before a convolutional classifier head (SqueezeNet);</item>
/// <item>the embedding: the penultimate features (the classifier's input), else the last pooled tensor;</item>
/// <item>investigation layers: the deepest such block outputs whose receptive field still covers at most half the
/// image, so units stand for parts of objects (a 28-px CNN's second conv block, ResNet18's middle stages).</item>
/// </list>
/// </summary>
public static class LayerSelector
{
    /// <summary>The receptive-field size, relative to the image's larger side, up to which a layer is worth investigating.</summary>
    public const double InvestigationFieldFraction = 0.5;

    /// <summary>Chooses every layer for <paramref name="graph"/>, honouring <paramref name="overrides"/>.</summary>
    public static LayerSelection Select(ModelGraph graph, LayerOverrides? overrides = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var notes = new List<string>();
        var logits = graph.FindLogitsTensor();
        var logitsChoice = new LayerChoice(logits, LayerOf(graph, logits),
            graph.EndsInSoftmax ? "the model ends in a Softmax: its input, the pre-softmax logits, is explained" : "the model's output");
        var classifier = graph.FindClassifierLayer();
        var classifierChoice = classifier is null ? null : new LayerChoice(classifier.Outputs[0], classifier.Name,
            classifier.IsConvolution ? "a 1×1 convolution whose channels are averaged into the class scores" : "the last Gemm/MatMul before the output");

        var fields = TryFields(graph, out var why);
        if (fields is null) notes.Add($"receptive fields could not be computed: {why}");
        List<SpatialTensor> spatial = fields is null ? [] : SpatialBlockOutputs(graph, fields, classifier);
        LayerChoice? cam = overrides?.CamLayer is { } camName
            ? Named(graph, camName, "named by the user")
            : spatial.Count > 0
                ? new LayerChoice(spatial[^1].Tensor, LayerOf(graph, spatial[^1].Tensor),
                    $"the last spatial feature map ({spatial[^1].Height}×{spatial[^1].Width}) that every path from the image to the {(classifier?.IsConvolution == true ? "convolutional classifier" : "class scores")} passes through")
                : null;
        if (cam is null && overrides?.CamLayer is null) notes.Add("no spatial feature map lies on every path to the output, so there is no class-activation-map layer");

        string embedding = graph.FindEmbeddingTensor();
        var embeddingChoice = new LayerChoice(embedding, LayerOf(graph, embedding),
            classifier is not null ? $"the input of the classifier layer '{classifier.Name}' (penultimate features)" : "the last pooled tensor (the model has no classifier layer)");

        IReadOnlyList<LayerChoice> investigation;
        if (overrides?.Investigation is { Count: > 0 } named)
            investigation = named.Select(n => Named(graph, n, "named by the user")).ToList();
        else
            investigation = InvestigationLayers(graph, spatial);
        if (investigation.Count == 0) notes.Add("no spatial layer with a receptive field was found to investigate");
        return new LayerSelection(logitsChoice, classifierChoice, cam, embeddingChoice, investigation) { Notes = notes, Fields = fields };
    }

    /// <summary>The receptive fields of the graph at its declared size, or null when they cannot be computed.</summary>
    private static ReceptiveFields? TryFields(ModelGraph graph, out string? why)
    {
        why = null;
        try { return ReceptiveFieldCalculator.Compute(graph); }
        catch (CnnDiagnosticsException e)
        {
            why = e.Message;
            return null;
        }
    }

    private static List<LayerChoice> InvestigationLayers(ModelGraph graph, IReadOnlyList<SpatialTensor> spatial)
    {
        if (spatial.Count == 0) return [];
        var (_, height, width) = graph.ImageSize;
        int side = Math.Max(height, width);
        double limit = InvestigationFieldFraction * side;
        int deepest = -1;
        for (int i = 0; i < spatial.Count; i++)
            if (spatial[i].FieldSize <= limit) deepest = i;
        var chosen = new List<LayerChoice>();
        if (deepest < 0)
        {
            var first = spatial[0];
            chosen.Add(new LayerChoice(first.Tensor, LayerOf(graph, first.Tensor),
                $"the first block output: its receptive field ({first.FieldSize} px) already exceeds half the {side}-px image"));
            return chosen;
        }
        var pick = spatial[deepest];
        chosen.Add(new LayerChoice(pick.Tensor, LayerOf(graph, pick.Tensor),
            $"the deepest block output whose receptive field ({pick.FieldSize} px) covers at most half the {side}-px image"));
        // a shallower one for comparison, with a clearly smaller field
        var shallower = spatial.Take(deepest).LastOrDefault(s => s.FieldSize <= pick.FieldSize / 2);
        if (shallower is not null)
            chosen.Add(new LayerChoice(shallower.Tensor, LayerOf(graph, shallower.Tensor),
                $"a shallower block output (receptive field {shallower.FieldSize} px), for comparison"));
        return chosen;
    }

    private sealed record SpatialTensor(string Tensor, int Height, int Width, int FieldSize);

    /// <summary>
    /// Tensors with a spatial map (more than one position) and a receptive field that every path from the image to the
    /// output passes through (block outputs), in graph order, ending before a convolutional classifier head.
    /// </summary>
    private static List<SpatialTensor> SpatialBlockOutputs(ModelGraph graph, ReceptiveFields fields, LayerInfo? classifier)
    {
        var layers = graph.Layers;
        int end = classifier is { IsConvolution: true } ? classifier.Index : layers.Count;
        var output = graph.Outputs[0].Name;
        var dominators = Dominators(graph, output);
        var result = new List<SpatialTensor>();
        foreach (var layer in layers.Take(end))
        {
            if (layer.Outputs.Count == 0) continue;
            string t = layer.Outputs[0];
            if (!dominators.Contains(t) || !fields.TryGet(t, out var field)) continue;
            var (h, w) = fields.SpatialSize(t);
            // planar maps [N, C, H, W] only: patches, masks and CAMs read channels before rows and columns
            if (h * w <= 1 || layer.OutputShape is not [_, _, var sh, var sw] || sh != h || sw != w) continue;
            result.Add(new SpatialTensor(t, h, w, Math.Max(field.Y.Size, field.X.Size)));
        }
        return result;
    }

    /// <summary>Node outputs that lie on every path from the image input to <paramref name="output"/>.</summary>
    private static HashSet<string> Dominators(ModelGraph graph, string output)
    {
        var nodes = graph.Layers;
        var consumers = new Dictionary<string, List<LayerInfo>>(StringComparer.Ordinal);
        foreach (var n in nodes)
            foreach (var i in n.Inputs.Where(i => i.Length > 0))
                (consumers.TryGetValue(i, out var list) ? list : consumers[i] = []).Add(n);
        string input = graph.ImageInput.Name;
        bool Reaches(string? skipped)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal) { input };
            var queue = new Queue<string>([input]);
            while (queue.Count > 0)
            {
                var t = queue.Dequeue();
                if (t == output) return true;
                if (!consumers.TryGetValue(t, out var readers)) continue;
                foreach (var r in readers.Where(r => OpTable.Find(r.OpType)?.Field != FieldRule.Metadata)) // shape arithmetic is no path for data
                    foreach (var o in r.Outputs)
                        if (o.Length > 0 && o != skipped && seen.Add(o)) queue.Enqueue(o);
            }
            return false;
        }
        var result = new HashSet<string>(StringComparer.Ordinal);
        if (!Reaches(null)) return result;
        foreach (var n in nodes)
            if (n.Outputs.Count > 0 && n.Outputs[0].Length > 0 && !Reaches(n.Outputs[0])) result.Add(n.Outputs[0]);
        return result;
    }

    private static LayerChoice Named(ModelGraph graph, string name, string reason)
    {
        string tensor = graph.ResolveTensor(name);
        return new LayerChoice(tensor, LayerOf(graph, tensor), reason);
    }

    private static string LayerOf(ModelGraph graph, string tensor) =>
        graph.Layers.FirstOrDefault(l => l.Outputs.Contains(tensor))?.Name ?? tensor;
}
