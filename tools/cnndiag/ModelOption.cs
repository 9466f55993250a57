using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Cli;

/// <summary>The <c>--model</c> option: an ONNX file that must exist (usage error otherwise) and load as a CNN (failure otherwise).</summary>
internal static class ModelOption
{
    public static readonly OptionSpec Spec = OptionSpec.Value("model", "FILE", "the ONNX model (required)");

    public static ModelGraph Load(CommandLine line)
    {
        string path = line.RequiredString("model");
        if (Directory.Exists(path))
            throw new UsageException($"'--model {path}' is a folder; give an .onnx file.");
        if (!File.Exists(path))
            throw new UsageException($"'--model {path}': the file does not exist; give the path of an .onnx file.");
        return ModelGraph.Load(path);
    }
}
