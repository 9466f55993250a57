// Rows per second through ResNet18 with 5 activation taps (the four residual stages' outputs and the pooled
// embedding), batched by MLNet.CnnDiagnostics, versus ML.NET's own ApplyOnnxModel returning only the final
// output, on the same images in the same process. Prints the ratio; absolute numbers vary with the machine.
using System.Diagnostics;
using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.CnnDiagnostics;
using MLNet.CnnDiagnostics.MLNet;
using MLNet.CnnDiagnostics.Onnx;

int rows = args.Length > 0 ? int.Parse(args[0]) : 256;
int rounds = args.Length > 1 ? int.Parse(args[1]) : 2;
var ml = new MLContext(seed: 1);
var data = ml.Data.Cache(DigitImages(ml, rows));

var composite = DefaultModels.LoadResNet18WithPreprocessing();
string modelFile = Path.Combine(Path.GetTempPath(), "cnndiag-bench-resnet18.onnx");
composite.Save(modelFile);
var stageOutputs = composite.Layers.Where(l => l.OpType == "Relu" && composite.Layers.Any(a => a.OpType == "Add" && a.Outputs[0] == l.Inputs[0]))
    .Select(l => l.Name).Where((_, i) => i % 2 == 1).ToList();
var taps = stageOutputs.Append(DefaultModels.ResNet18Embedding).ToArray();
Console.WriteLine($"{rows} images 224x224, taps: {string.Join(", ", taps)}");

var baseline = ml.Transforms.ApplyOnnxModel([DefaultModels.ResNet18Embedding], [DefaultModels.ResNet18PixelsInput], modelFile).Fit(data);
using var tapped = ml.Transforms.CaptureActivations(new ActivationCaptureOptions { InputColumnName = DefaultModels.ResNet18PixelsInput, Layers = taps, BatchSize = 32 }).Fit(data);
// the same tap as it ran before its batches were bounded in bytes: all 32 rows per run, ONNX Runtime's arena and memory pattern on
using var whole = ml.Transforms.CaptureActivations(new ActivationCaptureOptions
{
    InputColumnName = DefaultModels.ResNet18PixelsInput, Layers = taps, BatchSize = 32,
    Execution = new MLNet.CnnDiagnostics.Execution.ExecutionOptions { BatchMemoryMegabytes = 0, CpuMemoryArena = true, MemoryPattern = true },
}).Fit(data);

double Measure(ITransformer model, string[] columns)
{
    var view = model.Transform(data);
    var cols = columns.Select(c => view.Schema[c]).ToList();
    var sw = Stopwatch.StartNew();
    using var cursor = view.GetRowCursor(cols);
    var getters = cols.Select(c => cursor.GetGetter<VBuffer<float>>(c)).ToList();
    var buffer = default(VBuffer<float>);
    long n = 0;
    while (cursor.MoveNext())
    {
        foreach (var g in getters) g(ref buffer);
        n++;
    }
    return n / sw.Elapsed.TotalSeconds;
}

Measure(baseline, [DefaultModels.ResNet18Embedding]);
Measure(tapped, [taps[0]]);
for (int r = 1; r <= rounds; r++)
{
    double b = Measure(baseline, [DefaultModels.ResNet18Embedding]);
    double t = Measure(tapped, taps.Select(x => composite.GetLayer(x).Name).ToArray());
    double w = Measure(whole, taps.Select(x => composite.GetLayer(x).Name).ToArray());
    Console.WriteLine($"round {r}: ML.NET ApplyOnnxModel (final output only) {b:F1} rows/s; tapped, batched (5 taps) {t:F1} rows/s; ratio {t / b:F2}x; " +
        $"32 rows a run with the arena (unbounded) {w:F1} rows/s ({t / w:F2}x of it)");
}

static IDataView DigitImages(MLContext ml, int count)
{
    using var gz = new GZipStream(File.OpenRead(Path.Combine(AppContext.BaseDirectory, "data", "mnist", "t10k-images-idx3-ubyte.gz")), CompressionMode.Decompress);
    using var ms = new MemoryStream();
    gz.CopyTo(ms);
    var bytes = ms.ToArray();
    var rows = new List<PixelRow>();
    for (int n = 0; n < count; n++)
    {
        var pixels = new float[3 * 224 * 224];
        for (int y = 0; y < 224; y++)
            for (int x = 0; x < 224; x++)
            {
                float v = bytes[16 + n * 784 + (y / 8) * 28 + x / 8];
                for (int c = 0; c < 3; c++) pixels[(c * 224 + y) * 224 + x] = v;
            }
        rows.Add(new PixelRow { OriginalInput = pixels });
    }
    var schema = SchemaDefinition.Create(typeof(PixelRow));
    schema[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 3 * 224 * 224);
    return ml.Data.LoadFromEnumerable(rows, schema);
}

sealed class PixelRow
{
    public float[] OriginalInput { get; set; } = [];
}
