using System.Diagnostics;
using MLNet.CnnDiagnostics.Scans;
using MLNet.CnnDiagnostics.Tests.Onnx;

namespace MLNet.CnnDiagnostics.Cli.Tests;

/// <summary>
/// <c>cnndiag scan</c> and <c>cnndiag merge</c> as separate processes: shards run side by side and merge to the bytes of one
/// pass, a SIGKILLed scan continues to the same bytes, and bad arguments get messages that name them.
/// </summary>
[TestClass]
public sealed class ScanTests
{
    private const int Digits = 360;

    private static readonly Lazy<string> DigitFolder = new(() =>
    {
        // Digits MNIST test digits as 32×32 PNGs in one folder per digit
        string root = Path.Combine(CliFixture.Root, "digits");
        var labels = MnistLabels.All;
        for (int i = 0; i < Digits; i++)
        {
            string dir = Path.Combine(root, labels[i].ToString());
            Directory.CreateDirectory(dir);
            File.WriteAllBytes(Path.Combine(dir, $"{i:D4}.png"), CliFixture.Digit(i).EncodePng());
        }
        return root;
    });

    private static readonly Lazy<string> OnePass = new(() => Scan(Path.Combine(CliFixture.NewOutputFolder(), "whole")));

    private static string[] ScanArgs(string output, params string[] extra) =>
        ["scan", "--model", CliFixture.Model, "--images", DigitFolder.Value, "--out", output, "--k", "4", "--quiet", .. extra];

    private static string Scan(string output, params string[] extra)
    {
        var result = CnnDiagProcess.Run(ScanArgs(output, extra));
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        return output;
    }

