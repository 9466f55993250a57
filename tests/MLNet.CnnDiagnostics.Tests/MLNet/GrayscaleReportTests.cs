namespace MLNet.CnnDiagnostics.Tests.MLNet;

/// <summary>The issue's small grayscale CNN through both pipelines: every section, a passing gradient check, rising class scores.</summary>
[TestClass]
public sealed class GrayscaleReportTests
{
    [TestMethod]
    [DataRow(GrayscaleReports.Path.FoldedNormalization)]
    [DataRow(GrayscaleReports.Path.ScaledPixels)]
    public void SmallGrayscaleCnn_EitherPath_PassesTheGradientCheck_AndItsClassScoresRise(GrayscaleReports.Path path)
    {
        var report = GrayscaleReports.Fit(path, html: null).Report;
        var s = report.Summary;
        Measured.Print($"{path}: gradient check {s.Sanity.GradientRelativeError:E2} ({(s.Sanity.GradientPassed == true ? "pass" : "fail")}), ρ {s.Sanity.RandomizationSpearman:F3}; class scores {string.Join(", ", s.ClassVisualizations.Select(c => $"{c.Class}: {c.ScoreStart:F2} → {c.ScoreEnd:F2}"))}");
        Assert.AreEqual(0, s.Skipped.Count, string.Join(" | ", s.Skipped.Select(p => $"{p.Key}: {p.Value}")));
        Assert.IsTrue(s.Sanity.GradientPassed);
        Assert.IsLessThanOrEqualTo(1e-3, s.Sanity.GradientRelativeError!.Value);
        Assert.HasCount(3, s.ClassVisualizations);
        foreach (var c in s.ClassVisualizations)
            Assert.IsGreaterThan(c.ScoreStart + 1, c.ScoreEnd, $"class {c.Class}: the ascent raises the score (random weights bound it; see ClassVisualizerTests)");
    }
}
