using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Google.Protobuf;
using MLNet.CnnDiagnostics.Onnx.Proto;
using MLNet.CnnDiagnostics.Tests.Data;
using static MLNet.CnnDiagnostics.Tests.Onnx.TinyModels;

namespace MLNet.CnnDiagnostics.Cli.Tests;

/// <summary>Messy and hostile inputs as an adversarial user supplies them: link loops, broken and oversized images, hostile names, huge declared shapes.</summary>
[TestClass]
public sealed class HostileInputTests
{
    private static void AssertNoControlCharacters(CnnDiagProcess.Result r)
    {
        foreach (char c in r.Out + r.Error)
            Assert.IsFalse(char.IsControl(c) && c is not '\n' and not '\r', $"control character U+{(int)c:X4} reached the terminal:\n{r}");
    }

    /// <summary>The fixture's classes copied into a fresh folder (copies, so the tests can add hostile entries).</summary>
    private static string CopyOfImages()
    {
        string root = Path.Combine(CliFixture.NewOutputFolder(), "images");
        foreach (var (name, _) in CliFixture.Classes)
        {
            Directory.CreateDirectory(Path.Combine(root, name));
            foreach (var file in Directory.GetFiles(Path.Combine(CliFixture.Images, name)))
                File.Copy(file, Path.Combine(root, name, Path.GetFileName(file)));
        }
        return root;
    }

