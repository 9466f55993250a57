using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Onnx;
using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.MLNet;

/// <summary>A CNN found in a fitted ML.NET pipeline.</summary>
/// <param name="Graph">The network (for chained ONNX stages such as DnnFeaturizeImage, their composition).</param>
/// <param name="PixelColumn">The column of image tensors the network reads.</param>
/// <param name="OutputColumns">Columns the stage produces, by tensor name.</param>
/// <param name="Stage">How the stage was found (for the report).</param>
internal sealed record LocatedCnn(ModelGraph Graph, string PixelColumn, IReadOnlyDictionary<string, string> OutputColumns, string Stage);

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
        var tap = stages.OfType<OnnxTapTransformer>().FirstOrDefault();
        var onnx = stages.OfType<OnnxTransformer>().Select(Describe).OfType<(ModelGraph Graph, string[] Inputs, string[] Outputs)>().ToList();
        if (onnx.Count > 0)
        {
            // Chained ONNX stages (DnnFeaturizeImage: preprocessing, then ResNet) are composed into one graph.
            var (graph, inputs, outputs) = onnx[0];
            for (int i = 1; i < onnx.Count && outputs.Length == 1 && onnx[i].Inputs.Contains(outputs[0]); i++)
            {
                graph = ModelGraph.Compose(graph, onnx[i].Graph, $"{graph.SourceName} + {onnx[i].Graph.SourceName}");
                outputs = onnx[i].Outputs;
            }
            var map = graph.Outputs.Zip(outputs).ToDictionary(p => p.First.Name, p => p.Second);
            return new LocatedCnn(graph, inputs[0], map, "ML.NET ONNX stage (ApplyOnnxModel / DnnFeaturizeImage)");
        }
        if (tap is not null)
            return new LocatedCnn(tap.Model, tap.InputColumnName, tap.Columns.ToDictionary(c => c.Tensor, c => c.Name), $"CnnDiagnostics tap {tap.GetType().Name}");
        return null;
    }

    public static string DescribeStages(ITransformer model) =>
        string.Join(", ", Flatten(model).Select(t => t.GetType().IsGenericType ? t.GetType().Name.Split('`')[0] + "<" + t.GetType().GetGenericArguments()[0].Name + ">" : t.GetType().Name));

    public static ClassifierHead? FindHead(ITransformer model) =>
        Flatten(model).Select(ClassifierHead.FromTransformer).LastOrDefault(h => h is not null);

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
