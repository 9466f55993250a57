// Shows that the streaming scans keep bounded state: scans 10,000 synthetic images of a [128, 14, 14] layer
// (top-k patches, k = 16, and per-channel quantile sketches) and prints the managed heap after 1k, 5k and 10k images.
// Then times each fold per activation value against, in the same run, one plain pass over the same batch (a sum): the
// scan folds every activation of every tapped layer, so these costs decide how close it comes to a plain inference loop.
using System.Diagnostics;
using MLNet.CnnDiagnostics;
using MLNet.CnnDiagnostics.Analysis.Activations;

// usage: ActivationScanBench [images 10000] [channels 128] [height 14] [width 14] [zero fraction 0.4]
int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], System.Globalization.CultureInfo.InvariantCulture) : fallback;
int images = Arg(0, 10_000);
int Channels = Arg(1, 128), H = Arg(2, 14), W = Arg(3, 14);
double zeroFraction = args.Length > 4 ? double.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture) : 0.4;
const int Batch = 50, K = 16;
var batch = new FloatTensor(Batch, Channels, H, W);
var patches = new TopActivatingPatches(Channels, K);
var quantiles = new ActivationQuantiles(Channels);
ulong state = 0x9E3779B97F4A7C15;
var clock = Stopwatch.StartNew();
long baseline = GC.GetTotalMemory(true);
Console.WriteLine($"layer [N,{Channels},{H},{W}], {zeroFraction:P0} zeros, batch {Batch}, k {K}; managed heap before scanning: {baseline / 1024.0:F0} KiB");
for (int done = 0; done < images; done += Batch)
{
    var data = batch.Data;
    for (int i = 0; i < data.Length; i++)
    {
        // xorshift64*, then a ReLU of a heavy-tailed value, as post-activation maps look
        state ^= state >> 12; state ^= state << 25; state ^= state >> 27;
        double u = ((state * 2685821657736338717UL) >> 11) * (1.0 / (1UL << 53));
        data[i] = u < zeroFraction ? 0f : (float)(-Math.Log(1 - u) * (1 + (i / (H * W)) % 7));
    }
    patches.Add(batch, done);
    quantiles.Add(batch);
    int seen = done + Batch;
    if (seen is 1_000 or 5_000 or 10_000 || seen == images)
        Console.WriteLine($"after {seen,6} images: managed heap {GC.GetTotalMemory(true) / 1024.0,8:F0} KiB, {clock.Elapsed.TotalSeconds:F1} s, top of channel 0: {patches.Top(0)[0].Value:F3}, 99.5% of channel 0: {quantiles.Quantile(0, 0.995):F3}");
}

double Time(Action fold)
{
    // CPU time of the process (all threads), not wall time: the machines here are shared and loaded
    fold(); // warm-up
    int rounds = 0;
    var self = Process.GetCurrentProcess();
    var cpu = self.TotalProcessorTime;
    var watch = Stopwatch.StartNew();
    while (watch.ElapsedMilliseconds < 2000 || rounds < 5) { fold(); rounds++; }
    self.Refresh();
    return (self.TotalProcessorTime - cpu).TotalMilliseconds * 1e6 / ((double)rounds * batch.Length);
}
double sum = 0;
double plain = Time(() => sum += System.Numerics.Tensors.TensorPrimitives.Sum(batch.Data));
double sketches = Time(() => new ActivationQuantiles(Channels).Add(batch));
double tops = Time(() => new TopActivatingPatches(Channels, K).Add(batch, 0));
Console.WriteLine($"CPU time per activation value ({Environment.ProcessorCount} cores): plain sum {plain:F2} ns; quantile sketches {sketches:F2} ns ({sketches / plain:F1}x the sum); top-k patches {tops:F2} ns ({tops / plain:F1}x)");
