using Microsoft.ML;
using MLNet.CnnDiagnostics;

// Build this project to see the analyzers at work: `dotnet build samples/AnalyzerDemo`.
// Each method below holds one mistake a CNND rule catches (analyzers/README.md lists them all).
// Nothing is fitted when it runs: the pipelines are only built.
Console.WriteLine("Build this project and read its CNND warnings; see analyzers/README.md.");

static class Mistakes
{
    // no warning: the CNN, a tap and the visualization that reports on them
    public static ITransformer Correct(MLContext ml, IDataView data) =>
        ml.Transforms.ApplyOnnxModel("Features", "Pixels", "ResNet18.onnx")
            .Append(ml.Transforms.CaptureActivations("Pixels", ["ReLU253"], "ResNet18.onnx"))
            .AppendVisualization(o => o.ReportPath = "diagnostics.html")
            .Fit(data);

    // CNND001: the CNN stage runs, but the pipeline is fitted without AppendVisualization()
    public static ITransformer ForgottenVisualization(MLContext ml, IDataView data)
    {
        var pipeline = ml.Transforms.CopyColumns("Pixels", "Image")
            .Append(ml.Transforms.ApplyOnnxModel("Features", "Pixels", "ResNet18.onnx"));
        return pipeline.Fit(data);
    }

    // CNND002: Append returns a new chain; this one is thrown away
    public static IEstimator<ITransformer> DiscardedTap(MLContext ml)
    {
        IEstimator<ITransformer> pipeline = ml.Transforms.ApplyOnnxModel("Features", "Pixels", "ResNet18.onnx");
        pipeline.Append(ml.Transforms.ExtractEmbedding("Embedding", "Pixels", modelPath: "ResNet18.onnx"));
        return pipeline;
    }

    // CNND003: the captured activation column is dropped before anything can show it
    public static IEstimator<ITransformer> DroppedTapColumn(MLContext ml) =>
        ml.Transforms.CaptureActivations("Pixels", ["ReLU253"], "ResNet18.onnx")
            .Append(ml.Transforms.DropColumns("ReLU253"));

    // CNND004: the variable held a tap, then is pointed at a chain without it, then fitted
    public static ITransformer LostTaps(MLContext ml, IDataView data)
    {
        IEstimator<ITransformer> pipeline = ml.Transforms.ExtractEmbedding("Embedding", "Pixels", modelPath: "ResNet18.onnx");
        pipeline = ml.Transforms.CopyColumns("Copy", "Pixels");
        return pipeline.Fit(data);
    }

    // CNND005: there is no such layer in ResNet18.onnx (an AdditionalFiles item of this project)
    public static IEstimator<ITransformer> MisspeltLayer(MLContext ml) =>
        ml.Transforms.DumpFilters(["Convolution28"], "ResNet18.onnx");
}
