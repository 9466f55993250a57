using System.Numerics.Tensors;
using MLNet.CnnDiagnostics.Gradients;
using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Onnx.Proto;

namespace MLNet.CnnDiagnostics.Tests.Gradients;

/// <summary>
/// An independent double-precision forward pass of a plain CNN ONNX graph (batch 1), written naively from the ONNX
/// operator definitions: Conv (bias, strides, dilations, asymmetric pads, groups), BatchNormalization (inference),
/// Relu, MaxPool, AveragePool, Add (same shapes), followed by an optional linear head. It shares nothing with ONNX
/// Runtime or the backward graph builder except the weights and attributes read from the model, so finite differences
/// of it can be taken with tiny steps that float32 cannot resolve.
/// </summary>
internal sealed class DoubleResNet
{
    /// <summary>A [C, H, W] activation of one image in double precision.</summary>
    internal sealed record Activation(int Channels, int Height, int Width, double[] Data);

    private readonly ModelGraph _model;
    private readonly Dictionary<string, double[]> _weights = [];
    private readonly double[]? _headWeights;
    private readonly double[]? _headBias;
    private readonly int _headFeatures;

    public DoubleResNet(ModelGraph model, LinearHead? head = null)
    {
        _model = model;
        foreach (var node in model.Proto.Graph.Node)
        foreach (var input in node.Input)
            if (model.IsWeight(input) && !_weights.ContainsKey(input))
                _weights[input] = model.GetWeight(input).Data.Select(v => (double)v).ToArray();
        if (head is not null)
        {
            _headWeights = head.Weights.Data.Select(v => (double)v).ToArray();
            _headBias = head.Bias.Select(v => (double)v).ToArray();
            _headFeatures = head.Features;
        }
    }

    /// <summary>Runs the graph on one image [3·H·W values in C, H, W order] and returns the named tensor.</summary>
    public Activation Forward(double[] image, string outputTensor)
    {
        var input = _model.ImageInput;
        var shape = input.Shape ?? throw new InvalidOperationException("the image input has no shape");
        var values = new Dictionary<string, Activation> { [input.Name] = new(shape[1], shape[2], shape[3], image) };
        var nodes = _model.Proto.Graph.Node;
        for (int i = 0; i < nodes.Count; i++)
        {
            var node = nodes[i];
            if (node.OpType == "Constant") continue;
            var x = values[node.Input[0]];
            values[node.Output[0]] = node.OpType switch
            {
                "Conv" => Convolution(x, _model.Layers[i].Convolution!, _weights[node.Input[1]],
                    node.Input.Count > 2 && node.Input[2].Length > 0 ? _weights[node.Input[2]] : null),
                "BatchNormalization" => BatchNormalization(x, node),
                "Relu" => Map(x, v => v > 0 ? v : 0),
                "Add" => Sum(x, values[node.Input[1]], node),
                "MaxPool" => Pool(x, _model.Layers[i].Convolution!, node, max: true),
                "AveragePool" => Pool(x, _model.Layers[i].Convolution!, node, max: false),
                _ => throw new NotSupportedException($"{node.OpType} (node '{node.Name}') has no double-precision reference"),
            };
            if (node.Output[0] == outputTensor) return values[outputTensor];
        }
        return values[outputTensor];
    }

    /// <summary>All logits of the linear head on the given feature tensor (its flattened values).</summary>
    public double[] Logits(double[] image, string featureTensor)
    {
        if (_headWeights is null || _headBias is null) throw new InvalidOperationException("no head");
        var features = Forward(image, featureTensor).Data;
        if (features.Length != _headFeatures) throw new InvalidOperationException($"{features.Length} features, head expects {_headFeatures}");
        var logits = new double[_headBias.Length];
        for (int c = 0; c < logits.Length; c++)
        {
            double s = _headBias[c];
            for (int f = 0; f < _headFeatures; f++) s += _headWeights[c * _headFeatures + f] * features[f];
            logits[c] = s;
        }
        return logits;
    }

    private static Activation Map(Activation x, Func<double, double> f)
    {
        var y = new double[x.Data.Length];
        for (int i = 0; i < y.Length; i++) y[i] = f(x.Data[i]);
        return x with { Data = y };
    }

    private static Activation Sum(Activation a, Activation b, NodeProto node)
    {
        if (a.Data.Length != b.Data.Length || a.Channels != b.Channels || a.Height != b.Height)
            throw new NotSupportedException($"Add '{node.Name}' with broadcasting has no double-precision reference");
        var y = new double[a.Data.Length];
        for (int i = 0; i < y.Length; i++) y[i] = a.Data[i] + b.Data[i];
        return a with { Data = y };
    }

