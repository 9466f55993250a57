// Forward+backward vs forward alone on the embedded ResNet18 (random 10-class head), batch 1 and 16, and Grad-CAM images/s.
// Ratios are measured in the same run; absolute times depend on the machine's load.
using System.Diagnostics;
using MLNet.CnnDiagnostics;
using MLNet.CnnDiagnostics.Analysis.Attribution;
using MLNet.CnnDiagnostics.Gradients;
using MLNet.CnnDiagnostics.Onnx;
using Microsoft.ML.OnnxRuntime;

int repeats = args.Length > 0 && int.TryParse(args[0], out int n) ? n : 5;
// --threads N: ONNX Runtime intra-op threads (default 2, as in the PyTorch comparison)
var execution = new MLNet.CnnDiagnostics.Execution.ExecutionOptions
{
    IntraOpThreads = Array.IndexOf(args, "--threads") is int th and >= 0 && th + 1 < args.Length ? int.Parse(args[th + 1], System.Globalization.CultureInfo.InvariantCulture) : 2,
};
// --zoo DIR: forward+backward / forward for every ONNX model of a folder (the test zoo: tests/zoo/models), batch 1 and 16;
// --size PX runs them at PX×PX inputs instead of the size they were exported at (the input's rows and columns rewritten)
int? size = Array.IndexOf(args, "--size") is int sz and >= 0 && sz + 1 < args.Length ? int.Parse(args[sz + 1], System.Globalization.CultureInfo.InvariantCulture) : null;
if (Array.IndexOf(args, "--zoo") is int z and >= 0 && z + 1 < args.Length)
{
    foreach (var file in Directory.GetFiles(args[z + 1], "*.onnx").Order(StringComparer.Ordinal))
    {
        var zooModel = ModelGraph.Load(file).AsPlanar();
        if (size is { } px) zooModel = Resized(zooModel, px, file);
        if (zooModel is null) continue;
        using var zooEngine = new GradientEngine(zooModel, null, execution);
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
// --profile [BATCH] [MODEL.onnx]: ONNX Runtime's own profiler on forward+backward (input gradient), time per op type
if (Array.IndexOf(args, "--profile") is int p and >= 0)
{
    int batch = p + 1 < args.Length && int.TryParse(args[p + 1], out int b) ? b : 1;
    string? file = args.Skip(p + 1).FirstOrDefault(a => a.EndsWith(".onnx", StringComparison.Ordinal));
    Profile(file, batch);
    return;
}
var model = DefaultModels.LoadResNet18();
var r = new Random(1);
var w = new FloatTensor(10, 512);
for (int i = 0; i < w.Length; i++) w.Data[i] = (float)(r.NextDouble() - 0.5) * 0.1f;
using var engine = new GradientEngine(model, new LinearHead(DefaultModels.ResNet18Embedding, w, new float[10]), execution);
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

void Profile(string? file, int batch)
{
    var m = file is null ? DefaultModels.LoadResNet18() : ModelGraph.Load(file).AsPlanar();
    var rp = new Random(1);
    var headWeights = new FloatTensor(10, 512);
    for (int i = 0; i < headWeights.Length; i++) headWeights.Data[i] = (float)(rp.NextDouble() - 0.5) * 0.1f;
    var builder = file is null ? new BackwardGraphBuilder(m, new LinearHead(DefaultModels.ResNet18Embedding, headWeights, new float[10])) : new BackwardGraphBuilder(m);
    foreach (var (label, wrt) in new[] { ("forward", Array.Empty<string>()), ("forward+backward", new[] { builder.InputName }) })
    {
        var graph = builder.Build(null, wrt);
        using var options = new SessionOptions { IntraOpNumThreads = execution.IntraOpThreads };
        options.EnableProfiling = true;
        options.ProfileOutputPathPrefix = Path.Combine(Path.GetTempPath(), "gradbench-" + label.Replace('+', '_'));
        // GRADBENCH_LAYOUT=1: which ops read and feed each layout reorder ONNX Runtime inserted (from its optimized graph)
        string? optimized = Environment.GetEnvironmentVariable("GRADBENCH_LAYOUT") == "1" ? Path.Combine(Path.GetTempPath(), $"gradbench-{label.Replace('+', '_')}-optimized.onnx") : null;
        if (optimized is not null) options.OptimizedModelFilePath = optimized;
        using var session = new InferenceSession(graph.ToBytes(), options);
        if (optimized is not null) PrintReorders(optimized);
        var shape = builder.ItemShape(builder.InputName);
        var x = new float[batch * shape.Aggregate(1, (a, d) => a * d)];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rp.NextDouble() - 0.5) * (file is null ? 200 : 2);
        var seedShape = graph.TargetItemShape.Select(d => (long)d).Prepend(batch).ToArray();
        var seed = new float[seedShape.Aggregate(1L, (a, d) => a * d)];
        seed[3] = 1;
        using var xv = OrtValue.CreateTensorValueFromMemory(x, shape.Select(d => (long)d).Prepend(batch).ToArray());
        using var sv = OrtValue.CreateTensorValueFromMemory(seed, seedShape);
        for (int k = 0; k < repeats + 1; k++)
        {
            using var ro = new RunOptions();
            using var outs = session.Run(ro, [builder.InputName, BackwardGraph.SeedName], [xv, sv], session.OutputNames.ToArray());
        }
        string json = session.EndProfiling();
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(json));
        var perOp = new Dictionary<string, (double Us, int Count)>();
        double total = 0;
        foreach (var ev in doc.RootElement.EnumerateArray())
        {
            if (ev.GetProperty("cat").GetString() != "Node" || !ev.GetProperty("name").GetString()!.EndsWith("_kernel_time", StringComparison.Ordinal)) continue;
            string op = ev.GetProperty("args").GetProperty("op_name").GetString()!;
            string name = ev.GetProperty("name").GetString()!;
            string key = (name.StartsWith("grad/", StringComparison.Ordinal) ? "bwd " : "fwd ") + op;
            double us = ev.GetProperty("dur").GetDouble();
            if (Environment.GetEnvironmentVariable("GRADBENCH_NODES") == "1") key += " " + name[..^"_kernel_time".Length];
            var (u, c) = perOp.GetValueOrDefault(key);
            perOp[key] = (u + us, c + 1);
            total += us;
        }
        File.Delete(json);
        Console.WriteLine($"{label}, batch {batch}: {total / 1000 / (repeats + 1):F1} ms of kernel time per run");
        foreach (var (op, (us, count)) in perOp.OrderByDescending(kv => kv.Value.Us))
            Console.WriteLine($"  {op,-36} {us / 1000 / (repeats + 1),8:F2} ms {100 * us / total,5:F1}%  ({count / (repeats + 1)} nodes)");
    }
}

