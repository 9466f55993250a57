using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Cli;

/// <summary>
/// How images become model inputs, shared by <c>report</c> and <c>explain</c>: ML.NET's LoadImages → (ConvertToGrayscale) →
/// ResizeImages → ExtractPixels (planar, 0..255), and a model that normalises those pixels itself
/// (<see cref="ModelGraph.WithInputNormalization"/>) when <c>--mean</c>/<c>--std</c> are given.
/// </summary>
internal sealed class ImagePreprocessing
{
    public static readonly IReadOnlyList<OptionSpec> Options =
    [
        ModelOption.Spec,
        ModelOption.LayoutSpec,
        OptionSpec.Value("input", "NAME", "the model's image input (default: its 4-D float input)"),
        new("size", ["H", "W"], "resize images to H×W (default: the model's input size)"),
        OptionSpec.Value("mean", "M...", "per-channel mean on pixels scaled to [0,1], as torchvision's Normalize (one value or one per channel)"),
        OptionSpec.Value("std", "S...", "per-channel standard deviation on pixels scaled to [0,1] (one value or one per channel)"),
        OptionSpec.Flag("grayscale", "feed one grey channel (automatic for a one-channel model)"),
        OptionSpec.Value("max-pixels", "N", "largest image decoded, in pixels (width × height, read from the file's header first; default 100000000)"),
    ];

    public const string Notes =
        "Pixels: without --mean/--std the model receives 0..255 values (ML.NET's ExtractPixels); with either, it receives\n" +
        "(pixel/255 - mean)/std per channel (missing mean: 0, missing std: 1), computed inside the model so that images show as they are.";

    private ImagePreprocessing(ModelGraph model, int height, int width, bool grayscale, bool normalized, long maxPixels)
    {
        MaxPixels = maxPixels;
        Model = model;
        Height = height;
        Width = width;
        Grayscale = grayscale;
        Normalized = normalized;
    }

    /// <summary>The network to run: the loaded model, with its input normalisation prepended when asked.</summary>
    public ModelGraph Model { get; }

    public int Height { get; }

    public int Width { get; }

    public bool Grayscale { get; }

    public bool Normalized { get; }

    /// <summary>The <c>--layers</c> values, each checked to be a node or tensor of the model (a usage error names the one that is not); null when not given.</summary>
    public IReadOnlyList<string>? Layers(CommandLine line)
    {
        var layers = line.List("layers");
        foreach (var layer in layers ?? [])
        {
            try { Model.ResolveTensor(layer); }
            catch (CnnDiagnosticsException e) { throw new UsageException($"'--layers {layer}': {e.Message}"); }
        }
        return layers;
    }

    /// <summary>The largest image (width × height) decoded; a larger file is refused from its header.</summary>
    public long MaxPixels { get; }

    public int Channels => Grayscale ? 1 : 3;