    private Activation BatchNormalization(Activation x, NodeProto node)
    {
        if (NodeAttributes.GetInt(node, "spatial", 1) != 1) throw new NotSupportedException($"BatchNormalization '{node.Name}' with spatial=0");
        double epsilon = NodeAttributes.GetFloat(node, "epsilon", 1e-5f);
        double[] scale = _weights[node.Input[1]], bias = _weights[node.Input[2]], mean = _weights[node.Input[3]], variance = _weights[node.Input[4]];
        if (scale.Length != x.Channels) throw new NotSupportedException($"BatchNormalization '{node.Name}': {scale.Length} scales for {x.Channels} channels");
        int plane = x.Height * x.Width;
        var y = new double[x.Data.Length];
        for (int c = 0; c < x.Channels; c++)
        {
            double a = scale[c] / Math.Sqrt(variance[c] + epsilon);
            for (int i = c * plane; i < (c + 1) * plane; i++) y[i] = (x.Data[i] - mean[c]) * a + bias[c];
        }
        return x with { Data = y };
    }

    /// <summary>
    /// Convolution as out[oc, p] = W[oc, :] · column(p) + b[oc], with the columns (im2col, zero padding) laid out one
    /// output position per contiguous row so every output is one vectorised double dot product.
    /// </summary>
    private static Activation Convolution(Activation x, ConvolutionAttributes a, double[] w, double[]? b)
    {
        var pads = a.ResolvePads([x.Height, x.Width]);
        int oh = a.OutputSize(0, x.Height, pads), ow = a.OutputSize(1, x.Width, pads);
        int kh = a.Kernel[0], kw = a.Kernel[1], groups = a.Group;
        int icg = x.Channels / groups, outChannels = b?.Length ?? w.Length / (icg * kh * kw), ocg = outChannels / groups;
        int k = icg * kh * kw, positions = oh * ow;
        if (w.Length != outChannels * k) throw new InvalidOperationException($"conv weights {w.Length} != {outChannels}×{k}");
        var y = new double[outChannels * positions];
        var columns = new double[positions * k];
        for (int g = 0; g < groups; g++)
        {
            Parallel.For(0, positions, p =>
            {
                int oy = p / ow, ox = p % ow;
                var row = columns.AsSpan(p * k, k);
                int j = 0;
                for (int c = 0; c < icg; c++)
                {
                    int plane = (g * icg + c) * x.Height * x.Width;
                    for (int ky = 0; ky < kh; ky++)
                    {
                        int iy = oy * a.Strides[0] - pads[0] + ky * a.Dilations[0];
                        for (int kx = 0; kx < kw; kx++, j++)
                        {
                            int ix = ox * a.Strides[1] - pads[1] + kx * a.Dilations[1];
                            row[j] = iy >= 0 && iy < x.Height && ix >= 0 && ix < x.Width ? x.Data[plane + iy * x.Width + ix] : 0;
                        }
                    }
                }
            });
            int first = g * ocg;
            // Parallelise over whichever side is larger so the other side's rows stay in cache.
            if ((long)ocg * k > (long)positions * k / 2)
                Parallel.For(first, first + ocg, oc =>
                {
                    var weights = w.AsSpan(oc * k, k);
                    double bias = b?[oc] ?? 0;
                    for (int p = 0; p < positions; p++) y[oc * positions + p] = TensorPrimitives.Dot<double>(weights, columns.AsSpan(p * k, k)) + bias;
                });
            else
                Parallel.For(0, positions, p =>
                {
                    var column = columns.AsSpan(p * k, k);
                    for (int oc = first; oc < first + ocg; oc++)
                        y[oc * positions + p] = TensorPrimitives.Dot<double>(w.AsSpan(oc * k, k), column) + (b?[oc] ?? 0);
                });
        }
        return new Activation(outChannels, oh, ow, y);
    }

    private static Activation Pool(Activation x, ConvolutionAttributes a, NodeProto node, bool max)
    {
        if (NodeAttributes.GetInt(node, "ceil_mode", 0) != 0) throw new NotSupportedException($"pool '{node.Name}' with ceil_mode");
        if (a.Dilations.Any(d => d != 1)) throw new NotSupportedException($"pool '{node.Name}' with dilations");
        bool countPads = NodeAttributes.GetInt(node, "count_include_pad", 0) != 0;
        var pads = a.ResolvePads([x.Height, x.Width]);
        int oh = a.OutputSize(0, x.Height, pads), ow = a.OutputSize(1, x.Width, pads);
        var y = new double[x.Channels * oh * ow];
        Parallel.For(0, x.Channels, c =>
        {
            int plane = c * x.Height * x.Width;
            for (int oy = 0; oy < oh; oy++)
            for (int ox = 0; ox < ow; ox++)
            {
                double acc = max ? double.NegativeInfinity : 0;
                int count = 0;
                for (int ky = 0; ky < a.Kernel[0]; ky++)
                for (int kx = 0; kx < a.Kernel[1]; kx++)
                {
                    int iy = oy * a.Strides[0] - pads[0] + ky, ix = ox * a.Strides[1] - pads[1] + kx;
                    bool inside = iy >= 0 && iy < x.Height && ix >= 0 && ix < x.Width;
                    if (inside)
                    {
                        double v = x.Data[plane + iy * x.Width + ix];
                        acc = max ? Math.Max(acc, v) : acc + v;
                        count++;
                    }
                    else if (countPads) count++;   // ONNX: padded cells count as zeros only under count_include_pad
                }
                y[(c * oh + oy) * ow + ox] = max ? acc : acc / count;
            }
        });
        return new Activation(x.Channels, oh, ow, y);
    }
}
