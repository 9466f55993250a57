// CustomSection: the QuickStart's pipeline with one section of your own added to the report (BrightnessSection.cs).
//   dotnet run --project samples/CustomSection [-- artifacts/custom-section-report.html]
using Microsoft.ML;
using MLNet.CnnDiagnostics;
using MLNet.CnnDiagnostics.Reporting;

string reportPath = args.Length > 0 ? args[0] : Path.Combine("artifacts", "custom-section-report.html");
string imageFolder = Path.Combine(Path.GetTempPath(), "cnndiag-custom-section-digits");
var ml = new MLContext(seed: 1);
var digits = DigitFiles.Write(Path.Combine(AppContext.BaseDirectory, "data", "mnist"), imageFolder, 200);

var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
    .Append(ml.Transforms.LoadImages("Image", imageFolder, "ImagePath"))
    .Append(ml.Transforms.ResizeImages("Image", 224, 224))
    .Append(ml.Transforms.ExtractPixels("Pixels", "Image"))
    .Append(ml.Transforms.ExtractEmbedding("Features", "Pixels"))
    .AppendCacheCheckpoint(ml)
    .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy("Label", "Features"))
    .AppendVisualization(o =>
    {
        o.ReportPath = reportPath;
        o.MaxRows = 100;
        o.Sections = ReportSections.Model | ReportSections.Embedding;   // the built-in sections to keep
        o.AddSection(new BrightnessSection());                           // and yours, after them
    });

var model = pipeline.Fit(ml.Data.LoadFromEnumerable(digits));
var result = (BrightnessSection.Result)model.Report.Summary.Sections["brightness"];
Console.WriteLine($"mean brightness {result.Mean:F1}; per class: {string.Join(", ", result.PerClass.Select(p => $"{p.Key} {p.Value:F1}"))}");
Console.WriteLine($"report: {model.ReportPath}");
