using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.MLNet;

/// <summary>Resolves which CNN a tap runs: a given graph, a file, or the embedded ResNet18 (with its preprocessing).</summary>
internal static class TapModelSource
{
    private static readonly Lazy<ModelGraph> Default = new(DefaultModels.LoadResNet18WithPreprocessing);

    public static ModelGraph Resolve(ModelGraph? model, string? modelPath) =>
        model ?? (modelPath is not null ? ModelGraph.Load(modelPath) : Default.Value);
}