// --cpu: process CPU time instead of wall time (with --threads 1: the work done, whatever the machine's load); --min-cpu: the
// least CPU time of the runs (steadier than the median where other processes thrash the caches)
double Median(Action run) =>
    Array.IndexOf(args, "--min-cpu") >= 0 ? BenchTiming.MinCpu(run, repeats)
    : Array.IndexOf(args, "--cpu") >= 0 ? BenchTiming.MedianCpu(run, repeats) : BenchTiming.Median(run, repeats);

void PrintReorders(string path)
{
    var nodes = ModelGraph.Load(path).Layers;
    File.Delete(path);
    var producer = nodes.SelectMany(n => n.Outputs.Select(o => (o, n))).ToDictionary(p => p.o, p => p.n);
    var counts = new Dictionary<string, int>();
    bool names = Environment.GetEnvironmentVariable("GRADBENCH_NODES") == "1";
    string Describe(LayerInfo n) => $"{(n.Name.StartsWith("grad/", StringComparison.Ordinal) ? "bwd " : "")}{n.OpType}{(names ? " " + n.Name : "")}";
    foreach (var n in nodes.Where(n => n.OpType.StartsWith("Reorder", StringComparison.Ordinal)))
    {
        string from = producer.TryGetValue(n.Inputs[0], out var p) ? Describe(p) : "input";
        string to = string.Join(",", nodes.Where(c => c.Inputs.Contains(n.Outputs[0])).Select(Describe));
        string key = $"{n.OpType}: {from} -> {to}";
        counts[key] = counts.GetValueOrDefault(key) + 1;
    }
    foreach (var (k, c) in counts.OrderByDescending(kv => kv.Value)) Console.WriteLine($"  {c,3} x {k}");
}

// The model with its (planar) image input declared PX×PX; null, with a message, where its graph does not run at that size.
ModelGraph? Resized(ModelGraph model, int px, string file)
{
    var proto = model.Proto.Clone();
    var dims = proto.Graph.Input.First(i => i.Name == model.ImageInput.Name).Type.TensorType.Shape.Dim;
    dims[2].DimValue = px;
    dims[3].DimValue = px;
    proto.Graph.ValueInfo.Clear();
    foreach (var output in proto.Graph.Output)
        for (int i = 1; i < output.Type.TensorType.Shape.Dim.Count; i++) output.Type.TensorType.Shape.Dim[i].ClearDimValue();
    try
    {
        var resized = ModelGraph.Load(Google.Protobuf.MessageExtensions.ToByteArray(proto), Path.GetFileName(file));
        using var probe = new GradientEngine(resized, null, execution);
        probe.Compute(new FloatTensor(16, resized.ImageSize.Channels, px, px), new ClassTarget(3));     // batch-dependent reshapes fail here
        using var original = new GradientEngine(model, null, execution);
        var (was, now) = (original.Builder.ItemShape(original.Builder.DefaultTarget), probe.Builder.ItemShape(probe.Builder.DefaultTarget));
        if (was.SequenceEqual(now)) return resized;
        Console.WriteLine($"{Path.GetFileName(file),-28} does not run at {px} px: its scores become [{string.Join(", ", now)}] instead of [{string.Join(", ", was)}] (sizes fixed inside the graph)");
        return null;
    }
    catch (CnnDiagnosticsException e)
    {
        Console.WriteLine($"{Path.GetFileName(file),-28} does not run at {px} px: {e.Message}");
        return null;
    }
}
