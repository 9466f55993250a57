// QuickStart: MNIST digits → the embedded ResNet18 → an ML.NET classifier → a diagnostic report.
//   dotnet run --project samples/QuickStart [-- --rows 2000 --report-rows 500 --out artifacts/quickstart-report.html]
using Microsoft.ML;
using MLNet.CnnDiagnostics;
using MLNet.CnnDiagnostics.Data;

var options = QuickStartOptions.Parse(args);
var ml = new MLContext(seed: 1);
using var progress = new ConsoleProgressBar();

// 1. Real data: MNIST test digits shipped in the repository, written as PNG files as an image dataset would be.
var digits = DigitFiles.Write(Path.Combine(AppContext.BaseDirectory, "data", "mnist"), options.ImageFolder, options.Rows);
var split = ml.Data.TrainTestSplit(ml.Data.LoadFromEnumerable(digits), testFraction: 0.2, seed: 1);

// 2. An ordinary ML.NET image pipeline: the ResNet18 featurizer tap, a linear classifier, and the visualization.
var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
    .Append(ml.Transforms.LoadImages("Image", options.ImageFolder, "ImagePath"))
    .Append(ml.Transforms.ResizeImages("Image", 224, 224))
    .Append(ml.Transforms.ExtractPixels("Pixels", "Image"))
    .Append(ml.Transforms.ExtractEmbedding(new() { OutputColumnName = "Features", InputColumnName = "Pixels", Progress = progress }))
    .AppendCacheCheckpoint(ml)
    .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy("Label", "Features"))
    .AppendVisualization(o =>
    {
        o.ReportPath = options.ReportPath;
        o.MaxRows = options.ReportRows;
        o.Progress = progress;
    });

// 3. Fit: trains the classifier and writes the report.
var model = pipeline.Fit(split.TrainSet);
var metrics = ml.MulticlassClassification.Evaluate(model.Transform(split.TestSet));
progress.Dispose();
Console.WriteLine($"test accuracy: {metrics.MacroAccuracy:P1} (macro), {metrics.MicroAccuracy:P1} (micro) on {split.TestSet.GetRowCount() ?? digits.Count / 5} digits");
Console.WriteLine($"report: {model.ReportPath}");
