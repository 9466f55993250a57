using Microsoft.ML;
using MLNet.CnnDiagnostics.Analysis;
using MLNet.CnnDiagnostics.MLNet;

namespace MLNet.CnnDiagnostics;

/// <summary>The diagnostic taps as ML.NET catalog extensions: <c>mlContext.Transforms.CaptureActivations(...)</c> and friends.</summary>
public static class CnnDiagnosticsCatalog
{
    /// <summary>Captures the outputs of the given layers of the embedded ResNet18 (or <paramref name="modelPath"/>) as [C,H,W] columns named after the layers.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="inputColumnName">Column of image tensors (vector of Single, C×H×W planar).</param>
    /// <param name="layers">Node or tensor names.</param>
    /// <param name="modelPath">ONNX model file; null for the embedded ResNet18 with its preprocessing (RGB 0..255 input).</param>
    [DiagnosticStage(DiagnosticStageKind.Tap, LayersParameter = "layers", ModelParameter = "modelPath", ColumnPerLayer = true)]
    public static ActivationCaptureEstimator CaptureActivations(this TransformsCatalog catalog, string inputColumnName, string[] layers, string? modelPath = null) =>
        catalog.CaptureActivations(new ActivationCaptureOptions { InputColumnName = inputColumnName, Layers = layers, ModelPath = modelPath });

    /// <summary>Captures the outputs of the layers named in <paramref name="options"/>.</summary>
    [DiagnosticStage(DiagnosticStageKind.Tap)]
    public static ActivationCaptureEstimator CaptureActivations(this TransformsCatalog catalog, ActivationCaptureOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new ActivationCaptureEstimator(MLNetEnvironment.Of(catalog), TapModelSource.Resolve(options.Model, options.ModelPath), options);
    }

    /// <summary>Extracts one embedding vector per image from a layer (by default the penultimate features).</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">Name of the embedding column.</param>
    /// <param name="inputColumnName">Column of image tensors (vector of Single, C×H×W planar).</param>
    /// <param name="layer">Node or tensor name; null for the penultimate features.</param>
    /// <param name="modelPath">ONNX model file; null for the embedded ResNet18 with its preprocessing.</param>
    /// <param name="normalize">Divide each embedding by its L2 norm.</param>
    [DiagnosticStage(DiagnosticStageKind.Tap, LayersParameter = "layer", ModelParameter = "modelPath", OutputColumnParameter = "outputColumnName")]
    public static EmbeddingExtractionEstimator ExtractEmbedding(this TransformsCatalog catalog, string outputColumnName = "Embedding", string inputColumnName = "Pixels",
        string? layer = null, string? modelPath = null, bool normalize = false) =>
        catalog.ExtractEmbedding(new EmbeddingExtractionOptions { OutputColumnName = outputColumnName, InputColumnName = inputColumnName, Layer = layer, ModelPath = modelPath, Normalize = normalize });

    /// <summary>Extracts one embedding vector per image as configured by <paramref name="options"/>.</summary>
    [DiagnosticStage(DiagnosticStageKind.Tap)]
    public static EmbeddingExtractionEstimator ExtractEmbedding(this TransformsCatalog catalog, EmbeddingExtractionOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new EmbeddingExtractionEstimator(MLNetEnvironment.Of(catalog), TapModelSource.Resolve(options.Model, options.ModelPath), options);
    }

    /// <summary>Reads the kernels of convolution layers into filter banks at <c>Fit</c> (data passes through unchanged).</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="layers">Convolution layers (node or tensor names); by default the first convolution.</param>
    /// <param name="modelPath">ONNX model file; null for the embedded ResNet18.</param>
    [DiagnosticStage(DiagnosticStageKind.Tap, LayersParameter = "layers", ModelParameter = "modelPath")]
    public static FilterDumpEstimator DumpFilters(this TransformsCatalog catalog, string[]? layers = null, string? modelPath = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new FilterDumpEstimator(MLNetEnvironment.Of(catalog), TapModelSource.Resolve(null, modelPath), layers);
    }

    /// <summary>
    /// Projects a vector column (e.g. an embedding) to 2-D with t-SNE: <c>Fit</c> embeds the training rows (openTSNE's defaults,
    /// see <see cref="TsneOptions"/>); <c>Transform</c> returns their positions and places new rows into the fixed map.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">Name of the 2-value position column.</param>
    /// <param name="inputColumnName">The vector column to project.</param>
    /// <param name="options">t-SNE settings (perplexity, iterations, seed, ...); openTSNE's defaults when null.</param>
    /// <param name="progress">Receives the optimisation's progress.</param>
    [DiagnosticStage(DiagnosticStageKind.Tap, OutputColumnParameter = "outputColumnName")]
    public static TsneProjectionEstimator ProjectTsne(this TransformsCatalog catalog, string outputColumnName = "Tsne", string inputColumnName = "Embedding",
        TsneOptions? options = null, IProgress<DiagnosticsProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new TsneProjectionEstimator(MLNetEnvironment.Of(catalog), outputColumnName, inputColumnName, options ?? new TsneOptions(), progress);
    }
}
