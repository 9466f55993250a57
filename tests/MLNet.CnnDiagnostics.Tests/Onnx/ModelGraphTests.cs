using Google.Protobuf;
using MLNet.CnnDiagnostics.Execution;
using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Onnx.Proto;

namespace MLNet.CnnDiagnostics.Tests.Onnx;

[TestClass]
public sealed class ModelGraphTests
{
    [TestMethod]
    public void ResNet18_LayerTable_HasTheKnownStructureAndShapes()
    {
        var g = ResNet18Fixture.Model;
        Assert.HasCount(74, g.Layers);
        Assert.AreEqual(22, g.Layers.Count(l => l.OpType == "Conv"));
        Assert.AreEqual(22, g.Layers.Count(l => l.OpType == "BatchNormalization"));
        Assert.AreEqual(9, g.Layers.Count(l => l.OpType == "Add"));
        CollectionAssert.AreEqual(new[] { 1, 3, 224, 224 }, g.ImageInput.Shape);
        var firstConv = g.Layers.First(l => l.OpType == "Conv");
        CollectionAssert.AreEqual(new[] { 1, 64, 112, 112 }, firstConv.OutputShape);
        CollectionAssert.AreEqual(new[] { 7, 7 }, firstConv.Convolution!.Kernel);
        CollectionAssert.AreEqual(new[] { 2, 2 }, firstConv.Convolution.Strides);
        Assert.AreEqual(64 * 3 * 7 * 7, firstConv.ParameterCount - (firstConv.Inputs.Count > 2 ? 64 : 0));
        CollectionAssert.AreEqual(new[] { 1, 64, 56, 56 }, g.Layers.First(l => l.OpType == "MaxPool").OutputShape);
        CollectionAssert.AreEqual(new[] { 1, 512, 1, 1 }, g.GetLayer(DefaultModels.ResNet18Embedding).OutputShape);
        CollectionAssert.AreEqual(new[] { 1, 512, 7, 7 }, g.Layers.Last(l => l.OpType == "Conv").OutputShape);
    }

    [TestMethod]
    public void ResNet18_UnmodifiedModel_SavesBackByteForByte()
    {
        var original = File.ReadAllBytes(DefaultModels.ResNet18Path);
        var saved = ModelGraph.Load(original, "resnet18").ToBytes();
        Assert.IsTrue(original.AsSpan().SequenceEqual(saved), $"saved {saved.Length} bytes, loaded {original.Length}");
    }

    [TestMethod]
    public void ResNet18_FirstConvActivations_EqualNaiveConvolution()
    {
        var g = ResNet18Fixture.Model;
        var conv = g.Layers.First(l => l.OpType == "Conv");
        Assert.AreEqual(g.ImageInput.Name, conv.Inputs[0], "the first convolution reads the image input directly");
        var input = ResNet18Fixture.Digits(1, first: 3);
        using var exec = new OnnxExecutor(g.WithOutputs([conv.Name]));
        var actual = exec.Run(input, [conv.Outputs[0]])[conv.Outputs[0]];

        var w = g.GetWeight(conv.Inputs[1]);
        var bias = conv.Inputs.Count > 2 ? g.GetWeight(conv.Inputs[2]).Data : new float[w.Shape[0]];
        var a = conv.Convolution!;
        int outC = w.Shape[0], inC = w.Shape[1], kh = w.Shape[2], kw = w.Shape[3], H = 224, W = 224;
        int oh = actual.Shape[2], ow = actual.Shape[3];
        double maxErr = 0, maxRef = 0;
        for (int o = 0; o < outC; o++)
            for (int y = 0; y < oh; y++)
                for (int x = 0; x < ow; x++)
                {
                    double s = bias[o];
                    for (int c = 0; c < inC; c++)
                        for (int i = 0; i < kh; i++)
                            for (int j = 0; j < kw; j++)
                            {
                                int iy = y * a.Strides[0] - a.PadBegin(0) + i * a.Dilations[0];
                                int ix = x * a.Strides[1] - a.PadBegin(1) + j * a.Dilations[1];
                                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                                s += (double)w[o, c, i, j] * input[0, c, iy, ix];
                            }
                    maxErr = Math.Max(maxErr, Math.Abs(s - actual[0, o, y, x]));
                    maxRef = Math.Max(maxRef, Math.Abs(s));
                }
        Assert.IsGreaterThan(0, maxRef);
        Assert.IsLessThanOrEqualTo(1e-4, maxErr / maxRef, $"relative error {maxErr / maxRef:E2}");
    }

