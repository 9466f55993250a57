using MLNet.CnnDiagnostics.Reporting;
using MLNet.CnnDiagnostics.Rendering;

namespace MLNet.CnnDiagnostics.Tests.Reporting;

[TestClass]
public sealed class ReportImageTests
{
    [TestMethod]
    public void SizeIsReadFromThePngHeader()
    {
        Assert.AreEqual((37, 11), ReportImage.Size(new RgbImage(37, 11).EncodePng()));
        Assert.IsNull(ReportImage.Size([1, 2, 3]));
        Assert.IsNull(ReportImage.Size(null));
    }

    [TestMethod]
    public void ShrinkKeepsSmallImagesAndAspectAndColoursOfLargeOnes()
    {
        byte[] small = new RgbImage(28, 28, new RgbColor(10, 20, 30)).EncodePng();
        Assert.AreSame(small, ReportImage.Shrink(small, 48));

        // left half red, right half blue: the shrunk image keeps the halves (away from the seam)
        var big = new RgbImage(224, 112);
        big.FillRectangle(0, 0, 112, 112, new RgbColor(200, 0, 0));
        big.FillRectangle(112, 0, 112, 112, new RgbColor(0, 0, 200));
        var shrunk = RgbImage.DecodePng(ReportImage.Shrink(big.EncodePng(), 48));
        Assert.AreEqual(48, shrunk.Width);
        Assert.AreEqual(24, shrunk.Height);
        Assert.AreEqual(new RgbColor(200, 0, 0), shrunk.GetPixel(5, 12));
        Assert.AreEqual(new RgbColor(0, 0, 200), shrunk.GetPixel(42, 12));
    }
}
