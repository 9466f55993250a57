using Google.Protobuf;
using MLNet.CnnDiagnostics.Onnx.Proto;
using MLNet.CnnDiagnostics.Rendering;
using MLNet.CnnDiagnostics.Tests.Onnx;
using static MLNet.CnnDiagnostics.Tests.Onnx.TinyModels;

namespace MLNet.CnnDiagnostics.Cli.Tests;

/// <summary>Files the CLI tests run on, made once per run in a temporary folder: a tiny CNN, a model without image input, an image folder.</summary>
internal static class CliFixture
{
    public const int Size = 32;
    public static readonly (string Name, int Digit)[] Classes = [("one", 1), ("seven", 7), ("zero", 0)];
    public const int PerClass = 6;

    private static readonly Lazy<string> Folder = new(Create);

    public static string Root => Folder.Value;

    public static string Model => Path.Combine(Root, "tiny.onnx");

    public static string GreyModel => Path.Combine(Root, "tiny-grey.onnx");

    public static string FlatModel => Path.Combine(Root, "flat.onnx");

    public static string Images => Path.Combine(Root, "images");

    public static string Image(int classIndex, int item) => Path.Combine(Images, Classes[classIndex].Name, $"{item}.png");

    /// <summary>Removes the temporary folder, if it was made.</summary>
    public static void Delete()
    {
        if (Folder.IsValueCreated && Directory.Exists(Folder.Value)) Directory.Delete(Folder.Value, recursive: true);
    }

    /// <summary>A fresh empty folder for one test's outputs.</summary>
    public static string NewOutputFolder()
    {
        string dir = Path.Combine(Root, "out-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>
    /// x[N,3,32,32] → conv1 3×3 (8) → relu1 → pool1 2×2/2 → conv2 3×3 (16) → relu2 → pool2 2×2/2 → conv3 3×3 (16) → relu3
    /// → gap → flatten → fc (3 classes): 11 nodes, random weights. Receptive fields: conv1 3, pool1 4, conv2 8, pool2 10, conv3 18.
    /// </summary>
    public static ModelProto TinyCnn(int channels = 3)
    {
        var g = new GraphProto { Name = "tiny" };
        g.Input.Add(Value("x", -1, channels, Size, Size));
        int seed = 10;
        void Conv(string name, int inC, int outC, string input, string output)
        {
            g.Initializer.Add(FloatInit(name + "_w", [outC, inC, 3, 3], Random(outC * inC * 9, seed++, (float)Math.Sqrt(2.0 / (inC * 9)))));
            g.Initializer.Add(FloatInit(name + "_b", [outC], Random(outC, seed++, 0.1f)));
            g.Node.Add(Node("Conv", name, [input, name + "_w", name + "_b"], [output], Ints("kernel_shape", 3, 3), Ints("pads", 1, 1, 1, 1)));
        }
        Conv("conv1", channels, 8, "x", "c1");
        g.Node.Add(Node("Relu", "relu1", ["c1"], ["r1"]));
        g.Node.Add(Node("MaxPool", "pool1", ["r1"], ["p1"], Ints("kernel_shape", 2, 2), Ints("strides", 2, 2)));
        Conv("conv2", 8, 16, "p1", "c2");
        g.Node.Add(Node("Relu", "relu2", ["c2"], ["r2"]));
        g.Node.Add(Node("MaxPool", "pool2", ["r2"], ["p2"], Ints("kernel_shape", 2, 2), Ints("strides", 2, 2)));
        Conv("conv3", 16, 16, "p2", "c3");
        g.Node.Add(Node("Relu", "relu3", ["c3"], ["r3"]));
        g.Node.Add(Node("GlobalAveragePool", "gap", ["r3"], ["gap_out"]));
        g.Node.Add(Node("Flatten", "flatten", ["gap_out"], ["features"], Int("axis", 1)));
        g.Initializer.Add(FloatInit("fc_w", [3, 16], Random(48, seed++)));
        g.Initializer.Add(FloatInit("fc_b", [3], Random(3, seed++, 0.1f)));
        g.Node.Add(Node("Gemm", "fc", ["features", "fc_w", "fc_b"], ["logits"], Int("transB", 1)));
        g.Output.Add(Value("logits", -1, 3));
        return Model(g);
    }

    /// <summary>features[N,10] → Gemm → logits[N,3]: no image input.</summary>
    private static ModelProto FlatModelProto()
    {
        var g = new GraphProto { Name = "flat" };
        g.Input.Add(Value("features", -1, 10));
        g.Initializer.Add(FloatInit("w", [3, 10], Random(30, 1)));
        g.Initializer.Add(FloatInit("b", [3], Random(3, 2)));
        g.Node.Add(Node("Gemm", "fc", ["features", "w", "b"], ["logits"], Int("transB", 1)));
        g.Output.Add(Value("logits", -1, 3));
        return Model(g);
    }

    /// <summary>An MNIST digit padded to 32×32, grey in all three channels.</summary>
    public static RgbImage Digit(int index)
    {
        var digit = MnistFixture.Images[index];
        var image = new RgbImage(Size, Size);
        for (int y = 0; y < 28; y++)
            for (int x = 0; x < 28; x++)
            {
                byte v = digit[y * 28 + x];
                image.SetPixel(x + 2, y + 2, new RgbColor(v, v, v));
            }
        return image;
    }

    private static string Create()
    {
        string root = Path.Combine(Path.GetTempPath(), "cnndiag-cli-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        File.WriteAllBytes(Path.Combine(root, "tiny.onnx"), TinyCnn().ToByteArray());
        File.WriteAllBytes(Path.Combine(root, "tiny-grey.onnx"), TinyCnn(channels: 1).ToByteArray());
        File.WriteAllBytes(Path.Combine(root, "flat.onnx"), FlatModelProto().ToByteArray());
        var labels = MnistLabels.All;
        foreach (var (name, digit) in Classes)
        {
            string dir = Path.Combine(root, "images", name);
            Directory.CreateDirectory(dir);
            var indices = Enumerable.Range(0, labels.Length).Where(i => labels[i] == digit).Take(PerClass).ToList();
            for (int k = 0; k < indices.Count; k++)
                File.WriteAllBytes(Path.Combine(dir, $"{k}.png"), Digit(indices[k]).EncodePng());
        }
        return root;
    }
}
