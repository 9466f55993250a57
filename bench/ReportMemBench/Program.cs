// Peak resident memory of the diagnostic report, per section, against the pipeline alone (issue 18).
//   dotnet run -c Release --project bench/ReportMemBench [-- --rows 200,500,1000] [--sections all|basic] [--no-taps] [--no-collect]
// The issue's other two rows of the table, each alone (whole-process peak and its phases):
//   ReportMemBench --quickstart     samples/QuickStart's job: 2,000 digits (1,600 train), a 500-row report, then Evaluate on the 400 others
//   ReportMemBench --small-cnn N    the zoo's 28-px MNIST CNN (tests/zoo/models/mnist_cnn_op17.onnx), N rows (default 1000), all sections
// One session's cost, phase by phase (creation, a batch, a backward graph): ReportMemBench --child session 2
// Each measurement runs in a child process of its own (the pipeline alone, the pipeline + report, each tap), so one
// cannot inherit another's heap. Inside a child, a phase's peak RSS is read from /proc/self/status (VmHWM) and reset
// between phases by writing "5" to /proc/self/clear_refs. The report's phases are told apart by its progress events:
// "fit" (the wrapped pipeline), "sample" (reading the sample into the report), one per section, then "write".
// After each phase: the managed heap as the GC holds it (no collection), then the live heap after a full collection
// (--no-collect skips that collection and prints 0).
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.CnnDiagnostics;
using MLNet.CnnDiagnostics.Data;
using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Reporting;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
bool collect = !args.Contains("--no-collect");
string Arg(string name, string fallback) => Array.IndexOf(args, name) is int i and >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;

if (args.Length >= 3 && args[0] == "--child")
{
    Child.Run(args[1], int.Parse(args[2]), Arg("--sections", "all"), collect);
    return;
}

foreach (var (flag, kind, rows) in new[] { ("--quickstart", "quickstart", "2000"), ("--small-cnn", "small-cnn", "1000") })
{
    if (!args.Contains(flag)) continue;
    int n = int.Parse(Arg(flag, rows).StartsWith("--", StringComparison.Ordinal) ? rows : Arg(flag, rows));
    var phases = Spawn(kind, n);
    Console.WriteLine($"== {kind}, {n} rows; peak RSS per phase (VmHWM, reset between phases)");
    Console.WriteLine($"{"phase",-28} {"peak RSS MB",12} {"heap after MB",14} {"live after MB",14} {"seconds",8}");
    foreach (var p in phases) Console.WriteLine($"{p.Name,-28} {p.PeakMb,12:F0} {p.HeapMb,14:F0} {p.LiveMb,14:F0} {p.Seconds,8:F1}");
    Console.WriteLine($"{kind} {n} rows: peak {phases.Max(p => p.PeakMb):F0} MB (in '{phases.MaxBy(p => p.PeakMb)!.Name}'); {phases.Sum(p => p.Seconds):F0} s");
    return;
}

var counts = Arg("--rows", "200,500,1000").Split(',').Select(int.Parse).ToList();
string sections = Arg("--sections", "all");
bool taps = !args.Contains("--no-taps");
Console.WriteLine($"ResNet18 at 224 px, MNIST digits as PNG files; sections: {sections}; {Environment.ProcessorCount} cores; peak RSS per phase (VmHWM, reset between phases)");
var summary = new List<string>();
foreach (int n in counts)
{
    double pixelsMb = n * 3.0 * 224 * 224 * 4 / 1e6;
    var pipeline = Spawn("pipeline", n);
    var report = Spawn("report", n);
    double basePeak = pipeline.Max(p => p.PeakMb), reportPeak = report.Max(p => p.PeakMb);
    Console.WriteLine();
    Console.WriteLine($"== {n} rows (their pixels as floats: {pixelsMb:F0} MB)");
    Console.WriteLine($"{"phase",-28} {"peak RSS MB",12} {"heap after MB",14} {"live after MB",14} {"seconds",8}");
    foreach (var p in pipeline) Console.WriteLine($"{"pipeline alone: " + p.Name,-28} {p.PeakMb,12:F0} {p.HeapMb,14:F0} {p.LiveMb,14:F0} {p.Seconds,8:F1}");
    foreach (var p in report) Console.WriteLine($"{p.Name,-28} {p.PeakMb,12:F0} {p.HeapMb,14:F0} {p.LiveMb,14:F0} {p.Seconds,8:F1}");
    double reportOnly = report.Where(p => p.Name is not ("fit" or "train")).Select(p => p.PeakMb).DefaultIfEmpty(0).Max();
    string line = $"{n} rows: pipeline alone peaks at {basePeak:F0} MB; with the report {reportPeak:F0} MB (the report's own phases {reportOnly:F0} MB): the report adds {reportPeak - basePeak:F0} MB ({(reportPeak - basePeak) / pixelsMb:F1}x the sample's pixels); {report.Sum(p => p.Seconds):F0} s";
    Console.WriteLine(line);
    summary.Add(line);
    if (taps)
    {
        Console.WriteLine($"{"taps (same model, same rows)",-28} {"peak RSS MB",12} {"fit MB",14} {"rows/s",14}");
        foreach (var kind in new[] { "apply-embedding", "extract-embedding", "apply-5-outputs", "capture-5-taps" })
        {
            var t = Spawn(kind, n);
            var run = t.Single(p => p.Name == "run");
            var fit = t.Single(p => p.Name == "fit");
            string tapLine = $"{kind,-28} {Math.Max(fit.PeakMb, run.PeakMb),12:F0} {fit.PeakMb,14:F0} {n / run.Seconds,14:F1}";
            Console.WriteLine(tapLine);
            summary.Add($"{n} rows, {tapLine.Trim()}");
        }
    }
}
Console.WriteLine();
foreach (var s in summary) Console.WriteLine(s);

