// Scan throughput (issue 15): images/s of 'cnndiag scan' over a folder of PNG files (decoding, resizing, inference of the
// investigated layers, embedding and logits, top-k and quantile folds, .npy writes) against, in the same run,
//   (a) a plain ONNX Runtime loop over the same model on already decoded tensors (batches of the same size, logits only), and
//   (b) ML.NET's row-at-a-time ApplyOnnxModel after LoadImages/ResizeImages/ExtractPixels on the same files.
// usage: dotnet run -c Release -- --images DIR --model FILE [--batch 64] [--grayscale] [--device cpu|cuda] [--cpu]
// DIR holds one sub-folder per class (as cnndiag report/scan take it).
// --cpu (for a loaded machine, where wall-clock rates mean nothing): compares CPU time per image instead: the plain loop with
// one ONNX Runtime thread (least of 3 runs) against the scan run with CNNDIAG_SCAN_PROFILE=1 (one ONNX Runtime thread, one
// decoding thread, stages one after another; it prints each stage's CPU time). On a machine whose cores are all busy, images/s
// is inversely proportional to CPU time per image, so the ratio is the throughput ratio there.
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Transforms.Image;
using MLNet.CnnDiagnostics.Onnx;

string Arg(string name, string fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

string images = Path.GetFullPath(Arg("--images", ""));
string modelPath = Path.GetFullPath(Arg("--model", ""));
int batch = int.Parse(Arg("--batch", "64"), CultureInfo.InvariantCulture);
string device = Arg("--device", "cpu");
bool cpuMode = args.Contains("--cpu");
if (!Directory.Exists(images) || !File.Exists(modelPath))
{
    Console.Error.WriteLine("usage: ScanBench --images DIR --model FILE [--batch 64] [--device cpu|cuda]");
    return 2;
}
var model = ModelGraph.Load(modelPath).AsPlanar();
var input = model.ImageInput;
int c = input.Shape![1], h = input.Shape[2], w = input.Shape[3];
bool grey = c == 1;
var files = Directory.GetDirectories(images).Order(StringComparer.Ordinal)
    .SelectMany(d => Directory.GetFiles(d, "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal)).ToList();
Console.WriteLine($"{files.Count} images, model {Path.GetFileName(modelPath)} [{c},{h},{w}], batch {batch}, {Environment.ProcessorCount} cores, device {device}");

// decode everything once through ML.NET's image stages (not timed): the plain loop's input
var ml = new MLContext(seed: 1);
var rows = files.Select(f => new Row { ImagePath = f }).ToList();
IEstimator<ITransformer> pixels = ml.Transforms.LoadImages("Image", "", nameof(Row.ImagePath));
if (grey) pixels = pixels.Append(ml.Transforms.ConvertToGrayscale("Image"));
pixels = pixels.Append(ml.Transforms.ResizeImages("Image", w, h)).Append(ml.Transforms.ExtractPixels("Pixels", "Image",
    grey ? ImagePixelExtractingEstimator.ColorBits.Red : ImagePixelExtractingEstimator.ColorBits.Rgb, interleavePixelColors: false));
var data = ml.Data.LoadFromEnumerable(rows);
var decoded = pixels.Fit(data).Transform(data).GetColumn<VBuffer<float>>("Pixels").Select(v => v.DenseValues().ToArray()).ToList();

// (a) plain ORT loop on decoded tensors
using var options = new SessionOptions();
if (device == "cuda") options.AppendExecutionProvider_CUDA(0);
if (cpuMode) options.IntraOpNumThreads = 1;
var batched = model.HasSymbolicBatch ? model : model.WithSymbolicBatch();
using var session = new InferenceSession(batched.ToBytes(), options);
string output = session.OutputNames[0];
double PlainLoop()
{
    var clock = Stopwatch.StartNew();
    for (int start = 0; start < decoded.Count; start += batch)
    {
        int n = Math.Min(batch, decoded.Count - start);
        var buffer = new float[n * c * h * w];
        for (int i = 0; i < n; i++) decoded[start + i].CopyTo(buffer, i * c * h * w);
        using var value = OrtValue.CreateTensorValueFromMemory(buffer, [n, c, h, w]);
        using var result = session.Run(new RunOptions(), [input.Name], [value], [output]);
    }
    return decoded.Count / clock.Elapsed.TotalSeconds;
}
PlainLoop(); // warm-up
double plain, plainCpu = 0;
if (cpuMode)
{
    plain = 0;
    plainCpu = double.MaxValue;
    var self = Process.GetCurrentProcess();
    for (int r = 0; r < 3; r++)
    {
        self.Refresh();
        var before = self.TotalProcessorTime;
        plain = Math.Max(plain, PlainLoop());
        self.Refresh();
        plainCpu = Math.Min(plainCpu, (self.TotalProcessorTime - before).TotalMilliseconds * 1000 / decoded.Count);
    }
    Console.WriteLine($"plain ONNX Runtime loop on decoded tensors, one thread: {plainCpu,8:F1} us CPU per image ({1e6 / plainCpu:F0} images per CPU-second)");
}
else
{
    plain = PlainLoop();
    Console.WriteLine($"plain ONNX Runtime loop on decoded tensors: {plain,8:F1} images/s");
}

// the scan, as a user runs it
var root = new DirectoryInfo(AppContext.BaseDirectory);
while (root is not null && !File.Exists(Path.Combine(root.FullName, "MLNet.CnnDiagnostics.sln"))) root = root.Parent;
string tool = Path.Combine(root?.FullName ?? ".", "tools", "cnndiag", "bin", "Release", "net10.0", "linux-x64", "cnndiag.dll");
string state = Path.Combine(Path.GetTempPath(), "scanbench-" + Guid.NewGuid().ToString("N")[..8]);
var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
foreach (var a in new[] { Path.GetFullPath(tool), "scan", "--model", modelPath, "--images", images, "--out", state, "--batch", batch.ToString(CultureInfo.InvariantCulture), "--device", device })
    start.ArgumentList.Add(a);
if (cpuMode) start.Environment["CNNDIAG_SCAN_PROFILE"] = "1";
var wall = Stopwatch.StartNew();
using (var process = Process.Start(start)!)
{
    var err = process.StandardError.ReadToEndAsync();
    process.StandardOutput.ReadToEnd();
    process.WaitForExit();
    string log = err.Result;
    var rate = Regex.Match(log, @"this run: ([0-9.]+) images/s");
    if (process.ExitCode != 0 || !rate.Success)
    {
        Console.Error.WriteLine($"cnndiag scan failed (exit {process.ExitCode}):\n{log}");
        return 1;
    }
    double scan = double.Parse(rate.Groups[1].Value, CultureInfo.InvariantCulture);
    if (cpuMode)
    {
        var cpu = Regex.Match(log, @"process CPU time over \d+ images, ([0-9.]+) us/image in all:(\n  .*)*");
        double scanCpu = double.Parse(cpu.Groups[1].Value, CultureInfo.InvariantCulture);
        Console.WriteLine($"cnndiag scan (decode PNG + infer + fold + write), one thread each: {scanCpu,8:F1} us CPU per image ({1e6 / scanCpu:F0} images per CPU-second; {plainCpu / scanCpu:P1} of the plain loop's)");
        Console.WriteLine(cpu.Value);
    }
    else Console.WriteLine($"cnndiag scan (decode PNG + infer + fold + write): {scan,8:F1} images/s ({scan / plain:P1} of the plain loop; process wall time {wall.Elapsed.TotalSeconds:F1} s with start-up and listing)");
}
Directory.Delete(state, recursive: true);

// (b) ML.NET's ApplyOnnxModel, row at a time, on the first 2,000 files
var some = ml.Data.LoadFromEnumerable(rows.Take(2000).ToList());
var renamed = ml.Transforms.CopyColumns(input.Name, "Pixels");
var pipeline = pixels.Append(renamed).Append(ml.Transforms.ApplyOnnxModel([output], [input.Name], modelPath));
var fitted = pipeline.Fit(some);
var mlnetClock = Stopwatch.StartNew();
var scored = fitted.Transform(some);
long count = scored.GetColumn<VBuffer<float>>(output).LongCount();
double mlnet = count / mlnetClock.Elapsed.TotalSeconds;
Console.WriteLine($"ML.NET LoadImages + ApplyOnnxModel (row at a time): {mlnet,8:F1} images/s (decoding included, {count} images)");
if (cpuMode)
{
    // the same pipeline again, its process CPU time (ML.NET runs ONNX Runtime with its own threads; no spinning is set)
    var self = Process.GetCurrentProcess();
    self.Refresh();
    var before = self.TotalProcessorTime;
    count = fitted.Transform(some).GetColumn<VBuffer<float>>(output).LongCount();
    self.Refresh();
    double mlnetCpu = (self.TotalProcessorTime - before).TotalMilliseconds * 1000 / count;
    Console.WriteLine($"ML.NET LoadImages + ApplyOnnxModel: {mlnetCpu,8:F1} us CPU per image ({1e6 / mlnetCpu:F0} images per CPU-second)");
}
return 0;

internal sealed class Row
{
    public string ImagePath { get; set; } = "";
}
