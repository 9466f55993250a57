using Microsoft.ML.Runtime;
using MLNet.CnnDiagnostics.Execution;
using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.MLNet;

/// <summary>Options of the activation-capture tap.</summary>
public sealed class ActivationCaptureOptions : OnnxTapOptions
{
    /// <summary>Layers to capture: node names or tensor names of the model.</summary>
    public IList<string> Layers { get; set; } = [];

    /// <summary>Column names for the layers (same order); by default each layer's node name.</summary>
    public IList<string>? OutputColumnNames { get; set; }
}

/// <summary>Estimator of the activation-capture tap: one [C,H,W] column per requested layer.</summary>
public sealed class ActivationCaptureEstimator : OnnxTapEstimator<ActivationCaptureTransformer>
{
    internal ActivationCaptureEstimator(IHostEnvironment env, ModelGraph model, ActivationCaptureOptions options)
        : base(env, model, options.InputColumnName, Plan(model, options), options.BatchSize, options.Execution, options.Progress) { }

    private static List<(string, string, TapTransform)> Plan(ModelGraph model, ActivationCaptureOptions options)
    {
        if (options.Layers is null || options.Layers.Count == 0)
            throw new ArgumentException($"no layers to capture; give at least one layer of model '{model.SourceName}', e.g. {string.Join(", ", model.Layers.Where(l => l.IsConvolution).Take(3).Select(l => l.Name))}.", nameof(options));
        if (options.OutputColumnNames is not null && options.OutputColumnNames.Count != options.Layers.Count)
            throw new ArgumentException($"{options.OutputColumnNames.Count} output column names for {options.Layers.Count} layers; give one name per layer or none.", nameof(options));
        return options.Layers.Select((name, i) =>
        {
            var layer = model.GetLayer(name);
            string tensor = layer.Outputs.Contains(name) ? name : layer.Outputs[0];
            return (options.OutputColumnNames?[i] ?? layer.Name, tensor, TapTransform.AsIs);
        }).ToList();
    }

    private protected override ActivationCaptureTransformer Create() => new(Env, Model, InputColumnName, Taps, BatchSize, Execution, Progress);
}

/// <summary>The fitted activation-capture tap.</summary>
public sealed class ActivationCaptureTransformer : OnnxTapTransformer
{
    internal ActivationCaptureTransformer(IHostEnvironment env, ModelGraph model, string input,
        IReadOnlyList<(string Column, string Tensor, TapTransform Transform)> taps, int batchSize, ExecutionOptions? execution, IProgress<DiagnosticsProgress>? progress)
        : base(env, model, input, taps, batchSize, execution, progress) { }
}
