using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.CnnDiagnostics.Gradients;
using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Reporting;

namespace MLNet.CnnDiagnostics.MLNet;

/// <summary>Reads the sampled, transformed rows into a report context: image tensors, labels, predictions, class names, head.</summary>
internal static class SampleReader
{
    public static ReportContext Read(IDataView sample, LocatedCnn cnn, LinearHead? head, VisualizationOptions options)
    {
        // A channels-last model reads [H, W, C] rows; the report works on planar images and the planar form of the model.
        bool channelsLast = cnn.Graph.ImageLayout == ImageLayout.ChannelsLast;
        var graph = cnn.Graph.AsPlanar();
        var dims = graph.ImageInput.Shape!.Skip(1).ToArray();
        int size = dims.Aggregate(1, (a, b) => a * b);
        var pixelColumn = sample.Schema.GetColumnOrNull(cnn.PixelColumn)
            ?? throw new CnnDiagnosticsException($"the CNN's pixel column '{cnn.PixelColumn}' is not visible after the pipeline; {ClosestNames.Suggest(cnn.PixelColumn, sample.Schema.Select(c => c.Name))}.");
        // each row is kept once, as it arrives, in the smallest form that loses nothing (see SampleImages)
        var builder = new SampleImages.Builder(dims);
        var dense = new float[size];
        foreach (var row in sample.GetColumn<VBuffer<float>>(pixelColumn))
        {
            if (row.Length != size)
                throw new CnnDiagnosticsException($"row {builder.Count} of column '{cnn.PixelColumn}' has {row.Length} values; model input {cnn.Graph.ImageInput.Name}{cnn.Graph.ImageInput.ShapeText} needs {size}.");
            row.CopyTo(dense);
            builder.Add(channelsLast ? ToPlanar(dense, dims[0], dims[1], dims[2]) : dense);
        }
        if (builder.Count == 0) throw new CnnDiagnosticsException("the data has no rows to analyse.");
        var images = builder.Build();

        var classNames = ClassNames(sample, options.LabelColumnName) ?? ClassNames(sample, options.PredictedLabelColumnName) ?? [];
        var labels = ReadClasses(sample, options.LabelColumnName, classNames);
        var classifier = graph.FindClassifierLayer();
        var predictions = ReadClasses(sample, options.PredictedLabelColumnName, classNames);

        // a head whose feature column is the CNN's output reads the tensor behind it; any other head's scores are not the CNN's
        var headOnCnn = head?.FeatureColumnName is { } column && cnn.ColumnTensors.TryGetValue(column, out var tensor)
            ? head.Reading(tensor, cnn.NormalizedColumns.Contains(column))
            : null;
        string embedding = headOnCnn?.FeatureTensor ?? graph.FindEmbeddingTensor();
        if (predictions is null && headOnCnn is null && classifier is not null && labels is not null)
            (labels, classNames) = AlignWithLogits(labels, classNames);
        var context = new ReportContext(graph, embedding, images, options)
        {
            Labels = labels,
            ClassNames = classNames,
            Head = headOnCnn,
        };
        // Without a predicted-label column, the head's (or else the model's own classifier's) arg-max is the prediction.
        context.Predictions = predictions
            ?? (headOnCnn is not null ? headOnCnn.Predict(context.Embeddings) : classifier is not null ? context.ArgMax(graph.FindLogitsTensor()) : null);
        context.ReleaseSessions();
        context.ClassifierSource =
            headOnCnn is not null ? $"ML.NET linear head ({headOnCnn.Classes} classes) on the CNN's '{headOnCnn.FeatureColumnName}' ({embedding}{(headOnCnn.NormalizeFeatures ? ", L2-normalised" : "")}), folded into the graph as a Gemm"
            : classifier is not null ? $"the model's own classifier layer '{classifier.Name}'"
            : predictions is not null ? $"column '{options.PredictedLabelColumnName}' (no class scores: its head does not read the CNN's output directly)"
            : "";
        return context;
    }

