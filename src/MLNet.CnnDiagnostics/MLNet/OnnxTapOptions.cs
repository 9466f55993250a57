using MLNet.CnnDiagnostics.Execution;
using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.MLNet;

/// <summary>What every CNN tap needs to know: the image column, the model, and how to run it.</summary>
public abstract class OnnxTapOptions
{
    /// <summary>Column of image tensors (vector of Single, C×H×W, planar), e.g. the output of ExtractPixels.</summary>
    public string InputColumnName { get; set; } = "Pixels";

    /// <summary>ONNX model file; when null (and <see cref="Model"/> is null) the embedded ResNet18 with its preprocessing (RGB 0..255 input).</summary>
    public string? ModelPath { get; set; }

    /// <summary>An already loaded model (takes precedence over <see cref="ModelPath"/>).</summary>
    public ModelGraph? Model { get; set; }

    /// <summary>Rows per ONNX Runtime call.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>How ONNX Runtime runs (CPU by default).</summary>
    public ExecutionOptions? Execution { get; set; }

    /// <summary>Receives the number of rows run through the network after each batch (dataset scans can be long).</summary>
    public IProgress<DiagnosticsProgress>? Progress { get; set; }
}
