using System.Text.Json;
using Google.Protobuf;
using MLNet.CnnDiagnostics.Onnx.Proto;

namespace MLNet.CnnDiagnostics.Cli.Tests;

/// <summary>
/// <c>cnndiag report --strict</c> on every architecture of the test zoo (tests/zoo): a complete report (no section or
/// part skipped), the layer choices written down with their reasons, and exit code 0; a skipped part is named on stderr.
/// </summary>
[TestClass]
public sealed class ZooReportTests
{
    private static string ZooFolder
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "MLNet.CnnDiagnostics.sln"))) return Path.Combine(dir.FullName, "tests", "zoo", "models");
            throw new DirectoryNotFoundException("the repository root is not above the test's folder.");
        }
    }

    /// <summary>Every zoo model at opset 17, and the opset-11 exports of the architectures whose ops differ most between opsets.</summary>
    public static IEnumerable<object[]> Models =>
        Directory.GetFiles(ZooFolder, "*.onnx").Select(Path.GetFileName).Order(StringComparer.Ordinal)
            .Where(f => f!.EndsWith("_op17.onnx", StringComparison.Ordinal) || f.StartsWith("convnext", StringComparison.Ordinal) || f.StartsWith("shufflenet", StringComparison.Ordinal) || f.StartsWith("mobilenet_v3", StringComparison.Ordinal))
            .Select(f => new object[] { f! });

    [TestMethod]
    [DynamicData(nameof(Models))]
    public void Report_IsCompleteOnEveryArchitecture(string file)
    {
        string dir = CliFixture.NewOutputFolder();
        string html = Path.Combine(dir, Path.GetFileNameWithoutExtension(file) + ".html");
        string[] preprocessing = file.StartsWith("mnist_cnn", StringComparison.Ordinal)
            ? ["--grayscale", "--mean", "0.5", "--std", "0.5"]
            : ["--mean", "0.485", "0.456", "0.406", "--std", "0.229", "0.224", "0.225"];
        var r = CnnDiagProcess.Run(["report", "--model", Path.Combine(ZooFolder, file), "--images", CliFixture.Images, .. preprocessing,
            "--max-rows", "18", "--strict", "--out", html]);
        Assert.AreEqual(0, r.ExitCode, r.ToString());
        Assert.IsFalse(r.Error.Contains("skipped", StringComparison.Ordinal), r.ToString());
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(html, ".json")));
        var root = doc.RootElement;
        Assert.IsFalse(root.TryGetProperty("skipped", out var skipped) && skipped.EnumerateObject().Any(), $"{file}: {skipped}");
        Assert.IsGreaterThan(0, root.GetProperty("attributions").GetArrayLength(), file);
        string page = File.ReadAllText(html);
        StringAssert.Contains(page, "Layer choices", $"{file}: the report says which layer each part used and why");
    }

    [TestMethod]
    public void Strict_ExitsWithOne_AndNamesEverySkippedPart()
    {
        // the tiny CNN without its classifier: a featurizer, so the decision and class parts cannot run
        var model = CliFixture.TinyCnn();
        var g = model.Graph;
        g.Node.Remove(g.Node.Single(n => n.Name == "fc"));
        g.Output.Clear();
        g.Output.Add(new ValueInfoProto { Name = "features" });
        string dir = CliFixture.NewOutputFolder();
        string path = Path.Combine(dir, "featurizer.onnx");
        File.WriteAllBytes(path, model.ToByteArray());
        string html = Path.Combine(dir, "featurizer.html");
        var loose = CnnDiagProcess.Run("report", "--model", path, "--images", CliFixture.Images, "--max-rows", "6", "--out", html);
        Assert.AreEqual(0, loose.ExitCode, loose.ToString());
        StringAssert.Contains(loose.Error, "skipped decisions", loose.ToString());
        var strict = CnnDiagProcess.Run("report", "--model", path, "--images", CliFixture.Images, "--max-rows", "6", "--strict", "--out", html);
        Assert.AreEqual(1, strict.ExitCode, strict.ToString());
        StringAssert.Contains(strict.Error, "--strict");
        Assert.IsTrue(File.Exists(html), "the report is still written");
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(html, ".json")));
        var skipped = doc.RootElement.GetProperty("skipped").EnumerateObject().Select(p => p.Name).ToList();
        foreach (var part in skipped) StringAssert.Contains(strict.Error, $"skipped {part}:");
    }
}