    /// <summary>
    /// Labels whose class names are integers are taken as indices of the model's own logits (ImageNet-style class ids);
    /// otherwise the label order is taken to be the model's class order (sorted folder names, as torchvision's ImageFolder).
    /// </summary>
    private static (int[], List<string>) AlignWithLogits(int[] labels, List<string> classNames)
    {
        var ids = classNames.Select(n => int.TryParse(n, out int v) && v >= 0 ? v : -1).ToList();
        if (ids.Count == 0 || ids.Any(v => v < 0)) return (labels, classNames);
        var aligned = labels.Select(l => l >= 0 && l < ids.Count ? ids[l] : -1).ToArray();
        var names = Enumerable.Range(0, ids.Max() + 1).Select(i => i.ToString()).ToList();
        return (aligned, names);
    }

    private static List<string>? ClassNames(IDataView view, string column)
    {
        var col = view.Schema.GetColumnOrNull(column);
        if (col is null || col.Value.Type is not KeyDataViewType) return null;
        if (col.Value.Annotations.Schema.GetColumnOrNull("KeyValues") is null)
            return Enumerable.Range(0, (int)((KeyDataViewType)col.Value.Type).Count).Select(i => i.ToString()).ToList();
        var itemType = ((VectorDataViewType)col.Value.Annotations.Schema["KeyValues"].Type).ItemType;
        return itemType switch
        {
            TextDataViewType => KeyValues<ReadOnlyMemory<char>>(col.Value),
            var t when t == NumberDataViewType.Int32 => KeyValues<int>(col.Value),
            var t when t == NumberDataViewType.Int64 => KeyValues<long>(col.Value),
            var t when t == NumberDataViewType.UInt32 => KeyValues<uint>(col.Value),
            var t when t == NumberDataViewType.Single => KeyValues<float>(col.Value),
            var t when t == NumberDataViewType.Double => KeyValues<double>(col.Value),
            _ => Enumerable.Range(0, (int)((KeyDataViewType)col.Value.Type).Count).Select(i => i.ToString()).ToList(),
        };
    }

    private static List<string> KeyValues<T>(DataViewSchema.Column column)
    {
        VBuffer<T> values = default;
        column.GetKeyValues(ref values);
        return values.DenseValues().Select(v => v?.ToString() ?? "").ToList();
    }

    private static int[]? ReadClasses(IDataView view, string column, List<string> classNames)
    {
        var col = view.Schema.GetColumnOrNull(column);
        if (col is null) return null;
        switch (col.Value.Type)
        {
            case KeyDataViewType:
                return view.GetColumn<uint>(col.Value).Select(k => (int)k - 1).ToArray();
            case var t when t == TextDataViewType.Instance:
                return Index(view.GetColumn<ReadOnlyMemory<char>>(col.Value).Select(v => v.ToString()), classNames);
            case var t when t == NumberDataViewType.Int32:
                return Index(view.GetColumn<int>(col.Value).Select(v => v.ToString()), classNames);
            case var t when t == NumberDataViewType.Single:
                return Index(view.GetColumn<float>(col.Value).Select(v => v.ToString()), classNames);
            case var t when t == NumberDataViewType.UInt32:
                return Index(view.GetColumn<uint>(col.Value).Select(v => v.ToString()), classNames);
            default:
                return null;
        }
    }

    private static int[] Index(IEnumerable<string> values, List<string> classNames)
    {
        var result = new List<int>();
        foreach (var v in values)
        {
            int i = classNames.IndexOf(v);
            if (i < 0)
            {
                classNames.Add(v);
                i = classNames.Count - 1;
            }
            result.Add(i);
        }
        return result.ToArray();
    }

    /// <summary>An interleaved [H, W, C] image as planar [C, H, W] values.</summary>
    private static float[] ToPlanar(float[] hwc, int channels, int height, int width)
    {
        var chw = new float[hwc.Length];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                for (int c = 0; c < channels; c++)
                    chw[(c * height + y) * width + x] = hwc[(y * width + x) * channels + c];
        return chw;
    }
}
