using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Tests.Onnx;

namespace MLNet.CnnDiagnostics.Tests.MLNet;

[TestClass]
public sealed class FilterDumpTests
{
    private sealed class Row
    {
        public float Value { get; set; }
    }

    [TestMethod]
    public void DumpFilters_DefaultsToTheFirstConvolution_AndPassesDataThrough()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new Row { Value = 1 }, new Row { Value = 2 } });
        var dump = ml.Transforms.DumpFilters().Fit(data);
        Assert.HasCount(1, dump.FilterBanks);
        var bank = dump.FilterBanks[0];
        Assert.AreEqual("Convolution249", bank.LayerName);
        CollectionAssert.AreEqual(ResNet18Fixture.Model.GetWeight("Parameter91").Data, bank.Weights.Data);
        Assert.AreSame(data, dump.Transform(data));

        using var stream = new MemoryStream();
        ml.Model.Save(dump, data.Schema, stream);
        stream.Position = 0;
        var loaded = ml.Model.Load(stream, out _);
        CollectionAssert.AreEqual(new[] { 1f, 2f }, loaded.Transform(data).GetColumn<float>("Value").ToArray());
    }

    [TestMethod]
    public void DumpFilters_OfANonConvolution_NamesTheConvolutions()
    {
        var ml = new MLContext();
        var e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => ml.Transforms.DumpFilters(["ReLU253"]));
        StringAssert.Contains(e.Message, "not a convolution");
        StringAssert.Contains(e.Message, "Convolution249");
    }
}
