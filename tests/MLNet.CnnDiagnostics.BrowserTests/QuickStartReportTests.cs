using System.Diagnostics;
using System.Text.Json;

namespace MLNet.CnnDiagnostics.BrowserTests;

/// <summary>The main job end to end: the QuickStart sample on a reduced sample, its report checked as data and in Chromium.</summary>
[TestClass]
public sealed class QuickStartReportTests
{
    private const int ReportRows = 60;

    [TestMethod]
    [Timeout(900_000, CooperativeCancellation = true)]
    public async Task QuickStart_OnAReducedSample_WritesAHealthyReport()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"cnndiag-quickstart-{Guid.NewGuid():N}");
        string html = Path.Combine(dir, "report.html");
        try
        {
            var (exit, output) = RunQuickStart("--rows", "200", "--report-rows", ReportRows.ToString(), "--out", html);
            Assert.AreEqual(0, exit, output);
            StringAssert.Contains(output, "test accuracy:");
            StringAssert.Contains(output, html);

            using var summary = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(html, ".json")));
            var root = summary.RootElement;
            Assert.AreEqual(ReportRows, root.GetProperty("rows").GetInt32());
            Assert.IsFalse(root.TryGetProperty("skipped", out var skipped) && skipped.EnumerateObject().Any(), $"skipped sections: {skipped}");
            foreach (var section in new[] { "model", "filters", "activations", "embedding", "investigation", "decisions", "sanity" })
                Assert.IsTrue(root.GetProperty("timings").TryGetProperty(section, out _), $"section {section} is in the report");
            Assert.IsGreaterThan(0.5, root.GetProperty("classifier").GetProperty("accuracy").GetDouble(), "the head classifies its training digits far above chance");
            Assert.IsGreaterThan(0.3, root.GetProperty("embedding").GetProperty("knnAccuracy").GetDouble(), "kNN in ResNet18's feature space is well above chance (0.1)");
            Assert.AreEqual(ReportRows, root.GetProperty("tsne").GetProperty("points").GetInt32());
            Assert.IsLessThan(0.5, root.GetProperty("sanity").GetProperty("randomizationSpearman").GetDouble());

            string screenshot = Path.Combine(AppContext.BaseDirectory, "artifacts", "quickstart-report.png");
            Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
            await ReportPageChecks.AssertHealthyAsync(html, ReportRows, screenshot);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    private static (int Exit, string Output) RunQuickStart(params string[] args)
    {
        string base_ = AppContext.BaseDirectory;
        string configuration = base_.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}") ? "Debug" : "Release";
        string root = base_;
        while (!File.Exists(Path.Combine(root, "MLNet.CnnDiagnostics.sln")))
            root = Path.GetDirectoryName(root.TrimEnd(Path.DirectorySeparatorChar)) ?? throw new InvalidOperationException($"no MLNet.CnnDiagnostics.sln above {base_}");
        string dll = Directory.GetFiles(Path.Combine(root, "samples", "QuickStart", "bin", configuration), "QuickStart.dll", SearchOption.AllDirectories).Single();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(12)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("the QuickStart did not finish within 12 minutes");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