static List<Phase> Spawn(string kind, int n)
{
    var info = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
    foreach (var a in new[] { "--child", kind, n.ToString() }.Concat(Environment.GetCommandLineArgs().Skip(1).SkipWhile(a => a != "--sections").Take(2)).Concat(Environment.GetCommandLineArgs().Contains("--no-collect") ? ["--no-collect"] : []))
        info.ArgumentList.Add(a);
    using var process = Process.Start(info)!;
    var phases = new List<Phase>();
    string? line;
    while ((line = process.StandardOutput.ReadLine()) is not null)
    {
        if (!line.StartsWith("PHASE\t", StringComparison.Ordinal)) continue;
        var f = line.Split('\t');
        phases.Add(new Phase(f[1], double.Parse(f[2]), double.Parse(f[3]), double.Parse(f[4]), double.Parse(f[5])));
    }
    process.WaitForExit();
    if (process.ExitCode != 0) throw new InvalidOperationException($"child '{kind} {n}' failed with exit code {process.ExitCode}.");
    return phases;
}

/// <summary>The runtime's allocation samples (one event per ~100 KB allocated) tallied by type, for MEMBENCH_DEBUG.</summary>
internal sealed class AllocationTally : System.Diagnostics.Tracing.EventListener
{
    private static readonly Dictionary<string, long> Bytes = [];
    private static AllocationTally? _listener;

    public static void Start() => _listener ??= new AllocationTally();

    public static string TakeTop(int count)
    {
        lock (Bytes)
        {
            string top = string.Join(", ", Bytes.OrderByDescending(p => p.Value).Take(count).Select(p => FormattableString.Invariant($"{p.Key} {p.Value / 1e6:F0} MB")));
            Bytes.Clear();
            return top;
        }
    }

    protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
            EnableEvents(source, System.Diagnostics.Tracing.EventLevel.Verbose, (System.Diagnostics.Tracing.EventKeywords)0x1); // GC keyword
    }

    protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs e)
    {
        if (e.EventName != "GCAllocationTick_V4" || e.Payload is null) return;
        string type = e.PayloadNames!.IndexOf("TypeName") is int t and >= 0 ? e.Payload[t]?.ToString() ?? "?" : "?";
        long amount = e.PayloadNames.IndexOf("AllocationAmount64") is int a and >= 0 ? Convert.ToInt64(e.Payload[a], CultureInfo.InvariantCulture) : 0;
        lock (Bytes) Bytes[type] = Bytes.GetValueOrDefault(type) + amount;
    }
}

internal sealed record Phase(string Name, double PeakMb, double HeapMb, double LiveMb, double Seconds);

/// <summary>One measured process: phases delimited by <see cref="End"/>, each printed as a tab-separated PHASE line.</summary>
internal static class Child
{
    private static readonly Stopwatch Watch = Stopwatch.StartNew();
    private static readonly object Gate = new();
    private static bool _collect = true;
    private static string _phase = "fit";
    private static long _allocated;
    private static TimeSpan _cpu;
    private static TimeSpan _pause;
    private static int _gen2;
    private static long _managedPeak;

