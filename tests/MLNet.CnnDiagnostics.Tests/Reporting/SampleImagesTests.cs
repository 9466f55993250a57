using MLNet.CnnDiagnostics.Reporting;

namespace MLNet.CnnDiagnostics.Tests.Reporting;

[TestClass]
public sealed class SampleImagesTests
{
    [TestMethod]
    public void WholePixelValues_AreHeldAsBytes_AndComeBackExactly()
    {
        var images = new FloatTensor(3, 3, 4, 5);
        for (int i = 0; i < images.Length; i++) images.Data[i] = (i * 37) % 256;
        var sample = SampleImages.From(images);

        Assert.IsTrue(sample.HeldAsBytes);
        Assert.AreEqual(images.Length, sample.SizeInBytes);
        CollectionAssert.AreEqual(images.Shape, sample.Shape);
        for (int r = 0; r < 3; r++)
        {
            CollectionAssert.AreEqual(images.Slice(r).Shape, sample.Slice(r).Shape);
            CollectionAssert.AreEqual(images.Slice(r).Data, sample.Slice(r).Data);
        }
        var batch = sample.Batch([2, 0]);
        CollectionAssert.AreEqual(new[] { 2, 3, 4, 5 }, batch.Shape);
        CollectionAssert.AreEqual(FloatTensor.Stack([images.Slice(2), images.Slice(0)]).Data, batch.Data);
    }

    [TestMethod]
    [DataRow(0.5f)]
    [DataRow(256f)]
    [DataRow(-1f)]
    [DataRow(-0f)]
    [DataRow(float.NaN)]
    public void AValueThatIsNotAWholeByte_KeepsEveryRowAsFloats(float odd)
    {
        var images = new FloatTensor(3, 1, 2, 2);
        for (int i = 0; i < images.Length; i++) images.Data[i] = i;
        images.Data[9] = odd; // in the third row: the first two were already held as bytes
        var sample = SampleImages.From(images);

        Assert.IsFalse(sample.HeldAsBytes);
        for (int r = 0; r < 3; r++)
            Assert.IsTrue(images.Slice(r).Data.AsSpan().SequenceEqual(sample.Slice(r).Data), $"row {r}");
        Assert.AreEqual(BitConverter.SingleToInt32Bits(odd), BitConverter.SingleToInt32Bits(sample.Slice(2).Data[1]));
    }

    [TestMethod]
    public void ARowOutsideTheSample_IsRefused()
    {
        var sample = SampleImages.From(new FloatTensor(2, 1, 2, 2));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => sample.Slice(2));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => sample.Batch([0, -1]));
    }
}