    [TestMethod]
    public void Report_OverLinkLoops_HiddenFoldersAndBrokenImages_AnalysesEachGoodImageOnce_AndListsTheSkips()
    {
        string images = CopyOfImages();
        File.CreateSymbolicLink(Path.Combine(images, "one", "a"), "..");
        File.CreateSymbolicLink(Path.Combine(images, "one", "b"), "..");
        File.CreateSymbolicLink(Path.Combine(images, "seven", "self"), ".");
        Directory.CreateDirectory(Path.Combine(images, ".cache"));
        File.Copy(CliFixture.Image(0, 0), Path.Combine(images, ".cache", "x.png"));
        File.WriteAllBytes(Path.Combine(images, "zero", "empty.png"), []);
        File.WriteAllBytes(Path.Combine(images, "zero", "notes.png"), HostileImages.Text);
        File.WriteAllBytes(Path.Combine(images, "zero", "bomb.png"), HostileImages.BombPng(16000, 16000));
        string dir = CliFixture.NewOutputFolder();
        string html = Path.Combine(dir, "r.html");

        var r = CnnDiagProcess.Run("report", "--model", CliFixture.Model, "--images", images, "--max-rows", "100", "--out", html);
        Assert.AreEqual(0, r.ExitCode, r.ToString());
        int good = CliFixture.Classes.Length * CliFixture.PerClass;
        StringAssert.Contains(r.Error, $"{good + 3} images in 3 classes; {good} analysed, 3 skipped (unreadable, corrupt or too large)", "each image once, however many links lead to it");
        StringAssert.Contains(r.Error, "3 directory links not followed");
        StringAssert.Contains(r.Error, "hidden sub-folders are not classes, left out: .cache");
        StringAssert.Contains(r.Error, "skipped image 'zero/empty.png': is empty (0 bytes)");
        StringAssert.Contains(r.Error, "skipped image 'zero/notes.png': is not an image");
        StringAssert.Contains(r.Error, "skipped image 'zero/bomb.png': declares 16000×16000 pixels (256 megapixels)");
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(html, ".json")));
        Assert.AreEqual(good, doc.RootElement.GetProperty("rows").GetInt32());
        var skipped = doc.RootElement.GetProperty("skippedImages").EnumerateArray()
            .ToDictionary(s => Path.GetFileName(s.GetProperty("path").GetString()!), s => s.GetProperty("reason").GetString()!);
        CollectionAssert.AreEquivalent(new[] { "empty.png", "notes.png", "bomb.png" }, skipped.Keys.ToArray());
        StringAssert.Contains(File.ReadAllText(html), "3 sampled images were skipped");

        var strict = CnnDiagProcess.Run("report", "--model", CliFixture.Model, "--images", images, "--max-rows", "100", "--strict", "--out", Path.Combine(dir, "strict.html"));
        Assert.AreEqual(1, strict.ExitCode, strict.ToString());
        StringAssert.Matches(strict.Error, new System.Text.RegularExpressions.Regex("image '.*zero/(bomb|empty|notes)\\.png'"));
        Assert.IsFalse(File.Exists(Path.Combine(dir, "strict.html")), "no report when strict mode fails");
    }

    [TestMethod]
    public void Report_OnOneClass_SaysOneClass_AndAFileGivenAsTheFolder_IsAUsageError()
    {
        string images = Path.Combine(CliFixture.NewOutputFolder(), "images");
        Directory.CreateDirectory(Path.Combine(images, "only"));
        File.Copy(CliFixture.Image(0, 0), Path.Combine(images, "only", "a.png"));
        File.Copy(CliFixture.Image(0, 1), Path.Combine(images, "only", "b.png"));
        string dir = CliFixture.NewOutputFolder();
        var r = CnnDiagProcess.Run("report", "--model", CliFixture.Model, "--images", images, "--out", Path.Combine(dir, "r.html"));
        Assert.AreEqual(0, r.ExitCode, r.ToString());
        StringAssert.Contains(r.Error, "2 images in 1 class;");

        var file = CnnDiagProcess.Run("report", "--model", CliFixture.Model, "--images", CliFixture.Image(0, 0), "--out", Path.Combine(dir, "f.html"));
        Assert.AreEqual(2, file.ExitCode, file.ToString());
        StringAssert.Contains(file.Error, "is a file; give a folder");
    }

    [TestMethod]
    public void Explain_OnABrokenOrHugeImage_FailsNamingTheFileAndTheReason()
    {
        string dir = CliFixture.NewOutputFolder();
        string empty = Path.Combine(dir, "empty.png"), bomb = Path.Combine(dir, "bomb.png");
        File.WriteAllBytes(empty, []);
        File.WriteAllBytes(bomb, HostileImages.BombPng(16000, 16000));
        foreach (var (image, reason) in new[] { (empty, "is empty (0 bytes)"), (bomb, "declares 16000×16000 pixels (256 megapixels), above the limit of 100 megapixels") })
        {
            var r = CnnDiagProcess.Run("explain", "--model", CliFixture.Model, "--image", image, "--method", "saliency", "--out", Path.Combine(dir, "m.json"));
            Assert.AreEqual(1, r.ExitCode, r.ToString());
            StringAssert.Contains(r.Error, $"image '{image}' {reason}");
        }
        var folder = CnnDiagProcess.Run("explain", "--model", CliFixture.Model, "--image", dir, "--method", "saliency", "--out", Path.Combine(dir, "m.json"));
        Assert.AreEqual(2, folder.ExitCode, folder.ToString());
        StringAssert.Contains(folder.Error, "is a folder; give one image file");
    }

    [TestMethod]
    public void Explain_NeverWritesOverItsInputImage_EvenThroughALink()
    {
        string dir = CliFixture.NewOutputFolder();
        string image = Path.Combine(dir, "digit.png");
        File.Copy(CliFixture.Image(1, 0), image);
        var before = File.ReadAllBytes(image);
        var same = CnnDiagProcess.Run("explain", "--model", CliFixture.Model, "--image", image, "--method", "saliency", "--out", image);
        Assert.AreEqual(2, same.ExitCode, same.ToString());
        StringAssert.Contains(same.Error, "never overwrites its input");

        string link = Path.Combine(dir, "link.png");
        File.CreateSymbolicLink(link, image);
        var viaLink = CnnDiagProcess.Run("explain", "--model", CliFixture.Model, "--image", image, "--method", "saliency", "--out", link);
        Assert.AreEqual(2, viaLink.ExitCode, viaLink.ToString());
        CollectionAssert.AreEqual(before, File.ReadAllBytes(image), "the input image is untouched");
    }

    /// <summary>A CNN whose node and tensor names carry terminal escape sequences (set the title, clear the screen, recolour).</summary>
    private static string HostileNamesModel()
    {
        var model = CliFixture.TinyCnn();
        var g = model.Graph;
        g.Node[0].Name = "\u001b]0;pwned\u0007conv1";
        g.Node[1].Name = "\u001b[2J\u001b[31mrelu1";
        g.Node[1].Output[0] = "r1\u001b[0m";
        g.Node[2].Input[0] = "r1\u001b[0m";
        string path = Path.Combine(CliFixture.NewOutputFolder(), "hostile-names.onnx");
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    [TestMethod]
    public void HostileNodeNames_AreEscapedInTheLayerTable_AndInSuggestions()
    {
        string model = HostileNamesModel();
        var layers = CnnDiagProcess.Run("layers", "--model", model);
        Assert.AreEqual(0, layers.ExitCode, layers.ToString());
        AssertNoControlCharacters(layers);
        StringAssert.Contains(layers.Out, "\\x1b]0;pwned\\x07conv1", "the name is shown, escaped");

        var suggestion = CnnDiagProcess.Run("explain", "--model", model, "--image", CliFixture.Image(0, 0), "--method", "gradcam", "--layer", "relu", "--out", Path.Combine(CliFixture.NewOutputFolder(), "m.json"));
        Assert.AreEqual(2, suggestion.ExitCode, suggestion.ToString());
        StringAssert.Contains(suggestion.Error, "closest:");
        StringAssert.Contains(suggestion.Error, "\\x1b[2J\\x1b[31mrelu1");
        AssertNoControlCharacters(suggestion);
    }

    /// <summary>x[N,3,side,side] → Conv → Relu, with no declared shapes for the node outputs, so listing the layers needs a dry run.</summary>
    private static string HugeInputModel(long side)
    {
        var g = new GraphProto { Name = "huge" };
        g.Input.Add(Value("x", -1, 3, side, side));
        g.Initializer.Add(FloatInit("w", [2, 3, 3, 3], Random(54, 1)));
        g.Node.Add(Node("Conv", "conv", ["x", "w"], ["c"], Ints("kernel_shape", 3, 3)));
        g.Node.Add(Node("Relu", "relu", ["c"], ["y"]));
        g.Output.Add(new ValueInfoProto { Name = "y", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1 } } });
        string path = Path.Combine(CliFixture.NewOutputFolder(), $"huge-{side}.onnx");
        File.WriteAllBytes(path, Model(g).ToByteArray());
        return path;
    }

    [TestMethod]
    public void HugeDeclaredInput_IsRefusedBeforeAnyAllocation_NamingTheShapeAndTheLimit()
    {
        foreach (long side in new long[] { 16384, 100000 })
        {
            var watch = Stopwatch.StartNew();
            var r = CnnDiagProcess.Run("layers", "--model", HugeInputModel(side));
            Assert.AreEqual(1, r.ExitCode, r.ToString());
            StringAssert.Contains(r.Error, $"input 'x' [1,3,{side},{side}]");
            StringAssert.Contains(r.Error, "16,777,216 values");
            Assert.IsFalse(r.Error.Contains("Exception"), r.ToString());
            Assert.IsLessThan(60, watch.Elapsed.TotalSeconds, "refused, not computed");
        }
    }

    [TestMethod]
    public void WeightsAsGraphInputs_AreRefusedUpFront_WithoutOnnxRuntimeLogLines()
    {
        var model = CliFixture.TinyCnn();
        var weight = model.Graph.Initializer.Single(i => i.Name == "conv1_w");
        model.Graph.Initializer.Remove(weight);
        model.Graph.Input.Add(Value("conv1_w", 8, 3, 3, 3));
        string path = Path.Combine(CliFixture.NewOutputFolder(), "weights-as-inputs.onnx");
        File.WriteAllBytes(path, model.ToByteArray());
        string dir = CliFixture.NewOutputFolder();
        var r = CnnDiagProcess.Run("report", "--model", path, "--images", CliFixture.Images, "--out", Path.Combine(dir, "r.html"));
        Assert.AreEqual(1, r.ExitCode, r.ToString());
        StringAssert.Contains(r.Error, "conv1_w[8,3,3,3]");
        StringAssert.Contains(r.Error, "export them as initializers");
        AssertNoControlCharacters(r);
        Assert.IsEmpty(Directory.GetFiles(dir), "no report of skipped sections");
    }

    [TestMethod]
    public void Tsne_ABadCellInANumericColumn_IsAnErrorNamingIt_NotALabelColumn()
    {
        string dir = CliFixture.NewOutputFolder();
        string input = Path.Combine(dir, "p.csv");
        var lines = Enumerable.Range(0, 20).Select(i => $"{i},{i * 2},{i % 3},{i * 0.5},{20 - i}").ToList();
        lines[7] = "7,14,,3.5,13";
        File.WriteAllLines(input, lines);
        var r = CnnDiagProcess.Run("tsne", "--input", input, "--out", Path.Combine(dir, "xy.csv"), "--perplexity", "3");
        Assert.AreEqual(1, r.ExitCode, r.ToString());
        StringAssert.Contains(r.Error, "line 8, column 'column 3': an empty cell is not a number");
        Assert.IsFalse(File.Exists(Path.Combine(dir, "xy.csv")));

        File.WriteAllLines(input, ["a,b,c,d,e"]);
        var header = CnnDiagProcess.Run("tsne", "--input", input, "--out", Path.Combine(dir, "xy.csv"));
        Assert.AreEqual(1, header.ExitCode, header.ToString());
        StringAssert.Contains(header.Error, "no data rows");

        File.WriteAllLines(input, ["1,2", "3,4", "5,7"]);
        var few = CnnDiagProcess.Run("tsne", "--input", input, "--out", Path.Combine(dir, "xy.csv"));
        Assert.AreEqual(2, few.ExitCode, few.ToString());
        StringAssert.Contains(few.Error, "has 3 data rows; t-SNE needs at least 5");

        var folder = CnnDiagProcess.Run("tsne", "--input", dir, "--out", Path.Combine(dir, "xy.csv"));
        Assert.AreEqual(2, folder.ExitCode, folder.ToString());
        StringAssert.Contains(folder.Error, "is a folder");
    }

    [TestMethod]
    public void NumbersOutsideTheirType_AreUsageErrorsSayingOutOfRange()
    {
        string dir = CliFixture.NewOutputFolder();
        var target = CnnDiagProcess.Run("explain", "--model", CliFixture.Model, "--image", CliFixture.Image(0, 0), "--method", "saliency", "--target", "99999999999", "--out", Path.Combine(dir, "m.json"));
        Assert.AreEqual(2, target.ExitCode, target.ToString());
        StringAssert.Contains(target.Error, "'--target 99999999999' is out of range");

        var mean = CnnDiagProcess.Run("explain", "--model", CliFixture.Model, "--image", CliFixture.Image(0, 0), "--method", "saliency", "--mean", "1e39", "--out", Path.Combine(dir, "m.json"));
        Assert.AreEqual(2, mean.ExitCode, mean.ToString());
        StringAssert.Contains(mean.Error, "'--mean 1e39' is out of range");
        Assert.IsEmpty(Directory.GetFiles(dir));
    }

    [DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);

    [TestMethod]
    public void SigtermDuringTheFinalWrite_LeavesNoTemporaryFile()
    {
        if (!OperatingSystem.IsLinux()) Assert.Inconclusive("POSIX signals");
        string dir = CliFixture.NewOutputFolder();
        string html = Path.Combine(dir, "r.html");
        using var watcher = new FileSystemWatcher(dir, "*.tmp") { EnableRaisingEvents = true };
        var start = new ProcessStartInfo(CnnDiagProcess.DotNet) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { CnnDiagProcess.ToolPath, "report", "--model", CliFixture.Model, "--images", CliFixture.Images, "--max-rows", "12", "--out", html })
            start.ArgumentList.Add(a);
        bool signalledDuringWrite = false;
        using var process = Process.Start(start)!;
        watcher.Created += (_, e) =>
        {
            if (signalledDuringWrite) return;
            signalledDuringWrite = File.Exists(e.FullPath);
            Kill(process.Id, 15);
        };
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        Assert.IsTrue(process.WaitForExit(TimeSpan.FromMinutes(3)));
        Thread.Sleep(200);
        Assert.IsEmpty(Directory.GetFiles(dir, "*.tmp", new EnumerationOptions { AttributesToSkip = 0 }), "the temporary file is removed on SIGTERM");
        if (!signalledDuringWrite) Assert.Inconclusive("the write finished before the signal arrived; nothing was tested");
    }
}
