using MLNet.CnnDiagnostics;

namespace MLNet.CnnDiagnostics.Tests;

[TestClass]
public sealed class FloatTensorTests
{
    [TestMethod]
    public void Offset_IsRowMajor()
    {
        var t = new FloatTensor(2, 3, 4);
        Assert.AreEqual(1 * 12 + 2 * 4 + 3, t.Offset(1, 2, 3));
    }

    [TestMethod]
    public void Stack_ThenSlice_ReturnsTheOriginalItem()
    {
        var a = new FloatTensor([1, 2], [1f, 2f]);
        var b = new FloatTensor([1, 2], [3f, 4f]);
        var s = FloatTensor.Stack([a, b]);
        CollectionAssert.AreEqual(new[] { 2, 2 }, s.Shape);
        CollectionAssert.AreEqual(b.Data, s.Slice(1).Data);
    }

    [TestMethod]
    public void ClosestNames_ListsNearMisses()
    {
        var found = ClosestNames.Find("conv9", ["conv1", "conv2", "relu1", "Gemm"], 2);
        CollectionAssert.AreEqual(new[] { "conv1", "conv2" }, found.ToArray());
    }
}
