using Microsoft.ML.Runtime;
using MLNet.CnnDiagnostics.Execution;
using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.MLNet;

/// <summary>Options of the embedding-extraction tap.</summary>
public sealed class EmbeddingExtractionOptions : OnnxTapOptions
{
    /// <summary>Name of the embedding column.</summary>
    public string OutputColumnName { get; set; } = "Embedding";

    /// <summary>Layer (node or tensor name) whose output is the embedding; by default the penultimate features
    /// (the input of the final Gemm/MatMul classifier, or the last pooled tensor of a model without one).</summary>
    public string? Layer { get; set; }

    /// <summary>Divide each embedding by its L2 norm.</summary>
    public bool Normalize { get; set; }
}

/// <summary>Estimator of the embedding tap: one flat vector column per image.</summary>
public sealed class EmbeddingExtractionEstimator : OnnxTapEstimator<EmbeddingExtractionTransformer>
{
    internal EmbeddingExtractionEstimator(IHostEnvironment env, ModelGraph model, EmbeddingExtractionOptions options)
        : base(env, model, options.InputColumnName, [(options.OutputColumnName, Tensor(model, options.Layer), options.Normalize ? TapTransform.FlattenL2Normalize : TapTransform.Flatten)], options.BatchSize, options.Execution, options.Progress)
    {
        Normalize = options.Normalize;
    }

    private static string Tensor(ModelGraph model, string? layer) => layer is null ? model.FindEmbeddingTensor() : model.ResolveTensor(layer);

    /// <summary>Whether embeddings are L2-normalised.</summary>
    public bool Normalize { get; }

    private protected override EmbeddingExtractionTransformer Create() => new(Env, Model, InputColumnName, Taps, BatchSize, Execution, Progress, Normalize);
}

/// <summary>The fitted embedding tap.</summary>
public sealed class EmbeddingExtractionTransformer : OnnxTapTransformer
{
    internal EmbeddingExtractionTransformer(IHostEnvironment env, ModelGraph model, string input,
        IReadOnlyList<(string Column, string Tensor, TapTransform Transform)> taps, int batchSize, ExecutionOptions? execution, IProgress<DiagnosticsProgress>? progress, bool normalize)
        : base(env, model, input, taps, batchSize, execution, progress)
    {
        Normalize = normalize;
    }

    /// <summary>The tensor the embedding comes from.</summary>
    public string Layer => Columns[0].Tensor;

    /// <summary>Length of each embedding vector.</summary>
    public int Dimension => Columns[0].Size;

    /// <summary>Whether embeddings are L2-normalised.</summary>
    public bool Normalize { get; }
}
