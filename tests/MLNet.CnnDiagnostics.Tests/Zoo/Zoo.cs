using System.Text;
using System.Text.RegularExpressions;
using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Tests.Zoo;

/// <summary>
/// The test model zoo in tests/zoo/models: torchvision architectures exported by PyTorch with random weights at opsets
/// 11 and 17, with float64 reference logits and input gradients from PyTorch autograd (tests/zoo/README.md).
/// </summary>
internal static partial class Zoo
{
    public static string Folder { get; } = FindFolder();

    /// <summary>Every zoo ONNX file name, as MSTest dynamic data.</summary>
    public static IEnumerable<object[]> Files =>
        Directory.GetFiles(Folder, "*.onnx").Select(Path.GetFileName).Order(StringComparer.Ordinal).Select(f => new object[] { f! });

    /// <summary>The model name shared by both opsets' files: <c>resnet_op11.onnx</c> → <c>resnet</c>.</summary>
    public static string ModelName(string file) => OpsetSuffix().Replace(Path.GetFileNameWithoutExtension(file), "");

    public static ModelGraph Load(string file) => ModelGraph.Load(Path.Combine(Folder, file));

    /// <summary>A reference array (.npy, float32 or float64, C order) as doubles with its shape.</summary>
    public static (double[] Values, int[] Shape) Npy(string name)
    {
        var bytes = File.ReadAllBytes(Path.Combine(Folder, name));
        if (bytes.Length < 10 || bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY")
            throw new InvalidDataException($"{name} is not an .npy file.");
        int headerLength = bytes[6] == 1 ? BitConverter.ToUInt16(bytes, 8) : BitConverter.ToInt32(bytes, 8);
        int offset = bytes[6] == 1 ? 10 : 12;
        string header = Encoding.ASCII.GetString(bytes, offset, headerLength);
        string descr = Regex.Match(header, @"'descr':\s*'([^']+)'").Groups[1].Value;
        if (header.Contains("'fortran_order': True", StringComparison.Ordinal)) throw new InvalidDataException($"{name} is in Fortran order.");
        var shape = Regex.Match(header, @"'shape':\s*\(([^)]*)\)").Groups[1].Value
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
        int count = shape.Aggregate(1, (a, b) => a * b);
        int start = offset + headerLength;
        var values = new double[count];
        for (int i = 0; i < count; i++)
            values[i] = descr switch
            {
                "<f4" => BitConverter.ToSingle(bytes, start + 4 * i),
                "<f8" => BitConverter.ToDouble(bytes, start + 8 * i),
                _ => throw new InvalidDataException($"{name} has dtype {descr}; float32 or float64 expected."),
            };
        return (values, shape);
    }

    /// <summary>[N, H, W, C] values as [N, C, H, W] (for channels-last models, whose references are in their own layout).</summary>
    public static double[] ToPlanar(double[] nhwc, int[] shape)
    {
        int n = shape[0], h = shape[1], w = shape[2], c = shape[3];
        var result = new double[nhwc.Length];
        for (int b = 0; b < n; b++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    for (int k = 0; k < c; k++)
                        result[((b * c + k) * h + y) * w + x] = nhwc[((b * h + y) * w + x) * c + k];
        return result;
    }

    /// <summary>The repository's root folder (the one holding MLNet.CnnDiagnostics.sln), found above the test's folder.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MLNet.CnnDiagnostics.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("the repository root (MLNet.CnnDiagnostics.sln) is not above the test's folder.");
    }

    private static string FindFolder() => Path.Combine(RepositoryRoot(), "tests", "zoo", "models");

    [GeneratedRegex(@"_op\d+$")]
    private static partial Regex OpsetSuffix();
}