    // the managed heap's largest size in the phase, garbage included (sampled every 10 ms; MEMBENCH_DEBUG prints it)
    private static readonly Timer Sampler = new(_ =>
    {
        long now = GC.GetTotalMemory(false);
        if (now > Interlocked.Read(ref _managedPeak)) Interlocked.Exchange(ref _managedPeak, now);
    }, null, 0, 10);

    public static void Run(string kind, int n, string sections, bool collect)
    {
        _collect = collect;
        if (Environment.GetEnvironmentVariable("MEMBENCH_DEBUG") is not null) AllocationTally.Start();
        var ml = new MLContext(seed: 1);
        string folder = Path.Combine(Path.GetTempPath(), "cnndiag-membench", "mnist-png");
        var digits = ml.Data.LoadFromEnumerable(DigitFiles.Write(Path.Combine(AppContext.BaseDirectory, "data", "mnist"), folder, n));
        switch (kind)
        {
            case "pipeline":
                Pipeline(ml, folder, new Hook(n)).Fit(digits);
                End("done");
                break;
            case "session":
                Session(n);
                break;
            case "quickstart":
                QuickStart(ml, folder, digits, n);
                break;
            case "small-cnn":
                SmallCnn(ml, folder, digits, n, sections);
                break;
            case "report":
                var hook = new Hook(n);
                var estimator = Pipeline(ml, folder, hook).AppendVisualization(o =>
                {
                    o.ReportPath = Path.Combine(Path.GetTempPath(), "cnndiag-membench", $"report-{n}.html");
                    o.MaxRows = n;
                    o.Progress = hook;
                    o.Sections = sections == "basic" ? ReportSections.Model | ReportSections.Filters | ReportSections.Activations | ReportSections.Embedding : ReportSections.All;
                });
                using (var model = estimator.Fit(digits).Model as IDisposable) End("write");
                break;
            default:
                Taps(ml, folder, digits, kind);
                break;
        }
    }

