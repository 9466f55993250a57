using MLNet.CnnDiagnostics.Analyzers.Onnx;

namespace MLNet.CnnDiagnostics.Analyzers.Tests;

[TestClass]
public sealed class OnnxNameReaderTests
{
    [TestMethod]
    public void TinyModel_GivesItsNodeAndTensorNamesInFileOrder()
    {
        var names = OnnxNameReader.TryRead(TinyOnnxModel.Bytes());
        Assert.IsNotNull(names);
        Assert.AreEqual(3, names.NodeCount);
        CollectionAssert.AreEqual(TinyOnnxModel.NodeNames, names.NodeNames.ToArray());
        CollectionAssert.AreEqual(TinyOnnxModel.TensorNames, names.TensorNames.ToArray());
        Assert.IsFalse(names.Contains("tiny"), "the graph's own name is not a layer");
    }

    [TestMethod]
    public void ResNet18FromTheFeaturizerPackage_MatchesItsKnownShape()
    {
        // facts recorded in SETUP-NOTES from another reader: 74 nodes, input Input247, output Pooling395_Output_0
        string path = Path.Combine(AppContext.BaseDirectory, "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx");
        var names = OnnxNameReader.TryRead(File.ReadAllBytes(path));
        Assert.IsNotNull(names);
        Assert.AreEqual(74, names.NodeCount);
        Assert.IsTrue(names.Contains("Input247"));
        Assert.IsTrue(names.Contains("Pooling395_Output_0"));
        Assert.IsTrue(names.Contains("ReLU253_Output_0"));
    }

    [TestMethod]
    public void TruncatedOrRandomBytes_GiveNullOrNamesButNeverThrow()
    {
        byte[] model = TinyOnnxModel.Bytes();
        for (int length = 0; length < model.Length; length++)
        {
            var names = OnnxNameReader.TryRead(model[..length]);
            if (names is not null) Assert.IsTrue(names.NodeCount <= 3, $"length {length}");
        }
        var random = new Random(8);
        for (int i = 0; i < 2000; i++)
        {
            var bytes = new byte[random.Next(0, 200)];
            random.NextBytes(bytes);
            _ = OnnxNameReader.TryRead(bytes);
        }
        Assert.IsNull(OnnxNameReader.TryRead([0x3A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]), "graph length past the end");
    }

    [TestMethod]
    public void EditDistance_MatchesHandCountedEdits()
    {
        Assert.AreEqual(3, ClosestLayerNames.EditDistance("kitten", "sitting"));
        Assert.AreEqual(2, ClosestLayerNames.EditDistance("flaw", "lawn"));
        Assert.AreEqual(3, ClosestLayerNames.EditDistance("", "abc"));
        Assert.AreEqual(0, ClosestLayerNames.EditDistance("conv1", "conv1"));
    }
}
