using MLNet.CnnDiagnostics.Data;

namespace MLNet.CnnDiagnostics.Tests.Analysis;

[TestClass]
public sealed class MnistReaderTests
{
    [TestMethod]
    public void Reads_ImagesInUnitRange_AndDigitLabels()
    {
        var images = MnistReader.ReadImages(TestData.MnistPath("t10k-images-idx3-ubyte.gz"), 100);
        var labels = MnistReader.ReadLabels(TestData.MnistPath("t10k-labels-idx1-ubyte.gz"));
        CollectionAssert.AreEqual(new[] { 100, 784 }, images.Shape);
        Assert.HasCount(10000, labels);
        Assert.IsTrue(images.Data.All(v => v is >= 0 and <= 1));
        Assert.AreEqual(1f, images.Data.Max());
        // the first test digit is a 7, the second a 2 (the well-known start of t10k)
        Assert.AreEqual(7, labels[0]);
        Assert.AreEqual(2, labels[1]);
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 10).ToArray(), labels.Distinct().ToArray());
    }

    [TestMethod]
    public void LabelsFileReadAsImages_NamesTheMagicNumber()
    {
        var e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => MnistReader.ReadImages(TestData.MnistPath("t10k-labels-idx1-ubyte.gz")));
        StringAssert.Contains(e.Message, "0x00000801");
    }
}
