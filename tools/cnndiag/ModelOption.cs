using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Cli;

/// <summary>The <c>--model</c> option: an ONNX file that must exist (usage error otherwise) and load as a CNN (failure otherwise).</summary>
internal static class ModelOption
{
    public static readonly OptionSpec Spec = OptionSpec.Required("model", "FILE", "the ONNX model");

    public static readonly OptionSpec LayoutSpec = OptionSpec.Value("layout", "nchw|nhwc",
        "the image input's layout (default: detected; channels-last models, as Keras/tf2onnx export them, are fed planar images through a Transpose)");

    public static ModelGraph Load(CommandLine line)
    {
        string path = line.RequiredString("model");
        if (Directory.Exists(path))
            throw new UsageException($"'--model {path}' is a folder; give an .onnx file.");
        if (!File.Exists(path))
            throw new UsageException($"'--model {path}': the file does not exist; give the path of an .onnx file.");
        var graph = ModelGraph.Load(path);
        var layout = line.Choice("layout", ["nchw", "nhwc"]) switch
        {
            "nchw" => ImageLayout.Planar,
            "nhwc" => ImageLayout.ChannelsLast,
            _ => graph.ImageLayout,
        };
        return graph.AsPlanar(layout);
    }
}
