using MLNet.CnnDiagnostics.Reporting;

namespace MLNet.CnnDiagnostics.Tests.Reporting;

[TestClass]
public sealed class AtomicReportWriteTests
{
    [TestMethod]
    public void FailureHalfWayKeepsThePreviousReportAndLeavesNoTemporaryFile()
    {
        string dir = TestFolders.Fresh();
        string path = Path.Combine(dir, "report.html");
        HtmlReportWriter.Write(SyntheticReport.Build(scatterPoints: 50), path);
        byte[] before = File.ReadAllBytes(path);

        // the last section's figure is not a PNG: the writer fails after most of the page is written
        var broken = SyntheticReport.Build(scatterPoints: 50);
        broken.Sections[^1].Blocks.Add(new FigureBlock([1, 2, 3, 4], "corrupt"));
        var e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => HtmlReportWriter.Write(broken, path));
        StringAssert.Contains(e.Message, "figure 'corrupt' in section 'sanity'");

        CollectionAssert.AreEqual(before, File.ReadAllBytes(path));
        CollectionAssert.AreEqual(new[] { "report.html" }, Directory.GetFiles(dir).Select(Path.GetFileName).ToArray());
        Directory.Delete(dir, true);
    }

    [TestMethod]
    public void SecondWriteReplacesTheFirstWhole()
    {
        string dir = TestFolders.Fresh();
        string path = Path.Combine(dir, "report.html");
        File.WriteAllText(path, new string('x', 5_000_000));
        var report = new DiagnosticReport { Title = "small" };
        report.Sections.Add(new ReportSection("model", "Model"));
        HtmlReportWriter.Write(report, path);
        string html = File.ReadAllText(path);
        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.EndsWith("</html>\n", html);
        Assert.DoesNotContain("xxxx", html);
        Assert.HasCount(1, Directory.GetFiles(dir));
        Directory.Delete(dir, true);
    }

    [TestMethod]
    public void MissingFoldersAreCreated()
    {
        string dir = TestFolders.Fresh();
        string path = Path.Combine(dir, "a", "b", "report.html");
        string jsonPath = HtmlReportWriter.WriteWithSummary(SyntheticReport.Build(scatterPoints: 20), path);
        Assert.IsTrue(File.Exists(path));
        Assert.AreEqual(Path.Combine(dir, "a", "b", "report.json"), jsonPath);
        Assert.IsTrue(File.Exists(jsonPath));
        Assert.HasCount(2, Directory.GetFiles(Path.Combine(dir, "a", "b")));
        Directory.Delete(dir, true);
    }

    [TestMethod]
    public void FolderThatIsAFileGivesAnErrorNamingThePathAndWritesNothing()
    {
        string dir = TestFolders.Fresh();
        string blocker = Path.Combine(dir, "not-a-folder");
        File.WriteAllText(blocker, "I am a file");
        string path = Path.Combine(blocker, "report.html");
        var e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => HtmlReportWriter.Write(SyntheticReport.Build(scatterPoints: 10), path));
        StringAssert.Contains(e.Message, path);
        e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => JsonSummaryWriter.Write(new ReportSummary(), Path.Combine(blocker, "report.json")));
        StringAssert.Contains(e.Message, blocker);
        Assert.AreEqual("I am a file", File.ReadAllText(blocker));
        Assert.HasCount(1, Directory.GetFileSystemEntries(dir));
        Directory.Delete(dir, true);
    }

    [TestMethod]
    public void PathThatIsAFolderGivesAnErrorNamingIt()
    {
        string dir = TestFolders.Fresh();
        var e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => HtmlReportWriter.Write(new DiagnosticReport(), dir));
        StringAssert.Contains(e.Message, dir);
        StringAssert.Contains(e.Message, "is a folder");
        Assert.IsEmpty(Directory.GetFileSystemEntries(dir));
        Directory.Delete(dir, true);
    }
}
