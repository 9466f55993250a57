using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Analysis;

/// <summary>
/// The kernels of one convolution layer, weight tensor [out, in, kh, kw] as ONNX stores it, with per-filter statistics.
/// A filter is flagged dead when its L2 norm is at most <see cref="DeadNormFraction"/> times the largest filter norm in
/// the layer: such a filter responds to nothing next to its neighbours (it is "near zero relative to the layer").
/// </summary>
public sealed class FilterBank
{
    private readonly Lazy<IReadOnlyList<FilterStatistics>> _statistics;

    /// <summary>Wraps <paramref name="weights"/> (not copied) of layer <paramref name="layerName"/>; rejects a tensor that is not 4-D, is empty or holds NaN/∞.</summary>
    public FilterBank(string layerName, FloatTensor weights, double deadNormFraction = DefaultDeadNormFraction)
    {
        ArgumentNullException.ThrowIfNull(layerName);
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Rank != 4)
            throw new CnnDiagnosticsException($"layer '{layerName}' has weights of shape [{string.Join(",", weights.Shape)}]: a convolution filter bank needs a 4-D tensor [out, in, kh, kw].");
        if (weights.Length == 0)
            throw new CnnDiagnosticsException($"layer '{layerName}' has an empty filter bank [{string.Join(",", weights.Shape)}]: every dimension of [out, in, kh, kw] must be at least 1.");
        for (int i = 0; i < weights.Length; i++)
            if (!float.IsFinite(weights.Data[i]))
            {
                int per = weights.Length / weights.Shape[0];
                throw new CnnDiagnosticsException($"layer '{layerName}' filter {i / per} holds the weight {weights.Data[i]} (flat index {i}): weights must be finite numbers.");
            }
        if (!(deadNormFraction >= 0 && deadNormFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(deadNormFraction), $"dead-filter fraction {deadNormFraction} is not valid: it must be in [0, 1).");
        LayerName = layerName;
        Weights = weights;
        DeadNormFraction = deadNormFraction;
        _statistics = new(ComputeStatistics);
    }

    /// <summary>
    /// Reads the kernels of Conv layer <paramref name="layerName"/> (node or output tensor name) from <paramref name="graph"/>.
    /// A layer that is not a convolution, or a ConvTranspose (whose weights are laid out [in, out, kh, kw]), is rejected.
    /// </summary>
    public static FilterBank FromModel(ModelGraph graph, string layerName, double deadNormFraction = DefaultDeadNormFraction)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var layer = graph.GetLayer(layerName);
        if (layer.OpType == "ConvTranspose")
            throw new CnnDiagnosticsException($"layer '{layer.Name}' is a ConvTranspose: its weights are [in, out, kh, kw], not filters; choose a Conv layer.");
        return new FilterBank(layer.Name, graph.GetConvolutionWeights(layer.Name), deadNormFraction);
    }

    /// <summary>Default for <see cref="DeadNormFraction"/>: 1% of the layer's largest filter norm.</summary>
    public const double DefaultDeadNormFraction = 0.01;

    /// <summary>Name of the convolution layer (ONNX node or weight name).</summary>
    public string LayerName { get; }

    /// <summary>The weights [out, in, kh, kw].</summary>
    public FloatTensor Weights { get; }

    /// <summary>A filter whose norm is at most this fraction of the largest norm in the layer is dead.</summary>
    public double DeadNormFraction { get; }

    /// <summary>Number of filters (output channels).</summary>
    public int OutputChannels => Weights.Shape[0];

    /// <summary>Input channels each filter sees.</summary>
    public int InputChannels => Weights.Shape[1];

    /// <summary>Kernel height.</summary>
    public int KernelHeight => Weights.Shape[2];

    /// <summary>Kernel width.</summary>
    public int KernelWidth => Weights.Shape[3];

    /// <summary>Weights in one filter: in·kh·kw.</summary>
    public int FilterLength => InputChannels * KernelHeight * KernelWidth;

    /// <summary>The weights of filter <paramref name="output"/> as a span of length <see cref="FilterLength"/>, ordered [in, kh, kw].</summary>
    public ReadOnlySpan<float> Filter(int output)
    {
        if ((uint)output >= (uint)OutputChannels)
            throw new ArgumentOutOfRangeException(nameof(output), $"filter {output} does not exist: layer '{LayerName}' has {OutputChannels} filters.");
        return Weights.Data.AsSpan(output * FilterLength, FilterLength);
    }

    /// <summary>The kh×kw kernel that filter <paramref name="output"/> applies to input channel <paramref name="input"/>.</summary>
    public ReadOnlySpan<float> Kernel(int output, int input)
    {
        if ((uint)input >= (uint)InputChannels)
            throw new ArgumentOutOfRangeException(nameof(input), $"input channel {input} does not exist: layer '{LayerName}' has {InputChannels}.");
        return Filter(output).Slice(input * KernelHeight * KernelWidth, KernelHeight * KernelWidth);
    }

    /// <summary>Statistics of every filter, in output-channel order.</summary>
    public IReadOnlyList<FilterStatistics> Statistics => _statistics.Value;

    /// <summary>Output channels of the dead filters.</summary>
    public IReadOnlyList<int> DeadFilters => Statistics.Where(s => s.IsDead).Select(s => s.Index).ToList();

    /// <inheritdoc/>
    public override string ToString() => $"FilterBank '{LayerName}' [{string.Join(",", Weights.Shape)}]";

    private IReadOnlyList<FilterStatistics> ComputeStatistics()
    {
        var norms = new double[OutputChannels];
        var means = new double[OutputChannels];
        var maxAbs = new double[OutputChannels];
        for (int o = 0; o < OutputChannels; o++)
        {
            double sumSquares = 0, sum = 0, largest = 0;
            foreach (float w in Filter(o))
            {
                sumSquares += (double)w * w;
                sum += w;
                largest = Math.Max(largest, Math.Abs(w));
            }
            norms[o] = Math.Sqrt(sumSquares);
            means[o] = sum / FilterLength;
            maxAbs[o] = largest;
        }
        double threshold = DeadNormFraction * norms.Max();
        return Enumerable.Range(0, OutputChannels)
            .Select(o => new FilterStatistics(o, norms[o], means[o], maxAbs[o], norms[o] <= threshold))
            .ToList();
    }
}
