namespace MLNet.CnnDiagnostics.Onnx;

public sealed partial class ModelGraph
{
    /// <summary>
    /// A copy whose image input takes raw pixels and normalises them inside the graph, as torchvision's <c>Normalize</c>
    /// does after <c>ToTensor</c>: the network sees (x / <paramref name="inputScale"/> − mean[c]) / std[c]. With
    /// <paramref name="inputScale"/> 255 the model reads ML.NET's ExtractPixels output (0..255) directly, so reports and
    /// overlays show real images. The input keeps its name and shape; Mul, Sub and Div nodes are prepended to it.
    /// </summary>
    /// <param name="mean">One value per input channel (or one value for all channels), on the [0, 1] scale.</param>
    /// <param name="std">One positive value per input channel (or one value for all channels).</param>
    /// <param name="inputScale">The raw value that means full brightness (255 for 8-bit pixels, 1 for [0, 1] inputs).</param>
    public ModelGraph WithInputNormalization(float[] mean, float[] std, float inputScale = 255f)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        int channels = ImageInput.Shape is { Length: 4 } s && s[1] > 0 ? s[1] : Math.Max(mean.Length, std.Length);
        float[] m = PerChannel(mean, channels, "mean");
        float[] d = PerChannel(std, channels, "std");
        if (d.Any(v => !(v > 0) || !float.IsFinite(v)))
            throw new CnnDiagnosticsException($"std [{string.Join(", ", d)}] is not valid: every value must be a positive finite number.");
        if (m.Any(v => !float.IsFinite(v)))
            throw new CnnDiagnosticsException($"mean [{string.Join(", ", m)}] is not valid: every value must be a finite number.");
        if (!(inputScale > 0) || !float.IsFinite(inputScale))
            throw new CnnDiagnosticsException($"input scale {inputScale} is not valid: it must be a positive finite number (255 for 8-bit pixels).");

        var rewriter = new GraphRewriter(this);
        string input = ImageInput.Name;
        string normalized = rewriter.FreshName(input + "_normalized");
        rewriter.RerouteReaders(input, normalized);

        string scaleName = rewriter.FreshName("input_scale"), meanName = rewriter.FreshName("input_mean"), stdName = rewriter.FreshName("input_std");
        string scaled = rewriter.FreshName(input + "_scaled"), centred = rewriter.FreshName(input + "_centred");
        rewriter.AddInitializer(GraphTensor.Float(scaleName, [1f / inputScale], [1, 1, 1, 1]));
        rewriter.AddInitializer(GraphTensor.Float(meanName, m, [1, channels, 1, 1]));
        rewriter.AddInitializer(GraphTensor.Float(stdName, d, [1, channels, 1, 1]));
        rewriter.InsertNodes(0,
        [
            GraphRewriter.Node("Mul", rewriter.FreshName("input_scale_mul"), [input, scaleName], [scaled]),
            GraphRewriter.Node("Sub", rewriter.FreshName("input_mean_sub"), [scaled, meanName], [centred]),
            GraphRewriter.Node("Div", rewriter.FreshName("input_std_div"), [centred, stdName], [normalized]),
        ]);
        if (ImageInput.HasKnownItemShape)
            foreach (var tensor in new[] { scaled, centred, normalized })
                rewriter.DeclareShape(tensor, ImageInput.ElementType, ImageInput.Shape, HasSymbolicBatch);
        return rewriter.Finish(SourceName, shapesFrom: this);
    }

    private static float[] PerChannel(float[] values, int channels, string what)
    {
        if (values.Length == channels) return (float[])values.Clone();
        if (values.Length == 1) return Enumerable.Repeat(values[0], channels).ToArray();
        throw new CnnDiagnosticsException($"{what} has {values.Length} values [{string.Join(", ", values)}]; the image input has {channels} channel(s): give {channels} value(s) or one for all.");
    }
}
