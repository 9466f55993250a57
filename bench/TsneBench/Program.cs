// t-SNE benchmark on MNIST's 10,000 test digits (pixels/255, PCA-50), and on 70,000 jittered copies.
// usage: dotnet run -c Release -- [--points 10000|70000] [--threads N] [--csv DIR] [--method auto|bh|fft] [--compare-bh] [--score-all]
// Prints time and quality, and the ratio to the reference times measured on this kind of machine (issue 4):
// scikit-learn 1.2 Barnes-Hut 21.6 s, FIt-SNE 1.2.1 11.5 s (10k); FIt-SNE 45 s (70k).
using System.Diagnostics;
using System.Globalization;
using MLNet.CnnDiagnostics;
using MLNet.CnnDiagnostics.Analysis;
using MLNet.CnnDiagnostics.Data;

string Arg(string name, string fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

int points = int.Parse(Arg("--points", "10000"), CultureInfo.InvariantCulture);
int threads = int.Parse(Arg("--threads", "-1"), CultureInfo.InvariantCulture);
string? csv = Arg("--csv", "") is { Length: > 0 } dir ? dir : null;
var method = Arg("--method", "auto") switch { "bh" => TsneGradientMethod.BarnesHut, "fft" => TsneGradientMethod.Interpolation, _ => TsneGradientMethod.Auto };
string root = FindRoot();
Console.WriteLine($"cores {Environment.ProcessorCount}, threads {(threads < 0 ? "all" : threads)}, load {Load()}");

var images = MnistReader.ReadImages(Path.Combine(root, "data/mnist/t10k-images-idx3-ubyte.gz"));
var labels = MnistReader.ReadLabels(Path.Combine(root, "data/mnist/t10k-labels-idx1-ubyte.gz"));
if (points > 10_000) (images, labels) = Jitter(images, labels, (points + 9_999) / 10_000);
if (points < 10_000) (images, labels) = (new FloatTensor([points, images.Shape[1]], images.Data[..(points * images.Shape[1])]), labels[..points]);
var clock = Stopwatch.StartNew();
var pca = PrincipalComponents.Fit(images, 50, threads);
var x = pca.Project(images);
Console.WriteLine($"PCA-50 of {x.Shape[0]}×{images.Shape[1]}: {clock.Elapsed.TotalSeconds:F2} s (not counted below)");

if (args.Contains("--recall"))
{
    // approximate vs exact 90-NN (t-SNE's k at perplexity 30) on these points: recall and time, same run
    var sw = Stopwatch.StartNew();
    var exactGraph = NearestNeighbors.Exact(x, 90, DistanceMetric.Euclidean, threads);
    double exactSeconds = sw.Elapsed.TotalSeconds;
    sw.Restart();
    var approxGraph = NearestNeighbors.Approximate(x, 90, DistanceMetric.Euclidean, 0, threads);
    double approxSeconds = sw.Elapsed.TotalSeconds;
    Console.WriteLine($"90-NN of {x.Shape[0]}: exact {exactSeconds:F2} s, approximate {approxSeconds:F2} s (×{exactSeconds / approxSeconds:F1}), recall {NeighborhoodPreservation.Compare(exactGraph, approxGraph):F4}");
    return;
}

var options = new TsneOptions { MaxThreads = threads, GradientMethod = method, ReportEvery = int.Parse(Arg("--report", "250"), CultureInfo.InvariantCulture) };
var tsne = new Tsne(options);
clock.Restart();
var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
var embedding = tsne.Fit(x, new SyncProgress(p => Console.WriteLine($"  {p.Phase,-18} {p.Iteration,4}/{p.Iterations,-4} KL {p.KlDivergence,8:F4}  {p.Elapsed.TotalSeconds,6:F2} s")));
double seconds = clock.Elapsed.TotalSeconds;
double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
var y = embedding.Coordinates;
Console.WriteLine($"t-SNE of {x.Shape[0]} points: {seconds:F2} s wall, {cpu:F2} s CPU ({(embedding.UsedInterpolation ? "FFT interpolation" : "Barnes-Hut")}), load now {Load()}");
if (points == 10_000)
    Console.WriteLine($"  vs references here: scikit-learn BH 21.6 s → ×{21.6 / seconds:F1} faster; FIt-SNE 11.5 s → ×{11.5 / seconds:F1}; target 4.3 s");
else if (points > 10_000)
    Console.WriteLine($"  vs references here: FIt-SNE 45 s → ×{45 / seconds:F1} faster; openTSNE 60 s → ×{60 / seconds:F1}");

// quality: on all points up to 10k, on a fixed 10k sample above (trustworthiness is O(N²·D))
bool scoreAll = args.Contains("--score-all");
var (xs, ys, ls) = points <= 10_000 || scoreAll ? (x, y, labels) : Sample(x, y, labels, 10_000);
clock.Restart();
double trust = Trustworthiness.Compute(xs, ys, 10, threads);
double keep = NeighborhoodPreservation.Compute(xs, ys, 10, threads);
double acc = KnnAccuracy.LeaveOneOut(ys, ls, 10, DistanceMetric.Euclidean, threads);
Console.WriteLine($"quality{(points > 10_000 && !scoreAll ? " (10k sample)" : "")}: trustworthiness(10) {trust:F4}, 10-NN preservation {keep:F4}, 2-D 10-NN accuracy {acc:F4}  [{clock.Elapsed.TotalSeconds:F1} s]");
Console.WriteLine($"  targets: trustworthiness ≥ 0.985, 2-D kNN accuracy ≥ 0.94 (scikit-learn here: 0.991 / 0.951)");

if (args.Contains("--compare-bh") && embedding.UsedInterpolation)
{
    clock.Restart();
    var bh = new Tsne(options with { GradientMethod = TsneGradientMethod.BarnesHut }).Fit(x);
    double bhSeconds = clock.Elapsed.TotalSeconds;
    Console.WriteLine($"Barnes-Hut same run: {bhSeconds:F2} s → interpolation ×{bhSeconds / seconds:F2} faster; 2-D kNN acc {KnnAccuracy.LeaveOneOut(bh.Coordinates, labels, 10):F4}");
}

if (csv is not null)
{
    Directory.CreateDirectory(csv);
    Write(Path.Combine(csv, "points.csv"), xs);
    Write(Path.Combine(csv, "embedding.csv"), ys);
    File.WriteAllLines(Path.Combine(csv, "labels.csv"), ls.Select(l => l.ToString(CultureInfo.InvariantCulture)));
    Console.WriteLine($"wrote {csv}/points.csv, embedding.csv, labels.csv");
}

static void Write(string path, FloatTensor t)
{
    int d = t.Shape[1];
    using var w = new StreamWriter(path);
    for (int i = 0; i < t.Shape[0]; i++)
        w.WriteLine(string.Join(",", Enumerable.Range(0, d).Select(c => t.Data[i * d + c].ToString("R", CultureInfo.InvariantCulture))));
}

static (FloatTensor, int[]) Jitter(FloatTensor images, int[] labels, int copies)
{
    int n = images.Shape[0], size = images.Shape[1], side = (int)Math.Sqrt(size);
    var data = new float[n * copies * size];
    var outLabels = new int[n * copies];
    var rng = new Random(7);
    for (int c = 0; c < copies; c++)
        for (int i = 0; i < n; i++)
        {
            int dx = c == 0 ? 0 : rng.Next(-1, 2), dy = c == 0 ? 0 : rng.Next(-1, 2);
            int dst = (c * n + i) * size;
            for (int r = 0; r < side; r++)
                for (int q = 0; q < side; q++)
                {
                    int sr = r - dy, sq = q - dx;
                    float v = sr >= 0 && sr < side && sq >= 0 && sq < side ? images.Data[i * size + sr * side + sq] : 0;
                    if (c > 0) v = Math.Clamp(v + (float)(0.05 * (rng.NextDouble() - 0.5)), 0, 1);
                    data[dst + r * side + q] = v;
                }
            outLabels[c * n + i] = labels[i];
        }
    return (new FloatTensor([n * copies, size], data), outLabels);
}

static (FloatTensor, FloatTensor, int[]) Sample(FloatTensor x, FloatTensor y, int[] labels, int count)
{
    int n = x.Shape[0], d = x.Shape[1];
    var pick = Enumerable.Range(0, n).OrderBy(i => (i * 2654435761L) % 1_000_003).Take(count).Order().ToArray();
    var xs = new float[count * d]; var ys = new float[count * 2]; var ls = new int[count];
    for (int a = 0; a < count; a++)
    {
        Array.Copy(x.Data, pick[a] * d, xs, a * d, d);
        Array.Copy(y.Data, pick[a] * 2, ys, a * 2, 2);
        ls[a] = labels[pick[a]];
    }
    return (new FloatTensor([count, d], xs), new FloatTensor([count, 2], ys), ls);
}

static string FindRoot()
{
    var dir = File.Exists("data/mnist/t10k-images-idx3-ubyte.gz") ? Directory.GetCurrentDirectory() : AppContext.BaseDirectory;
    while (dir is not null && !File.Exists(Path.Combine(dir, "data/mnist/t10k-images-idx3-ubyte.gz"))) dir = Path.GetDirectoryName(dir);
    return dir ?? throw new FileNotFoundException("data/mnist not found above " + AppContext.BaseDirectory);
}

static string Load() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

sealed class SyncProgress(Action<TsneProgress> report) : IProgress<TsneProgress>
{
    public void Report(TsneProgress value) => report(value);
}