    public static ImagePreprocessing FromCommandLine(CommandLine line)
    {
        // Check everything the command line alone decides before the (slow) model load.
        var size = line.Ints("size", 1, 16384);
        var mean = line.Floats("mean");
        var std = line.Floats("std");
        long maxPixels = line.Int("max-pixels", 1) ?? Data.ImageFileCheck.DefaultMaxPixels;
        if (std is not null && std.Any(s => !(s > 0)))
            throw new UsageException($"'--std {string.Join(' ', std)}' is not valid: every standard deviation must be positive.");
        var model = ModelOption.Load(line);
        var input = model.ImageInput;
        string? inputName = line.String("input");
        if (inputName is not null && inputName != input.Name)
            throw new UsageException($"'--input {inputName}' is not the model's image input; the model's 4-D float image input is '{input.Name}' {input.ShapeText}.");
        int[] shape = input.Shape!;
        int channels = shape[1];
        bool grayscale = line.Has("grayscale");
        if (grayscale && channels > 1)
            throw new UsageException($"'--grayscale' feeds one channel, but input '{input.Name}' {input.ShapeText} takes {channels}; leave --grayscale out.");
        if (channels == 1) grayscale = true;
        else if (channels > 3)
            throw new CnnDiagnosticsException($"input '{input.Name}' {input.ShapeText} takes {channels} channels; images give 3 (RGB) or 1 (--grayscale).");
        int height, width;
        if (size is not null)
        {
            (height, width) = (size[0], size[1]);
            if ((shape[2] > 0 && shape[2] != height) || (shape[3] > 0 && shape[3] != width))
                throw new UsageException($"'--size {height} {width}' does not match input '{input.Name}' {input.ShapeText}; use --size {shape[2]} {shape[3]} or leave it out.");
        }
        else if (shape[2] > 0 && shape[3] > 0) (height, width) = (shape[2], shape[3]);
        else throw new UsageException($"input '{input.Name}' {input.ShapeText} has no fixed height and width; give --size H W.");
        int c = grayscale ? 1 : 3;
        if ((long)c * height * width > ModelGraph.MaxImageInputValues)
            throw new UsageException($"input '{input.Name}' {input.ShapeText} at {height}×{width} takes {(long)c * height * width:N0} values per image, above the limit of {ModelGraph.MaxImageInputValues:N0}" +
                $"{(size is null ? "; give a smaller --size H W if the model accepts it" : "; choose a smaller --size")}.");
        foreach (var (name, values) in new[] { ("mean", mean), ("std", std) })
            if (values is not null && values.Length != 1 && values.Length != c)
                throw new UsageException($"'--{name} {string.Join(' ', values)}' has {values.Length} values; the model takes {c} channel(s): give {c} value(s) or one for all.");
        bool normalized = mean is not null || std is not null;
        if (normalized) model = model.WithInputNormalization(mean ?? [0f], std ?? [1f], 255f);
        var extra = model.OtherInputs;
        if (extra.Count > 0)
            throw new CnnDiagnosticsException(ModelGraph.OtherInputsMessage(model.SourceName, extra));
        return new ImagePreprocessing(model, height, width, grayscale, normalized, maxPixels);
    }

    /// <summary>LoadImages → (grayscale) → ResizeImages → ExtractPixels into column <paramref name="pixelColumn"/>.</summary>
    public IEstimator<ITransformer> PixelEstimator(MLContext ml, string imageFolder, string pathColumn, string pixelColumn)
    {
        IEstimator<ITransformer> chain = ml.Transforms.LoadImages("Image", imageFolder, pathColumn);
        if (Grayscale) chain = chain.Append(ml.Transforms.ConvertToGrayscale("Image"));
        return chain
            .Append(ml.Transforms.ResizeImages("Image", Width, Height))
            .Append(ml.Transforms.ExtractPixels(pixelColumn, "Image",
                Grayscale ? ImagePixelExtractingEstimator.ColorBits.Red : ImagePixelExtractingEstimator.ColorBits.Rgb,
                interleavePixelColors: false));
    }

    /// <summary>One image file as a model input [1, C, H, W] of 0..255 pixels, through the same ML.NET stages as the report.</summary>
    /// <exception cref="CnnDiagnosticsException">The file cannot be read or decoded, or is above <see cref="MaxPixels"/>; the message names it and says why.</exception>
    public FloatTensor LoadImage(string path)
    {
        if (Data.ImageFileCheck.Problem(path, MaxPixels) is { } problem)
            throw new CnnDiagnosticsException($"image '{path}' {problem}.");
        var ml = new MLContext(seed: 1);
        string full = Path.GetFullPath(path);
        var data = ml.Data.LoadFromEnumerable(new[] { new ImageFile { ImagePath = Path.GetFileName(full) } });
        var pixels = PixelEstimator(ml, Path.GetDirectoryName(full)!, nameof(ImageFile.ImagePath), "Pixels").Fit(data).Transform(data);
        float[] values;
        try
        {
            values = pixels.GetColumn<VBuffer<float>>(pixels.Schema["Pixels"]).Single().DenseValues().ToArray();
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException)
        {
            var inner = e;
            while (inner.InnerException is not null) inner = inner.InnerException;
            throw new CnnDiagnosticsException($"image '{path}' cannot be decoded although its header is valid: the image data is corrupt or truncated ({inner.Message}).", e);
        }
        return new FloatTensor([1, Channels, Height, Width], values);
    }

    private sealed class ImageFile
    {
        public string ImagePath { get; set; } = "";
    }
}