    private static IEstimator<ITransformer> Pipeline(MLContext ml, string folder, IProgress<DiagnosticsProgress>? progress) =>
        ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(ml.Transforms.LoadImages("Image", folder, "ImagePath"))
            .Append(ml.Transforms.ResizeImages("Image", 224, 224))
            .Append(ml.Transforms.ExtractPixels("Pixels", "Image"))
            .Append(ml.Transforms.ExtractEmbedding(new() { OutputColumnName = "Features", InputColumnName = "Pixels", Progress = progress }))
            .AppendCacheCheckpoint(ml)
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy("Label", "Features"));

    /// <summary>samples/QuickStart's job, step by step as it does it: a 0.2 test split, the report on 500 of the training rows, Evaluate.</summary>
    private static void QuickStart(MLContext ml, string folder, IDataView digits, int n)
    {
        var split = ml.Data.TrainTestSplit(digits, testFraction: 0.2, seed: 1);
        var hook = new Hook(split.TrainSet.GetColumn<ReadOnlyMemory<char>>("ImagePath").Count());
        var estimator = Pipeline(ml, folder, hook).AppendVisualization(o =>
        {
            o.ReportPath = Path.Combine(Path.GetTempPath(), "cnndiag-membench", $"quickstart-{n}.html");
            o.MaxRows = Math.Min(500, n);
            o.Progress = hook;
        });
        var model = estimator.Fit(split.TrainSet);
        End("evaluate");
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(split.TestSet));
        End("done");
        Console.Error.WriteLine($"quickstart: macro accuracy {metrics.MacroAccuracy:P1}");
    }

    /// <summary>
    /// The zoo's small grayscale MNIST CNN (28×28 input, folded normalisation as <c>cnndiag --grayscale --mean 0.5 --std 0.5</c>)
    /// behind the same kind of ML.NET pipeline, with the report over all <paramref name="n"/> rows.
    /// </summary>
    private static void SmallCnn(MLContext ml, string folder, IDataView digits, int n, string sections)
    {
        string file = Path.Combine(AppContext.BaseDirectory, "zoo", "mnist_cnn_op17.onnx");
        var cnn = ModelGraph.Load(file).WithInputNormalization([0.5f], [0.5f], 255f);
        var hook = new Hook(n);
        var estimator = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(ml.Transforms.LoadImages("Image", folder, "ImagePath"))
            .Append(ml.Transforms.ConvertToGrayscale("Image"))
            .Append(ml.Transforms.ResizeImages("Image", 28, 28))
            .Append(ml.Transforms.ExtractPixels("Pixels", "Image", Microsoft.ML.Transforms.Image.ImagePixelExtractingEstimator.ColorBits.Red))
            .Append(ml.Transforms.ExtractEmbedding(new() { OutputColumnName = "Features", InputColumnName = "Pixels", Model = cnn, Progress = hook }))
            .AppendCacheCheckpoint(ml)
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy("Label", "Features"))
            .AppendVisualization(o =>
            {
                o.ReportPath = Path.Combine(Path.GetTempPath(), "cnndiag-membench", $"small-cnn-{n}.html");
                o.MaxRows = n;
                o.Progress = hook;
                o.Sections = sections == "basic" ? ReportSections.Model | ReportSections.Filters | ReportSections.Activations | ReportSections.Embedding : ReportSections.All;
            });
        using (estimator.Fit(digits).Model as IDisposable) End("done");
    }

    /// <summary>ML.NET's ApplyOnnxModel against the library's taps on the same composite ResNet18 and the same rows.</summary>
    private static void Taps(MLContext ml, string folder, IDataView digits, string kind)
    {
        var composite = DefaultModels.LoadResNet18WithPreprocessing();
        var stageOutputs = composite.Layers.Where(l => l.OpType == "Relu" && composite.Layers.Any(a => a.OpType == "Add" && a.Outputs[0] == l.Inputs[0]))
            .Select(l => l.Outputs[0]).Where((_, i) => i % 2 == 1).ToList();
        var five = stageOutputs.Append(DefaultModels.ResNet18Embedding).ToArray();
        var pixels = ml.Transforms.LoadImages("Image", folder, "ImagePath")
            .Append(ml.Transforms.ResizeImages("Image", 224, 224))
            .Append(ml.Transforms.ExtractPixels(DefaultModels.ResNet18PixelsInput, "Image"));
        string file = Path.Combine(Path.GetTempPath(), "cnndiag-membench", $"resnet18-{kind}.onnx");
        IEstimator<ITransformer> tap;
        string[] columns;
        switch (kind)
        {
            case "apply-embedding":
                composite.Save(file);
                tap = ml.Transforms.ApplyOnnxModel([DefaultModels.ResNet18Embedding], [DefaultModels.ResNet18PixelsInput], file);
                columns = [DefaultModels.ResNet18Embedding];
                break;
            case "apply-5-outputs":
                composite.WithOutputs(five).Save(file);
                tap = ml.Transforms.ApplyOnnxModel(five, [DefaultModels.ResNet18PixelsInput], file);
                columns = five;
                break;
            case "extract-embedding":
                tap = ml.Transforms.ExtractEmbedding(new() { OutputColumnName = "Embedding", InputColumnName = DefaultModels.ResNet18PixelsInput, Model = composite });
                columns = ["Embedding"];
                break;
            case "capture-5-taps":
                tap = ml.Transforms.CaptureActivations(new() { InputColumnName = DefaultModels.ResNet18PixelsInput, Model = composite, Layers = five, OutputColumnNames = five.Select((_, i) => $"tap{i}").ToList() });
                columns = five.Select((_, i) => $"tap{i}").ToArray();
                break;
            default:
                throw new ArgumentException($"unknown child kind '{kind}'.");
        }
        var model = pixels.Append(tap).Fit(digits);
        End("run"); // End names the phase that starts: the one that ended is "fit"
        var view = model.Transform(digits);
        var cols = columns.Select(c => view.Schema[c]).ToList();
        using (var cursor = view.GetRowCursor(cols))
        {
            var getters = cols.Select(c => cursor.GetGetter<VBuffer<float>>(c)).ToList();
            var buffer = default(VBuffer<float>);
            while (cursor.MoveNext())
                foreach (var g in getters) g(ref buffer);
        }
        End("done");
        (model as IDisposable)?.Dispose();
    }

    /// <summary>
    /// One report-style session (no arena, no memory pattern) over the full batched ResNet18, phase by phase: loading
    /// the graph (printed as "fit"), creating the forward session, a forward batch of 16, disposing it; then building a
    /// gradient engine (its forward shapes probed), a backward graph alone, the engine's backward session, and backward
    /// batches of 1, 4 and 16.
    ///   ReportMemBench --child session 2
    /// </summary>
    private static void Session(int n)
    {
        var execution = new MLNet.CnnDiagnostics.Execution.ExecutionOptions { CpuMemoryArena = false, MemoryPattern = false, IntraOpThreads = 1 };
        var graph = DefaultModels.LoadResNet18WithPreprocessing().WithSymbolicBatch();
        var input = new FloatTensor([16, .. graph.ImageInput.Shape![1..]], new float[16 * 3 * 224 * 224]);
        End("forward session");
        var exec = new MLNet.CnnDiagnostics.Execution.OnnxExecutor(graph.WithOnlyOutputs([DefaultModels.ResNet18Embedding]).PrunedToOutputs(), execution);
        End("forward batch 16");
        exec.Run(input);
        End("forward disposed");
        exec.Dispose();
        End("gradient engine (shapes probed)");
        using var engine = new MLNet.CnnDiagnostics.Gradients.GradientEngine(graph, null, execution);
        End("backward graph");
        var backward = engine.Builder.Build(null, [engine.InputName]);
        End("backward session");
        engine.GraphFor(null, [engine.InputName]);
        foreach (int b in new[] { 1, 4, 16 })
        {
            End($"backward batch {b}");
            engine.Compute(new FloatTensor([b, .. input.Shape[1..]], new float[b * 3 * 224 * 224]), new MLNet.CnnDiagnostics.Gradients.ClassTarget(Enumerable.Repeat(0, b).ToList()));
        }
        End("end");
    }

    /// <summary>Ends the current phase: prints its peak RSS, the heap, the live heap, its seconds; resets the peak.</summary>
    public static void End(string next)
    {
        lock (Gate)
        {
            double peak = Status("VmHWM") / 1024.0;
            double heap = GC.GetGCMemoryInfo().HeapSizeBytes / 1e6;
            double live = 0;
            if (_collect)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                GC.Collect();
                live = GC.GetTotalMemory(false) / 1e6;
            }
            if (Environment.GetEnvironmentVariable("MEMBENCH_DEBUG") is not null)
            {
                Console.Error.WriteLine(FormattableString.Invariant($"  {_phase}: CPU {(Process.GetCurrentProcess().TotalProcessorTime - _cpu).TotalSeconds:F2} s, GC pauses {(GC.GetTotalPauseDuration() - _pause).TotalSeconds:F2} s in {GC.CollectionCount(2) - _gen2} full collections, RSS now {Status("VmRSS") / 1024.0:F0} MB, GC committed {GC.GetGCMemoryInfo().TotalCommittedBytes / 1e6:F0} MB, allocated in the phase {(GC.GetTotalAllocatedBytes() - _allocated) / 1e6:F0} MB, managed heap at most {Interlocked.Exchange(ref _managedPeak, 0) / 1e6:F0} MB"));
                Console.Error.WriteLine($"    allocated by type (sampled): {AllocationTally.TakeTop(4)}");
            }
            _allocated = GC.GetTotalAllocatedBytes();
            _cpu = Process.GetCurrentProcess().TotalProcessorTime;
            _pause = GC.GetTotalPauseDuration();
            _gen2 = GC.CollectionCount(2);
            double seconds = Watch.Elapsed.TotalSeconds;
            Console.WriteLine(FormattableString.Invariant($"PHASE\t{_phase}\t{peak:F1}\t{heap:F1}\t{live:F1}\t{seconds:F2}"));
            File.WriteAllText("/proc/self/clear_refs", "5");
            Watch.Restart();
            _phase = next;
        }
    }

    private static long Status(string field) =>
        long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);

    /// <summary>Tells the report's phases apart from its progress events.</summary>
    private sealed class Hook(long rows = long.MaxValue) : IProgress<DiagnosticsProgress>
    {
        private long _lastForward;

        public void Report(DiagnosticsProgress value)
        {
            if (value.Stage.StartsWith("CNN forward", StringComparison.Ordinal))
            {
                // the pipeline's own forward ends before its trainer runs; the tap's forward restarts from the beginning when
                // the report reads its sample
                if (_phase == "fit" && (value.Total > 0 ? value.Done == value.Total : value.Done >= rows)) End("train");
                else if (_phase is "fit" or "train" && value.Done < _lastForward) End("sample");
                _lastForward = value.Done;
            }
            else if (value.Stage.StartsWith("report: ", StringComparison.Ordinal) && _phase != value.Stage["report: ".Length..])
                End(value.Stage["report: ".Length..]);
            else if (value.Stage == "report" && _phase != "write")
                End("write");
        }
    }
}
