// Forward+backward vs forward alone on the embedded ResNet18 (random 10-class head), batch 1 and 16, and Grad-CAM images/s.
// Ratios are measured in the same run; absolute times depend on the machine's load.
using System.Diagnostics;
using MLNet.CnnDiagnostics;
using MLNet.CnnDiagnostics.Analysis.Attribution;
using MLNet.CnnDiagnostics.Gradients;
using MLNet.CnnDiagnostics.Onnx;

int repeats = args.Length > 0 && int.TryParse(args[0], out int n) ? n : 5;
// --zoo DIR: forward+backward / forward for every ONNX model of a folder (the test zoo: tests/zoo/models), batch 1 and 16
if (Array.IndexOf(args, "--zoo") is int z and >= 0 && z + 1 < args.Length)
{
    foreach (var file in Directory.GetFiles(args[z + 1], "*.onnx").Order(StringComparer.Ordinal))
    {
        var zooModel = ModelGraph.Load(file).AsPlanar();
        using var zooEngine = new GradientEngine(zooModel);
        var (c, h, wd) = zooModel.ImageSize;
        var line = new List<string>();
        foreach (int batch in new[] { 1, 16 })
        {
            var x = new FloatTensor(batch, c, h, wd);
            var rz = new Random(1);
            for (int i = 0; i < x.Length; i++) x.Data[i] = (float)(rz.NextDouble() * 2 - 1);
            var t = new ClassTarget(3);
            zooEngine.Evaluate(x, t);
            zooEngine.Compute(x, t);
            double f = Median(() => zooEngine.Evaluate(x, t)), fb = Median(() => zooEngine.Compute(x, t));
            line.Add($"batch {batch}: {f:F2} / {fb:F2} ms = {fb / f:F2}x");
        }
        Console.WriteLine($"{Path.GetFileName(file),-28} {string.Join("; ", line)}");
    }
    return;
}
var model = DefaultModels.LoadResNet18();
var r = new Random(1);
var w = new FloatTensor(10, 512);
for (int i = 0; i < w.Length; i++) w.Data[i] = (float)(r.NextDouble() - 0.5) * 0.1f;
using var engine = new GradientEngine(model, new LinearHead(DefaultModels.ResNet18Embedding, w, new float[10]));
var target = new ClassTarget(3);
foreach (int batch in new[] { 1, 16 })
{
    var x = new FloatTensor(batch, 3, 224, 224);
    for (int i = 0; i < x.Length; i++) x.Data[i] = (float)(r.NextDouble() - 0.5) * 200;
    engine.Evaluate(x, target);
    engine.Compute(x, target);
    double forward = Median(() => engine.Evaluate(x, target));
    double backward = Median(() => engine.Compute(x, target));
    Console.WriteLine($"batch {batch,2}: forward {forward:F1} ms, forward+backward {backward:F1} ms, ratio {backward / forward:F2}x");
}
string layer = model.Layers.Single(l => l.OpType == "AveragePool").Inputs[0];
var cam = new GradCam(engine, layer) { BatchSize = 16 };
var images = new FloatTensor(16, 3, 224, 224);
for (int i = 0; i < images.Length; i++) images.Data[i] = (float)(r.NextDouble() - 0.5) * 200;
cam.Attribute(images, target);
double camMs = Median(() => cam.Attribute(images, target));
Console.WriteLine($"Grad-CAM: {16 / (camMs / 1000):F1} images/s (batch 16)");

double Median(Action run)
{
    var times = new List<double>();
    for (int i = 0; i < repeats; i++)
    {
        var sw = Stopwatch.StartNew();
        run();
        times.Add(sw.Elapsed.TotalMilliseconds);
    }
    times.Sort();
    return times[times.Count / 2];
}
