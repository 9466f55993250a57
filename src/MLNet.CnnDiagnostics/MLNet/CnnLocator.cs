using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Onnx;
using MLNet.CnnDiagnostics.Gradients;
using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.MLNet;

/// <summary>A CNN found in a fitted ML.NET pipeline.</summary>
/// <param name="Graph">The network (for chained ONNX stages such as DnnFeaturizeImage, their composition).</param>
/// <param name="PixelColumn">The column of image tensors the network reads.</param>
/// <param name="ColumnTensors">The tensor behind each column the stage produces (including later copies of those columns).</param>
/// <param name="Stage">How the stage was found (for the report).</param>
internal sealed record LocatedCnn(ModelGraph Graph, string PixelColumn, IReadOnlyDictionary<string, string> ColumnTensors, string Stage)
{
    /// <summary>Columns that hold their tensor divided by its L2 norm (the embedding tap's <c>normalize</c> option).</summary>
    public IReadOnlySet<string> NormalizedColumns { get; init; } = new HashSet<string>();
}

/// <summary>Finds the CNN and the classifier head inside a fitted pipeline.</summary>
internal static class CnnLocator
{
    /// <summary>Every transformer of a (possibly nested) chain, in order.</summary>
    public static IEnumerable<ITransformer> Flatten(ITransformer model)
    {
        if (model is IEnumerable<ITransformer> chain)
        {
            foreach (var t in chain)
                foreach (var inner in Flatten(t))
                    yield return inner;
        }
        else yield return model;
    }

    public static LocatedCnn? Find(ITransformer model)
    {
        var stages = Flatten(model).ToList();
        var copies = ColumnCopies(stages);
        string Source(string column)
        {
            for (int guard = 0; guard < 16 && copies.TryGetValue(column, out var from); guard++) column = from;
            return column;
        }
        var onnx = stages.OfType<OnnxTransformer>().Select(Describe).OfType<(ModelGraph Graph, string[] Inputs, string[] Outputs)>().ToList();
        if (onnx.Count > 0)
        {
            // Chained ONNX stages (DnnFeaturizeImage: preprocessing, a column copy, then ResNet18) are composed into one graph.
            var (graph, inputs, outputs) = onnx[0];
            for (int i = 1; i < onnx.Count && outputs.Length == 1; i++)
            {
                string next = onnx[i].Graph.ImageInput.Name;
                if (!inputs.Contains(next) && Source(next) != outputs[0] && next != outputs[0]) break;
                graph = ModelGraph.Compose(graph, onnx[i].Graph, $"{graph.SourceName} + {onnx[i].Graph.SourceName}");
                outputs = onnx[i].Outputs;
            }
            // ML.NET's ONNX stages name their columns after the tensors; later copies may rename them for the user.
            var produced = outputs.ToDictionary(o => o, o => o);
            foreach (var (copy, _) in copies)
                if (outputs.Contains(Source(copy))) produced[copy] = Source(copy);
            string pixels = Source(graph.ImageInput.Name);
            return new LocatedCnn(graph, pixels, produced, "ML.NET ONNX stage (ApplyOnnxModel / DnnFeaturizeImage)");
        }
        var tap = stages.OfType<OnnxTapTransformer>().FirstOrDefault();
        if (tap is not null)
        {
            var normalized = tap is EmbeddingExtractionTransformer { Normalize: true } ? tap.Columns.Select(c => c.Name).ToHashSet() : [];
            return new LocatedCnn(tap.Model, tap.InputColumnName, tap.Columns.ToDictionary(c => c.Name, c => c.Tensor), $"CnnDiagnostics tap {tap.GetType().Name}")
            {
                NormalizedColumns = normalized,
            };
        }
        return null;
    }

    /// <summary>Column copies made by ColumnCopying stages: copy name → source column.</summary>
    private static Dictionary<string, string> ColumnCopies(IEnumerable<ITransformer> stages)
    {
        var copies = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var t in stages.Where(t => t.GetType().Name == "ColumnCopyingTransformer"))
            foreach (var (output, input) in ColumnPairs(t))
                copies[output] = input;
        return copies;
    }

    /// <summary>The (output, input) column pairs of a one-to-one ML.NET transformer (its non-public <c>ColumnPairs</c>); empty when it has none.</summary>
    public static List<(string Output, string Input)> ColumnPairs(ITransformer t)
    {
        const BindingFlags Any = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
        object? pairs = null;
        for (var type = t.GetType(); type is not null && pairs is null; type = type.BaseType)
            pairs = type.GetProperty("ColumnPairs", Any | BindingFlags.DeclaredOnly)?.GetValue(t) ?? type.GetField("ColumnPairs", Any | BindingFlags.DeclaredOnly)?.GetValue(t);
        var result = new List<(string, string)>();
        if (pairs is not System.Collections.IEnumerable list) return result;
        foreach (var pair in list)
        {
            var fields = pair.GetType().GetFields();
            if (fields.Length == 2 && fields[0].GetValue(pair) is string output && fields[1].GetValue(pair) is string input)
                result.Add((output, input));
        }
        return result;
    }

    public static string DescribeStages(ITransformer model) =>
        string.Join(", ", Flatten(model).Select(t => t.GetType().IsGenericType ? t.GetType().Name.Split('`')[0] + "<" + t.GetType().GetGenericArguments()[0].Name + ">" : t.GetType().Name));

    public static LinearHead? FindHead(ITransformer model) =>
        Flatten(model).Select(LinearHead.FromTransformer).LastOrDefault(h => h is not null);

    private static (ModelGraph Graph, string[] Inputs, string[] Outputs)? Describe(OnnxTransformer t)
    {
        const BindingFlags Any = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
        var inputs = t.GetType().GetProperty("Inputs", Any)?.GetValue(t) as string[];
        var outputs = t.GetType().GetProperty("Outputs", Any)?.GetValue(t) as string[];
        var onnxModel = t.GetType().GetField("Model", Any)?.GetValue(t);
        var stream = onnxModel?.GetType().GetProperty("ModelStream", Any)?.GetValue(onnxModel) as FileStream;
        if (inputs is null || outputs is null || stream is null) return null;
        byte[] bytes;
        using (var copy = new FileStream(stream.Name, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            bytes = new byte[copy.Length];
            copy.ReadExactly(bytes);
        }
        var graph = ModelGraph.Load(bytes, Path.GetFileName(stream.Name));
        return (graph, inputs, outputs);
    }
}
