using System.Text;
using MLNet.CnnDiagnostics.Analysis.Activations;
using MLNet.CnnDiagnostics.Execution;
using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Scans;
using MLNet.CnnDiagnostics.Tests.Reporting;

namespace MLNet.CnnDiagnostics.Tests.Scans;

[TestClass]
public sealed class ActivationScanTests
{
    private const int Images = 240;
    private static readonly HashSet<long> Unreadable = [3, 77, 150, 151];

    private static ModelGraph Model() => ModelGraph.Load(Path.Combine(Zoo.Zoo.RepositoryRoot(), "tests", "zoo", "models", "mnist_cnn_op17.onnx"));

    private static ScanState Scan(string folder, ScanShard shard, int batch = 16, int checkpoint = 40, IProgress<ScanProgress>? progress = null, CancellationToken cancel = default, int k = 5)
    {
        using var scan = new ActivationScan(Model(), new ActivationScanOptions { K = k, BatchSize = batch, CheckpointEvery = checkpoint, Shard = shard, DecodeThreads = 2 });
        return scan.Run(new MnistScanSource(Images, Unreadable), folder, progress, cancel);
    }

    private static void AssertSameFolders(string expected, string actual, string what)
    {
        foreach (var file in ScanFolder.Files)
            CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(expected, file)), File.ReadAllBytes(Path.Combine(actual, file)), $"{what}: {file} differs");
    }

    [TestMethod]
    public void Scan_MatchesAnIndependentPerImageComputation()
    {
        string folder = TestFolders.Fresh();
        var state = Scan(folder, ScanShard.All);
        var source = new MnistScanSource(Images);
        var model = Model();
        string layer = state.Header.Layers[0], embedding = state.Header.EmbeddingTensor, logits = state.Header.LogitsTensor;
        using var exec = new OnnxExecutor(model.WithSymbolicBatch().WithOnlyOutputs([layer, embedding, logits]));
        var readable = Enumerable.Range(0, Images).Select(i => (long)i).Where(i => !Unreadable.Contains(i)).ToList();
        // one image at a time, no batching, no streaming
        var outputs = readable.Select(id => exec.Run(source.Image(id).Reshape(1, 1, 28, 28))).ToList();

        Assert.IsTrue(state.IsComplete);
        Assert.AreEqual(readable.Count, state.Rows);
        CollectionAssert.AreEqual(Unreadable.Order().ToList(), state.Skipped.Select(s => s.Id).ToList());
        var table = ScanTable.Read(folder, state);
        CollectionAssert.AreEqual(readable, table.Ids.ToList());
        int d = state.Header.EmbeddingDimension;
        for (int r = 0; r < readable.Count; r++)
        {
            var expected = outputs[r][embedding].Data;
            for (int j = 0; j < d; j++) Assert.AreEqual(expected[j], table.Embeddings.Data[r * d + j], 1e-4f * (1 + Math.Abs(expected[j])), $"embedding of image {readable[r]}[{j}]");
            var scores = outputs[r][logits].Data;
            Assert.AreEqual(Array.IndexOf(scores, scores.Max()), table.Predictions[r], $"prediction of image {readable[r]}");
        }

        var act = outputs.Select(o => o[layer]).ToList();
        int channels = act[0].Shape[1], h = act[0].Shape[2], w = act[0].Shape[3];
        var scanned = state.Layer(layer);
        foreach (int c in new[] { 0, channels / 2, channels - 1 })
        {
            var all = readable.SelectMany((id, r) => Enumerable.Range(0, h * w).Select(p => (Value: act[r].Data[c * h * w + p], Id: id, Y: p / w, X: p % w))).ToList();
            var top = all.OrderByDescending(t => t.Value).ThenBy(t => t.Id).ThenBy(t => t.Y).ThenBy(t => t.X).Take(5).ToList();
            var got = scanned.Patches.Top(c);
            for (int i = 0; i < 5; i++)
            {
                Assert.AreEqual(top[i].Id, got[i].ImageId, $"channel {c} hit {i}");
                Assert.AreEqual((top[i].Y, top[i].X), (got[i].Y, got[i].X), $"channel {c} hit {i}");
                Assert.AreEqual(top[i].Value, got[i].Value, 1e-4f * (1 + Math.Abs(top[i].Value)));
            }
            var sorted = all.Select(t => t.Value).Order().ToArray();
            float exact = sorted[(int)Math.Ceiling(0.995 * sorted.Length) - 1];
            float estimate = scanned.Quantiles.TopThresholds()[c];
            Assert.IsTrue(Math.Abs(estimate - exact) <= 0.006 * Math.Abs(exact) + 1e-4, $"channel {c}: top-0.5% threshold {estimate} vs exact {exact}");
        }
    }

    private sealed class DigitRow
    {
        public float[] Pixels { get; set; } = [];

        public string Path { get; set; } = "";
    }

    [TestMethod]
    public void DataViewSource_ScansLikeTheSameImagesInMemory_AndSkipsBadRowsWithTheirReason()
    {
        string expected = TestFolders.Fresh();
        var reference = Scan(expected, ScanShard.All);
        var memory = new MnistScanSource(Images);
        // the same digits as an ML.NET data view, keyed by the same names; the unreadable ones have a vector of the wrong length
        var rows = Enumerable.Range(0, Images).Select(i => new DigitRow
        {
            Pixels = Unreadable.Contains(i) ? new float[10] : memory.Image(i).Data.ToArray(),
            Path = memory.Key(i),
        });
        var data = new Microsoft.ML.MLContext(seed: 1).Data.LoadFromEnumerable(rows);
        using var source = new DataViewScanSource(data, nameof(DigitRow.Pixels), [1, 28, 28], nameof(DigitRow.Path));
        Assert.AreEqual(Images, source.Count);
        string folder = TestFolders.Fresh();
        using var scan = new ActivationScan(Model(), new ActivationScanOptions { K = 5, BatchSize = 16, CheckpointEvery = 40, Shard = ScanShard.All, DecodeThreads = 2 });
        var state = scan.Run(source, folder);

        foreach (var file in new[] { ScanFolder.IdsFile, ScanFolder.EmbeddingsFile, ScanFolder.PredictionsFile })
            CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(expected, file)), File.ReadAllBytes(Path.Combine(folder, file)), file);
        CollectionAssert.AreEqual(reference.Skipped.Select(s => s.Id).ToList(), state.Skipped.Select(s => s.Id).ToList());
        StringAssert.Contains(state.Skipped[0].Reason, "column 'Pixels' has 10 values");
        for (int l = 0; l < state.Layers.Count; l++)
            for (int c = 0; c < state.Layers[l].Channels; c++)
                CollectionAssert.AreEqual(reference.Layers[l].Patches.Top(c).ToList(), state.Layers[l].Patches.Top(c).ToList(), $"layer {l} channel {c}");

        var e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => new DataViewScanSource(data, "Image", [1, 28, 28]));
        StringAssert.Contains(e.Message, "no column 'Image'");
        StringAssert.Contains(e.Message, "Pixels, Path");
    }

    [TestMethod]
    [DataRow(2)]
    [DataRow(3)]
    [DataRow(5)]
    public void MergedShards_AreByteIdenticalToOnePass(int shards)
    {
        string whole = TestFolders.Fresh();
        Scan(whole, ScanShard.All);
        var parts = Enumerable.Range(0, shards).Select(i =>
        {
            string f = TestFolders.Fresh();
            var s = Scan(f, new ScanShard(i, shards), batch: 7);
            Assert.IsTrue(s.Rows > 0 && s.Rows < Images, $"shard {i}/{shards} got {s.Rows} images; a hash split of {Images} files should give each some");
            return f;
        }).ToList();
        string merged = Path.Combine(TestFolders.Fresh(), "all");
        // in steps and out of order: (last, first) then the rest
        string step = Path.Combine(TestFolders.Fresh(), "step");
        ScanMerge.Merge([parts[^1], parts[0]], step);
        ScanMerge.Merge([.. parts.Skip(1).Take(shards - 2), step], merged);
        AssertSameFolders(whole, merged, $"{shards} shards merged");
    }

    [TestMethod]
    public void InterruptedScan_ContinuesToTheSameBytes_EvenWithRowsWrittenAfterTheCheckpoint()
    {
        string whole = TestFolders.Fresh();
        Scan(whole, ScanShard.All);
        string folder = TestFolders.Fresh();
        using var cancel = new CancellationTokenSource();
        var stopper = new SyncProgress(p => { if (p.Done >= 100) cancel.Cancel(); });
        Assert.ThrowsExactly<OperationCanceledException>(() => Scan(folder, ScanShard.All, progress: stopper, cancel: cancel.Token));
        var partial = ScanFolder.Load(folder);
        Assert.IsTrue(partial.Done is > 0 and < Images, $"the interrupted scan took {partial.Done} images");
        // what a kill after the last checkpoint leaves: rows the state does not count
        foreach (var table in new[] { ScanFolder.IdsFile, ScanFolder.EmbeddingsFile, ScanFolder.PredictionsFile })
            using (var f = new FileStream(Path.Combine(folder, table), FileMode.Append)) f.Write(new byte[1000]);
        File.WriteAllText(Path.Combine(folder, ".scan.state.0123.tmp"), "half a checkpoint");
        var done = Scan(folder, ScanShard.All);
        Assert.IsTrue(done.IsComplete);
        AssertSameFolders(whole, folder, "resumed");
        Assert.IsFalse(File.Exists(Path.Combine(folder, ".scan.state.0123.tmp")));
    }

    [TestMethod]
    public void ScanFolder_WithOtherFilesOrOtherSettings_IsRefused_AndLeftAlone()
    {
        string mine = TestFolders.Fresh();
        File.WriteAllText(Path.Combine(mine, "notes.txt"), "mine");
        var e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => Scan(mine, ScanShard.All));
        StringAssert.Contains(e.Message, "notes.txt");
        Assert.AreEqual("mine", File.ReadAllText(Path.Combine(mine, "notes.txt")));

        string folder = TestFolders.Fresh();
        Scan(folder, ScanShard.All);
        var before = File.ReadAllBytes(Path.Combine(folder, ScanFolder.StateFile));
        e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => Scan(folder, ScanShard.All, k: 6));
        StringAssert.Contains(e.Message, "k = 5");
        e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => Scan(folder, new ScanShard(1, 2)));
        StringAssert.Contains(e.Message, "2 shards");
        CollectionAssert.AreEqual(before, File.ReadAllBytes(Path.Combine(folder, ScanFolder.StateFile)));
    }

    [TestMethod]
    public void Merge_RefusesOverlappingUnfinishedOrForeignScans()
    {
        string a = TestFolders.Fresh(), b = TestFolders.Fresh();
        Scan(a, new ScanShard(0, 2));
        Scan(b, new ScanShard(0, 2));
        var e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => ScanMerge.Merge([a, b], Path.Combine(TestFolders.Fresh(), "m")));
        StringAssert.Contains(e.Message, "shard 0/2 is in both");

        string other = TestFolders.Fresh();
        Scan(other, new ScanShard(1, 3));
        e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => ScanMerge.Merge([a, other], Path.Combine(TestFolders.Fresh(), "m")));
        StringAssert.Contains(e.Message, "2 shards");

        string unfinished = TestFolders.Fresh();
        using var cancel = new CancellationTokenSource();
        Assert.ThrowsExactly<OperationCanceledException>(() => Scan(unfinished, new ScanShard(1, 2), progress: new SyncProgress(_ => cancel.Cancel()), cancel: cancel.Token));
        e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => ScanMerge.Merge([a, unfinished], Path.Combine(TestFolders.Fresh(), "m")));
        StringAssert.Contains(e.Message, "unfinished");

        string full = TestFolders.Fresh();
        File.WriteAllText(Path.Combine(full, "x"), "");
        e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => ScanMerge.Merge([a], full));
        StringAssert.Contains(e.Message, "not empty");
    }

    [TestMethod]
    [DataRow("1/1")]
    [DataRow("2/2")]
    [DataRow("-1/2")]
    [DataRow("a/2")]
    [DataRow("0/0")]
    [DataRow("3")]
    [DataRow("0/2/3")]
    public void ShardText_OutsideTheValidForm_IsRefusedWithTheValidForm(string text)
    {
        var e = Assert.ThrowsExactly<FormatException>(() => ScanShard.Parse(text));
        StringAssert.Contains(e.Message, text);
        StringAssert.Contains(e.Message, "i/n");
    }

    [TestMethod]
    public void Shards_PartitionTheKeys_AndAreStableUnderAddedFiles()
    {
        var keys = Enumerable.Range(0, 1000).Select(i => $"class{i % 7}/{i}.png").ToList();
        foreach (int n in new[] { 2, 3, 8 })
        {
            var owners = keys.Select(k => Enumerable.Range(0, n).Where(i => new ScanShard(i, n).Contains(k)).ToList()).ToList();
            Assert.IsTrue(owners.All(o => o.Count == 1), "every key belongs to exactly one shard");
            var sizes = Enumerable.Range(0, n).Select(i => owners.Count(o => o[0] == i)).ToList();
            Assert.IsTrue(sizes.All(s => Math.Abs(s - 1000.0 / n) < 0.25 * 1000 / n), $"shard sizes {string.Join(",", sizes)} are far from even");
        }
        // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c (the published test vector)
        Assert.AreEqual(0xaf63dc4c8601ec8cUL, ScanShard.Hash("a"));
    }

    [TestMethod]
    public void Tables_AreNumpyVersion1Files_WithTheRowCountInTheHeader()
    {
        string folder = TestFolders.Fresh();
        var state = Scan(folder, ScanShard.All);
        var bytes = File.ReadAllBytes(Path.Combine(folder, ScanFolder.EmbeddingsFile));
        // the .npy v1.0 layout: magic, version, little-endian header length, an ASCII dict ending in \n, data aligned to 64 bytes
        CollectionAssert.AreEqual(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 }, bytes[..8]);
        int headerLength = bytes[8] | (bytes[9] << 8);
        Assert.AreEqual(0, (10 + headerLength) % 64);
        string dict = Encoding.ASCII.GetString(bytes, 10, headerLength);
        Assert.IsTrue(dict.EndsWith('\n'));
        StringAssert.StartsWith(dict, $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({state.Rows}, {state.Header.EmbeddingDimension}), }}");
        Assert.AreEqual(10 + headerLength + state.Rows * state.Header.EmbeddingDimension * 4, bytes.Length);
    }

    [TestMethod]
    public void CudaDevice_WithoutTheCudaProvider_SaysSoClearly()
    {
        if (Microsoft.ML.OnnxRuntime.OrtEnv.Instance().GetAvailableProviders().Contains("CUDAExecutionProvider"))
            Assert.Inconclusive("this ONNX Runtime build has the CUDA provider");
        var e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => new ActivationScan(Model(), new ActivationScanOptions { Execution = new ExecutionOptions { UseCuda = true } }));
        StringAssert.Contains(e.Message, "CUDA execution provider is not available");
        StringAssert.Contains(e.Message, "CPUExecutionProvider");
    }

    private sealed class SyncProgress(Action<ScanProgress> report) : IProgress<ScanProgress>
    {
        public void Report(ScanProgress value) => report(value);
    }
}