    private static void AssertSameFolders(string expected, string actual, string what)
    {
        foreach (var file in ScanFolder.Files)
            CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(expected, file)), File.ReadAllBytes(Path.Combine(actual, file)), $"{what}: {file} differs");
    }

    [TestMethod]
    [DataRow(2)]
    [DataRow(4)]
    public void ShardsRunAsParallelProcesses_MergeToTheBytesOfOnePass(int shards)
    {
        string work = CliFixture.NewOutputFolder();
        var processes = Enumerable.Range(0, shards).Select(i => Task.Run(() => CnnDiagProcess.Run(ScanArgs(Path.Combine(work, $"s{i}"), "--shard", $"{i}/{shards}", "--batch", "5")))).ToArray();
        foreach (var p in processes) Assert.AreEqual(0, p.Result.ExitCode, p.Result.ToString());
        var rows = Enumerable.Range(0, shards).Select(i => ScanFolder.Load(Path.Combine(work, $"s{i}")).Rows).ToList();
        Assert.AreEqual(Digits, rows.Sum());
        Assert.IsTrue(rows.All(r => r > 0), $"shard sizes {string.Join(",", rows)}");
        string merged = Path.Combine(work, "all");
        // the folders as bare arguments (cnndiag merge s1 s0 --out all) or after --scans: the same list
        string[] folders = [.. Enumerable.Range(0, shards).Reverse().Select(i => Path.Combine(work, $"s{i}"))];
        var merge = CnnDiagProcess.Run(shards == 2 ? ["merge", .. folders, "--out", merged] : ["merge", "--scans", .. folders, "--out", merged]);
        Assert.AreEqual(0, merge.ExitCode, merge.ToString());
        AssertSameFolders(OnePass.Value, merged, $"{shards} shards");
    }

    [TestMethod]
    public void SigkilledScan_RunAgain_EndsIdenticalToAnUninterruptedOne()
    {
        string output = Path.Combine(CliFixture.NewOutputFolder(), "killed");
        string state = Path.Combine(output, ScanFolder.StateFile);
        using (var process = CnnDiagProcess.Start(ScanArgs(output, "--batch", "2", "--checkpoint-every", "4")))
        {
            var clock = Stopwatch.StartNew();
            long done = 0;
            while (!process.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2))
            {
                if (File.Exists(state))
                {
                    try { done = ScanFolder.Load(output).Done; }
                    catch (IOException) { /* replaced while read */ }
                    if (done >= 40) break;
                }
                Thread.Sleep(5);
            }
            if (process.HasExited) Assert.Inconclusive($"the scan finished (exit {process.ExitCode}) before it could be killed");
            process.Kill(); // SIGKILL: no handler runs
            process.WaitForExit();
        }
        var partial = ScanFolder.Load(output);
        Assert.IsTrue(partial.Done is >= 40 and < Digits, $"killed after {partial.Done} images");
        var again = CnnDiagProcess.Run(ScanArgs(output, "--batch", "2", "--checkpoint-every", "4"));
        Assert.AreEqual(0, again.ExitCode, again.ToString());
        AssertSameFolders(OnePass.Value, output, "killed and resumed");
    }

    [TestMethod]
    [DataRow("--shard", "2/2", "'--shard 2/2'")]
    [DataRow("--shard", "one", "i/n")]
    [DataRow("--batch", "0", "'--batch 0' is out of range")]
    [DataRow("--device", "gpu", "choose one of: cpu, cuda")]
    public void BadOption_IsAUsageError_NamingTheValue(string option, string value, string expected)
    {
        var result = CnnDiagProcess.Run(ScanArgs(Path.Combine(CliFixture.NewOutputFolder(), "x"), option, value));
        Assert.AreEqual(2, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Error, expected);
    }

    [TestMethod]
    public void CudaWithoutTheCudaProvider_FailsWithAClearMessage()
    {
        var result = CnnDiagProcess.Run(ScanArgs(Path.Combine(CliFixture.NewOutputFolder(), "x"), "--device", "cuda"));
        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Error, "CUDA execution provider is not available");
    }

    [TestMethod]
    public void OutFolderWithOtherFiles_IsRefused_AndLeftUntouched()
    {
        string output = CliFixture.NewOutputFolder();
        File.WriteAllText(Path.Combine(output, "keep.txt"), "mine");
        var result = CnnDiagProcess.Run(ScanArgs(output));
        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Error, "keep.txt");
        CollectionAssert.AreEqual(new[] { "keep.txt" }, Directory.GetFileSystemEntries(output).Select(Path.GetFileName).ToArray());

        string notScan = CliFixture.NewOutputFolder();
        var merge = CnnDiagProcess.Run("merge", "--scans", OnePass.Value, notScan, "--out", Path.Combine(CliFixture.NewOutputFolder(), "m"));
        Assert.AreEqual(1, merge.ExitCode, merge.ToString());
        StringAssert.Contains(merge.Error, "holds no scan");
    }

    [TestMethod]
    public void ReportFromAScan_MapsEveryImage_AndRefusesAScanOfAnotherFolder()
    {
        string html = Path.Combine(CliFixture.NewOutputFolder(), "scan-report.html");
        var result = CnnDiagProcess.Run("report", "--model", CliFixture.Model, "--images", DigitFolder.Value, "--scan", OnePass.Value, "--max-rows", "40", "--out", html, "--quiet");
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        using var summary = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(html, ".json")));
        var root = summary.RootElement;
        // the sample is 40 rows, but the map and the patches cover all scanned digits
        Assert.AreEqual(Digits, root.GetProperty("tsne").GetProperty("points").GetInt32());
        Assert.AreEqual(ScanFolder.Load(OnePass.Value).Header.Layers[0], root.GetProperty("topPatches")[0].GetProperty("layer").GetString());
        StringAssert.Contains(File.ReadAllText(html), $"over all {Digits} scanned images");

        var other = CnnDiagProcess.Run("report", "--model", CliFixture.Model, "--images", CliFixture.Images, "--scan", OnePass.Value, "--out", Path.Combine(CliFixture.NewOutputFolder(), "r.html"));
        Assert.AreEqual(1, other.ExitCode, other.ToString());
        StringAssert.Contains(other.Error, "another image folder");
    }
}