    [TestMethod]
    public void ResNet18_Tapping_LeavesTheFinalOutputIdentical_AndBatchesEqualRows()
    {
        var g = ResNet18Fixture.Model;
        var images = ResNet18Fixture.Digits(3);
        string final = g.Outputs[0].Name;
        using var plain = new OnnxExecutor(g);
        var taps = g.Layers.Where(l => l.OpType == "Relu").Select(l => l.Name).Take(5).ToList();
        using var tapped = new OnnxExecutor(g.WithSymbolicBatch().WithOutputs(taps));
        var batched = tapped.Run(images);
        for (int n = 0; n < 3; n++)
        {
            var single = plain.Run(images.Slice(n))[final];
            var fromBatch = batched[final].Slice(n);
            CollectionAssert.AreEqual(single.Shape, fromBatch.Shape);
            for (int i = 0; i < single.Length; i++)
                Assert.AreEqual(single.Data[i], fromBatch.Data[i], 1e-4f * Math.Max(1f, Math.Abs(single.Data[i])));
        }
        using var tappedRow = new OnnxExecutor(g.WithOutputs(taps));
        var rowOutputs = tappedRow.Run(images.Slice(1));
        var plainOutput = plain.Run(images.Slice(1))[final];
        CollectionAssert.AreEqual(plainOutput.Data, rowOutputs[final].Data, "tapping must not change the final output");
        Assert.HasCount(6, rowOutputs);
    }

