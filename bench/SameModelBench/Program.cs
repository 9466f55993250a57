// Same-model comparison with PyTorch eager (issue 17): torchvision's resnet18 with seeded random weights, exported to ONNX by
// /usr/bin/python3 (torch_side.py), run by our engine and by PyTorch on the same weights and input, 2 threads each, one run:
// forward and forward+backward at batch 1 and 16, and saliency, Grad-CAM and integrated gradients (32 steps) in images/s.
// Usage: SameModelBench [REPEATS] [--python PATH]. Without torch the PyTorch side is skipped with a message and our engine runs
// the embedded ResNet18 (same architecture family and size) on a random input instead.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MLNet.CnnDiagnostics;
using MLNet.CnnDiagnostics.Analysis.Attribution;
using MLNet.CnnDiagnostics.Execution;
using MLNet.CnnDiagnostics.Gradients;
using MLNet.CnnDiagnostics.Onnx;

const int Batch = 16, ClassIndex = 3, Steps = 32, IgImages = 2;
int repeats = args.Length > 0 && int.TryParse(args[0], out int rep) ? rep : 5;
string python = Array.IndexOf(args, "--python") is int pi and >= 0 && pi + 1 < args.Length ? args[pi + 1] : "/usr/bin/python3";
string script = Path.Combine(AppContext.BaseDirectory, "torch_side.py");
string dir = Directory.CreateTempSubdirectory("samemodelbench-").FullName;
try
{
    bool torch = RunPython("export", out string exportLog) == 0;
    ModelGraph model;
    GradientEngine engine;
    var x = new FloatTensor(Batch, 3, 224, 224);
    if (torch)
    {
        model = ModelGraph.Load(Path.Combine(dir, "resnet18.onnx"));
        var bytes = File.ReadAllBytes(Path.Combine(dir, "input.bin"));
        Buffer.BlockCopy(bytes, 0, x.Data, 0, bytes.Length);
        engine = new GradientEngine(model, null, new ExecutionOptions { IntraOpThreads = 2 });
        Console.WriteLine("model: torchvision resnet18, random weights (torch.manual_seed(0)), exported to ONNX opset 17; input: torch.randn, seed 1");
    }
    else
    {
        Console.WriteLine($"PyTorch side skipped: '{python} torch_side.py export' failed (is python3-torch / python3-torchvision installed?):");
        Console.WriteLine("  " + exportLog.Trim().Split('\n').LastOrDefault());
        Console.WriteLine("our engine runs the embedded ResNet18 with a random 10-class head instead (not the same model as any PyTorch run)");
        model = DefaultModels.LoadResNet18();
        var rw = new Random(1);
        var w = new FloatTensor(10, 512);
        for (int i = 0; i < w.Length; i++) w.Data[i] = (float)(rw.NextDouble() - 0.5) * 0.1f;
        engine = new GradientEngine(model, new LinearHead(DefaultModels.ResNet18Embedding, w, new float[10]), new ExecutionOptions { IntraOpThreads = 2 });
        for (int i = 0; i < x.Length; i++) x.Data[i] = (float)(rw.NextDouble() - 0.5) * 200;
    }
    using (engine)
    {
        var target = new ClassTarget(ClassIndex);
        var ours = new Dictionary<string, double>();
        foreach (int batch in new[] { 1, Batch })
        {
            var xb = Rows(x, batch);
            ours[$"forward_{batch}"] = Median(() => engine.Evaluate(xb, target), repeats);
            ours[$"forward_backward_{batch}"] = Median(() => engine.Compute(xb, target), repeats);
        }
        ours["saliency_ms"] = Median(() => new Saliency(engine) { BatchSize = Batch }.Attribute(x, target), repeats);
        // Grad-CAM on the last convolutional block's output: the input of the global average pool
        string layer = model.Layers.Last(l => l.OpType is "GlobalAveragePool" or "AveragePool").Inputs[0];
        ours["gradcam_ms"] = Median(() => new GradCam(engine, layer) { BatchSize = Batch }.Attribute(x, target), repeats);
        var ig = new IntegratedGradients(engine) { Steps = Steps, BatchSize = Batch };
        ours["ig_ms"] = Median(() => ig.Attribute(Rows(x, IgImages), target), Math.Max(1, repeats / 2));

        Dictionary<string, double>? theirs = null;
        if (torch)
        {
            if (RunPython("time", out string timeLog, repeats.ToString(CultureInfo.InvariantCulture)) != 0)
                Console.WriteLine($"PyTorch side failed: {timeLog.Trim()}");
            else
            {
                var json = JsonDocument.Parse(timeLog.Trim().Split('\n').Last()).RootElement;
                theirs = json.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Number).ToDictionary(p => p.Name, p => p.Value.GetDouble());
                Console.WriteLine($"PyTorch {json.GetProperty("torch").GetString()}, torchvision {json.GetProperty("torchvision").GetString()}, {json.GetProperty("threads")} threads; ours: ONNX Runtime, 2 intra-op threads");
                var reference = File.ReadAllBytes(Path.Combine(dir, "torch_grad.bin"));
                var expected = new float[reference.Length / 4];
                Buffer.BlockCopy(reference, 0, expected, 0, reference.Length);
                var actual = engine.Compute(Rows(x, 2), target).Gradients[engine.InputName].Data;
                double scale = expected.Max(v => Math.Abs(v)), diff = expected.Select((v, i) => Math.Abs(v - actual[i])).Max();
                double l2 = Math.Sqrt(expected.Select((v, i) => (double)(v - actual[i]) * (v - actual[i])).Sum() / expected.Sum(v => (double)v * v));
                Console.WriteLine($"same model check: input gradients of class {ClassIndex}, relative L2 difference {l2:E1}, largest difference {diff / scale:E1} of the largest value");
            }
        }

        Console.WriteLine();
        Console.WriteLine($"{"",-44} {"ours",12} {"PyTorch",12} {"PyTorch/ours",13}");
        foreach (int batch in new[] { 1, Batch })
        {
            Row($"forward, batch {batch}", $"forward_{batch}", ms: true);
            Row($"forward+backward, batch {batch}", $"forward_backward_{batch}", ms: true);
            double ratioOurs = ours[$"forward_backward_{batch}"] / ours[$"forward_{batch}"];
            string ratioTheirs = theirs is null ? "-" : $"{theirs[$"forward_backward_{batch}"] / theirs[$"forward_{batch}"]:F2}x";
            Console.WriteLine($"{$"  (fwd+bwd)/fwd, batch {batch}",-44} {ratioOurs,11:F2}x {ratioTheirs,12}");
        }
        Row($"saliency, images/s (batch {Batch})", "saliency_ms", ms: false, images: Batch);
        Row($"Grad-CAM, images/s (batch {Batch})", "gradcam_ms", ms: false, images: Batch);
        Row($"integrated gradients ({Steps} steps), images/s", "ig_ms", ms: false, images: IgImages);

        void Row(string label, string key, bool ms, int images = 0)
        {
            double o = ms ? ours[key] : images / (ours[key] / 1000);
            string t = theirs is null ? "-" : (ms ? theirs[key] : images / (theirs[key] / 1000)).ToString("G4", CultureInfo.InvariantCulture);
            // speed-up of ours over PyTorch: their time over ours (= our images/s over theirs)
            string ratio = theirs is null ? "-" : (theirs[key] / ours[key]).ToString("F2", CultureInfo.InvariantCulture) + "x";
            Console.WriteLine($"{label + (ms ? " (ms)" : ""),-44} {o,12:G4} {t,12} {ratio,13}");
        }
    }
}
finally
{
    Directory.Delete(dir, recursive: true);
}

int RunPython(string verb, out string output, string extra = "")
{
    if (!File.Exists(python)) { output = $"{python} not found"; return -1; }
    var info = new ProcessStartInfo(python, $"\"{script}\" {verb} \"{dir}\" {extra}")
    {
        RedirectStandardOutput = true,
        RedirectStandardError = true,
    };
    info.Environment["OMP_NUM_THREADS"] = "2";
    using var process = Process.Start(info)!;
    var stderr = process.StandardError.ReadToEndAsync();
    output = process.StandardOutput.ReadToEnd();
    process.WaitForExit();
    output += stderr.Result.Length > 0 && process.ExitCode != 0 ? "\n" + stderr.Result : "";
    return process.ExitCode;
}

static FloatTensor Rows(FloatTensor t, int count)
{
    if (count == t.Shape[0]) return t;
    var data = new float[t.Length / t.Shape[0] * count];
    Array.Copy(t.Data, data, data.Length);
    return new FloatTensor([count, .. t.Shape[1..]], data);
}

static double Median(Action run, int repeats)
{
    run();      // warm-up: session creation and first-run allocations
    return BenchTiming.Median(run, repeats);
}
