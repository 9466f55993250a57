using MLNet.CnnDiagnostics.Analysis.Activations;

namespace MLNet.CnnDiagnostics.Tests.Analysis;

[TestClass]
public sealed class TopActivatingPatchesTests
{
    private const int Channels = 5, H = 4, W = 3;

    /// <summary>Images [C,H,W] whose values come from a set of 7 levels, so ties are everywhere.</summary>
    private static float[][] Dataset(int images, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, images)
            .Select(_ => Enumerable.Range(0, Channels * H * W).Select(_ => (float)(rng.Next(7) - 2) * 0.5f).ToArray())
            .ToArray();
    }

    private static void Scan(TopActivatingPatches scan, float[][] images, long[] ids, int batch)
    {
        for (int start = 0; start < images.Length; start += batch)
        {
            int n = Math.Min(batch, images.Length - start);
            var t = new FloatTensor([n, Channels, H, W], images.Skip(start).Take(n).SelectMany(x => x).ToArray());
            scan.Add(t, ids.Skip(start).Take(n).ToArray());
        }
    }

    /// <summary>Every (value, image, y, x) of a channel sorted by value descending, then id, row, column ascending.</summary>
    private static List<ActivationHit> BruteForce(float[][] images, long[] ids, int channel, int k) =>
        images.SelectMany((img, i) => Enumerable.Range(0, H * W).Select(p => new ActivationHit(img[channel * H * W + p], ids[i], p / W, p % W)))
            .OrderByDescending(h => h.Value).ThenBy(h => h.ImageId).ThenBy(h => h.Y).ThenBy(h => h.X)
            .Take(k).ToList();

    [TestMethod]
    public void StreamingTopK_EqualsBruteForceSort_WithTies()
    {
        var images = Dataset(40, seed: 1);
        var ids = Enumerable.Range(0, images.Length).Select(i => (long)(1000 - 7 * i)).ToArray(); // ids not in scan order
        foreach (int k in new[] { 1, 6, 25, 40 * H * W + 3 })
            foreach (int batch in new[] { 1, 7, 40 })
            {
                var scan = new TopActivatingPatches(Channels, k);
                Scan(scan, images, ids, batch);
                for (int c = 0; c < Channels; c++)
                    CollectionAssert.AreEqual(BruteForce(images, ids, c, k), scan.Top(c).ToList(), $"k={k} batch={batch} channel={c}");
            }
    }

    [TestMethod]
    public void Merge_OfTwoShards_EqualsTheScanOfTheUnion()
    {
        var images = Dataset(60, seed: 2);
        var ids = Enumerable.Range(0, images.Length).Select(i => (long)i * 3 + 5).ToArray();
        var inA = Enumerable.Range(0, images.Length).Select(i => i % 3 != 1).ToArray(); // interleaved shards
        var whole = new TopActivatingPatches(Channels, 9);
        Scan(whole, images, ids, 11);
        var a = new TopActivatingPatches(Channels, 9);
        var b = new TopActivatingPatches(Channels, 9);
        Scan(a, images.Where((_, i) => inA[i]).ToArray(), ids.Where((_, i) => inA[i]).ToArray(), 4);
        Scan(b, images.Where((_, i) => !inA[i]).ToArray(), ids.Where((_, i) => !inA[i]).ToArray(), 13);

        // Through the byte state too, as a second process would hand it over.
        using var bytes = new MemoryStream();
        b.WriteTo(bytes);
        bytes.Position = 0;
        a.Merge(TopActivatingPatches.ReadFrom(bytes));

        Assert.AreEqual(whole.ImageCount, a.ImageCount);
        for (int c = 0; c < Channels; c++)
            CollectionAssert.AreEqual(whole.Top(c).ToList(), a.Top(c).ToList(), $"channel {c}");
    }

    [TestMethod]
    public void BadInput_HasClearMessages()
    {
        var e1 = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new TopActivatingPatches(4, 0));
        StringAssert.Contains(e1.Message, "k is 0");
        var scan = new TopActivatingPatches(4, 3);
        var e2 = Assert.ThrowsExactly<CnnDiagnosticsException>(() => scan.Top(0));
        StringAssert.Contains(e2.Message, "empty dataset");
        var e3 = Assert.ThrowsExactly<CnnDiagnosticsException>(() => scan.Add(new FloatTensor(2, 4), 0));
        StringAssert.Contains(e3.Message, "spatial dimensions");
        var e4 = Assert.ThrowsExactly<CnnDiagnosticsException>(() => scan.Add(new FloatTensor(2, 5, 3, 3), 0));
        StringAssert.Contains(e4.Message, "4 channels");
        var nan = new FloatTensor(1, 4, 2, 2);
        nan[0, 2, 1, 0] = float.NaN;
        var e5 = Assert.ThrowsExactly<CnnDiagnosticsException>(() => scan.Add(nan, 0));
        StringAssert.Contains(e5.Message, "NaN in channel 2");
        Assert.ThrowsExactly<ArgumentException>(() => scan.Merge(new TopActivatingPatches(4, 5)));
        Assert.ThrowsExactly<CnnDiagnosticsException>(() => TopActivatingPatches.ReadFrom(new MemoryStream([1, 0, 0, 0])));
    }

    [TestMethod]
    public void WrittenState_DependsOnlyOnTheKeptHits_NotOnTheOrderTheyArrived()
    {
        var images = Dataset(30, seed: 5);
        var ids = Enumerable.Range(0, images.Length).Select(i => (long)i).ToArray();
        var forward = new TopActivatingPatches(Channels, 8);
        Scan(forward, images, ids, batch: 4);
        var backward = new TopActivatingPatches(Channels, 8);
        Scan(backward, images.Reverse().ToArray(), ids.Reverse().ToArray(), batch: 3);
        using var a = new MemoryStream();
        using var b = new MemoryStream();
        forward.WriteTo(a);
        backward.WriteTo(b);
        CollectionAssert.AreEqual(a.ToArray(), b.ToArray());
        // and the bytes list each channel's hits best first, as the brute-force sort ranks them
        b.Position = 0;
        var read = TopActivatingPatches.ReadFrom(b);
        for (int c = 0; c < Channels; c++) CollectionAssert.AreEqual(BruteForce(images, ids, c, 8), read.Top(c).ToList());
        using var reader = new BinaryReader(new MemoryStream(a.ToArray()));
        reader.ReadBytes(4 + 4 + 8 + 4); // channels, k, image count, hits of channel 0
        var first = new ActivationHit(reader.ReadSingle(), reader.ReadInt64(), reader.ReadInt32(), reader.ReadInt32());
        Assert.AreEqual(BruteForce(images, ids, 0, 1)[0], first);
    }
}