    [TestMethod]
    public void UnknownLayer_ErrorListsTheClosestNames()
    {
        var g = ModelGraph.Load(TinyModels.SmallCnn().ToByteArray(), "small.onnx");
        var e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => g.GetLayer("conv9"));
        StringAssert.Contains(e.Message, "'conv9'");
        StringAssert.Contains(e.Message, "closest: conv1");
    }

    [TestMethod]
    public void Weights_DecodeRawFloatDataFloat16AndConstantNodes()
    {
        var model = TinyModels.SmallCnn();
        var half = new TensorProto { Name = "h", DataType = (int)TensorProto.Types.DataType.Float16 };
        half.Dims.Add(2);
        half.Int32Data.Add(BitConverter.HalfToUInt16Bits((Half)1.5f));
        half.Int32Data.Add(BitConverter.HalfToUInt16Bits((Half)(-0.25f)));
        var constant = TinyModels.Node("Constant", "k", [], ["k_out"], new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = TinyModels.FloatInit("kv", [2], [7f, 8f], raw: false) });
        model.Graph.Initializer.Add(half);
        model.Graph.Node.Insert(0, constant);
        var g = ModelGraph.Load(model.ToByteArray());
        CollectionAssert.AreEqual(TinyModels.Random(72, 1), g.GetWeight("w").Data);
        CollectionAssert.AreEqual(TinyModels.Random(4, 2), g.GetWeight("b").Data);
        CollectionAssert.AreEqual(new[] { 1.5f, -0.25f }, g.GetWeight("h").Data);
        CollectionAssert.AreEqual(new[] { 7f, 8f }, g.GetWeight("k_out").Data);
        Assert.ThrowsExactly<CnnDiagnosticsException>(() => g.GetWeight("ww"));
    }

    [TestMethod]
    public void LayerShapes_AreMeasuredByADryRun_WhenTheFileDeclaresNone()
    {
        var declared = ModelGraph.Load(TinyModels.SmallCnn(declareShapes: true).ToByteArray());
        var measured = ModelGraph.Load(TinyModels.SmallCnn(declareShapes: false).ToByteArray());
        foreach (var (a, b) in declared.Layers.Zip(measured.Layers))
            CollectionAssert.AreEqual(a.OutputShape, b.OutputShape, a.Name);
        CollectionAssert.AreEqual(new[] { -1, 4, 4, 4 }, measured.GetLayer("pool1").OutputShape);
    }

    [TestMethod]
    public void EmptyFile_IsRejectedWithTheFileName()
    {
        string path = Path.Combine(Path.GetTempPath(), $"empty-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, []);
        try
        {
            var e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => ModelGraph.Load(path));
            StringAssert.Contains(e.Message, path);
            StringAssert.Contains(e.Message, "empty");
        }
        finally { File.Delete(path); }
    }

    [TestMethod]
    public void MissingFile_IsRejected() =>
        StringAssert.Contains(Assert.ThrowsExactly<CnnDiagnosticsException>(() => ModelGraph.Load("/no/such/model.onnx")).Message, "does not exist");

    [TestMethod]
    public void TruncatedFile_IsRejectedAsCorrupt()
    {
        var bytes = TinyModels.SmallCnn().ToByteArray();
        var e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => ModelGraph.Load(bytes[..(bytes.Length / 2)], "half.onnx"));
        StringAssert.Contains(e.Message, "half.onnx");
    }

    [TestMethod]
    public void TextFile_IsRejectedAsNotOnnx()
    {
        var e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => ModelGraph.Load("hello, this is not a model\n"u8.ToArray(), "notes.txt"));
        StringAssert.Contains(e.Message, "notes.txt");
    }

    [TestMethod]
    public void ModelWithoutImageInput_IsRejectedNamingItsInputs()
    {
        var g = new GraphProto { Name = "mlp" };
        g.Input.Add(TinyModels.Value("v", -1, 10));
        g.Initializer.Add(TinyModels.FloatInit("w", [10, 2], TinyModels.Random(20, 5)));
        g.Node.Add(TinyModels.Node("MatMul", "mm", ["v", "w"], ["y"]));
        g.Output.Add(TinyModels.Value("y", -1, 2));
        var e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => ModelGraph.Load(TinyModels.Model(g).ToByteArray(), "mlp.onnx"));
        StringAssert.Contains(e.Message, "no 4-D float image input");
        StringAssert.Contains(e.Message, "v[N,10]");
    }

    [TestMethod]
    public void Fuzz_RandomMutations_EitherLoadOrRaiseTheLibrarysException()
    {
        var original = TinyModels.SmallCnn().ToByteArray();
        var rng = new Random(12345);
        int loaded = 0, rejected = 0;
        for (int trial = 0; trial < 1000; trial++)
        {
            var bytes = Mutate(original, rng);
            try
            {
                var g = ModelGraph.Load(bytes, $"mutant{trial}");
                _ = g.Layers.Count;
                loaded++;
            }
            catch (CnnDiagnosticsException)
            {
                rejected++;
            }
        }
        Assert.AreEqual(1000, loaded + rejected);
        Assert.IsGreaterThan(0, rejected);
    }

    private static byte[] Mutate(byte[] original, Random rng)
    {
        var bytes = original.ToList();
        switch (rng.Next(3))
        {
            case 0: // bit flips
                for (int i = rng.Next(1, 4); i > 0; i--) { int at = rng.Next(bytes.Count); bytes[at] ^= (byte)(1 << rng.Next(8)); }
                return bytes.ToArray();
            case 1: // truncation
                return bytes.Take(rng.Next(bytes.Count)).ToArray();
            default: // inserted bytes
                bytes.InsertRange(rng.Next(bytes.Count), Enumerable.Range(0, rng.Next(1, 8)).Select(_ => (byte)rng.Next(256)));
                return bytes.ToArray();
        }
    }
}
