namespace MLNet.CnnDiagnostics.Onnx;

/// <summary>
/// The embedded default CNN: the pretrained ResNet18 shipped in the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18,
/// found without the user knowing where the package keeps its files.
/// </summary>
public static class DefaultModels
{
    private const string PackageId = "microsoft.ml.dnnimagefeaturizer.resnet18";
    private const string PackageVersion = "0.23.1";

    /// <summary>Input tensor of ResNet18 ([1,3,224,224], preprocessed BGR with the mean image subtracted).</summary>
    public const string ResNet18Input = "Input247";

    /// <summary>The pooled 512-d feature tensor, ResNet18's last output.</summary>
    public const string ResNet18Embedding = "Pooling395_Output_0";

    /// <summary>Path of ResNet18.onnx.</summary>
    public static string ResNet18Path => Locate(Path.Combine("ResNet18Onnx", "ResNet18.onnx"));

    /// <summary>Path of ResNetPreprocess.onnx (RGB 0..255 → BGR minus the mean image).</summary>
    public static string ResNet18PreprocessPath => Locate(Path.Combine("ResNetPrepOnnx", "ResNetPreprocess.onnx"));

    /// <summary>Input of the composed model: RGB pixels 0..255, planar [1,3,224,224], as ML.NET's ExtractPixels gives them.</summary>
    public const string ResNet18PixelsInput = "OriginalInput";

    /// <summary>Loads the embedded ResNet18 (input: preprocessed BGR with the mean image subtracted).</summary>
    public static ModelGraph LoadResNet18() => ModelGraph.Load(ResNet18Path);

    /// <summary>
    /// The embedded ResNet18 with its preprocessing model in front: one graph from RGB pixels 0..255
    /// ([1,3,224,224] planar, ML.NET's ExtractPixels defaults) to the 512-d pooled features.
    /// </summary>
    public static ModelGraph LoadResNet18WithPreprocessing() =>
        ModelGraph.Compose(ModelGraph.Load(ResNet18PreprocessPath), LoadResNet18(), "embedded ResNet18 (Microsoft.ML.DnnImageFeaturizer.ResNet18)");

    private static string Locate(string relative)
    {
        var searched = new List<string>();
        foreach (var dir in CandidateDirectories())
        {
            string path = Path.Combine(dir, relative);
            searched.Add(path);
            if (File.Exists(path)) return path;
        }
        throw new CnnDiagnosticsException($"the embedded default model '{relative}' was not found; add the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18 {PackageVersion} to the application. Searched: {string.Join("; ", searched)}.");
    }

    private static IEnumerable<string> CandidateDirectories()
    {
        yield return Path.Combine(AppContext.BaseDirectory, "DnnImageModels");
        string? here = Path.GetDirectoryName(typeof(DefaultModels).Assembly.Location);
        if (!string.IsNullOrEmpty(here)) yield return Path.Combine(here, "DnnImageModels");
        string? packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (string.IsNullOrEmpty(packages))
            packages = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        yield return Path.Combine(packages, PackageId, PackageVersion, "tools", "DnnImageModels");
    }
}
