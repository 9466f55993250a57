using MLNet.CnnDiagnostics.CodeFixes;
using static MLNet.CnnDiagnostics.Analyzers.Tests.AnalyzerTestSetup;

namespace MLNet.CnnDiagnostics.Analyzers.Tests;

[TestClass]
public sealed class MissingVisualizationTests
{
    [TestMethod]
    public Task FitOfOnnxChainWithoutVisualization_Warns() => Verify<MissingVisualizationAnalyzer>.AnalyzerAsync(InMethod("""
                var pipeline = ml.Transforms.CopyColumns("Pixels", "Image")
                    .Append(ml.Transforms.ApplyOnnxModel("Logits", "Pixels", "model.onnx"));
                var model = {|CNND001:pipeline.Fit(data)|};
        """));

    [TestMethod]
    public Task FitOfTapFollowedThroughLocalsAndConcatenation_Warns() => Verify<MissingVisualizationAnalyzer>.AnalyzerAsync(InMethod("""
                var taps = ml.Transforms.CaptureActivations("Pixels", new[] { "conv1" });
                IEstimator<ITransformer> head = ml.Transforms.Concatenate("Features", "conv1");
                var pipeline = taps.Append(head);
                {|CNND001:pipeline.Fit(data)|};
        """));

    [TestMethod]
    public Task FitOfDnnFeaturizerInline_Warns() => Verify<MissingVisualizationAnalyzer>.AnalyzerAsync(InMethod("""
                {|CNND001:ml.Transforms.DnnFeaturizeImage("Features", m => null, "Pixels").Fit(data)|};
        """));

    [TestMethod]
    public Task VisualizedPipeline_NoWarning() => Verify<MissingVisualizationAnalyzer>.AnalyzerAsync(InMethod("""
                var pipeline = ml.Transforms.ApplyOnnxModel("Logits", "Pixels", "model.onnx")
                    .Append(ml.Transforms.ExtractEmbedding("Embedding", "Pixels", "conv1"))
                    .AppendVisualization(o => o.ReportPath = "report.html");
                pipeline.Fit(data);
                var visualized = ml.Transforms.ApplyOnnxModel("Logits", "Pixels", "model.onnx").AppendVisualization();
                var extended = visualized.Append(ml.Transforms.Concatenate("F", "Logits"));
                extended.Fit(data);
        """));

    [TestMethod]
    public Task NonCnnPipeline_NoWarning() => Verify<MissingVisualizationAnalyzer>.AnalyzerAsync(InMethod("""
                var pipeline = ml.Transforms.Concatenate("Features", "A", "B")
                    .Append(ml.Transforms.NormalizeMinMax("Features"));
                pipeline.Fit(data);
        """));

    [TestMethod]
    public Task ChainFromParameterOrUnrelatedFit_NoWarning() => Verify<MissingVisualizationAnalyzer>.AnalyzerAsync("""
        using Microsoft.ML;

        class Trainer
        {
            public Trainer Append(object stage) => this;
            public Trainer Fit(IDataView data) => this;
        }

        class Program
        {
            static void Run(MLContext ml, IDataView data, IEstimator<ITransformer> prefix)
            {
                // the prefix might already hold the visualization: not followed, so no warning
                prefix.Append(ml.Transforms.ApplyOnnxModel("Logits", "Pixels", "model.onnx")).Fit(data);
                new Trainer().Append(ml.Transforms.ApplyOnnxModel("Logits", "Pixels", "model.onnx")).Fit(data);
            }
        }
        """);

    [TestMethod]
    public Task CodeFix_InsertsAppendVisualizationBeforeFit() => Verify<MissingVisualizationAnalyzer>.CodeFixAsync<AddVisualizationCodeFixProvider>(
        InMethod("""
                var pipeline = ml.Transforms.ApplyOnnxModel("Logits", "Pixels", "model.onnx");
                var model = {|CNND001:pipeline.Fit(data)|};
                var inline = {|CNND001:ml.Transforms.CopyColumns("Pixels", "Image")
                    .Append(ml.Transforms.ApplyOnnxModel("Logits", "Pixels", "model.onnx"))
                    .Fit(data)|};
        """),
        InMethod("""
                var pipeline = ml.Transforms.ApplyOnnxModel("Logits", "Pixels", "model.onnx");
                var model = pipeline.AppendVisualization().Fit(data);
                var inline = ml.Transforms.CopyColumns("Pixels", "Image")
                    .Append(ml.Transforms.ApplyOnnxModel("Logits", "Pixels", "model.onnx"))
                    .AppendVisualization()
                    .Fit(data);
        """));

    [TestMethod]
    public Task FixAll_AddsTheImportOnce() => Verify<MissingVisualizationAnalyzer>.CodeFixAsync<AddVisualizationCodeFixProvider>(
        """
        using Microsoft.ML;

        class Program
        {
            static void Run(MLContext ml, IDataView data)
            {
                var first = ml.Transforms.ApplyOnnxModel("Logits", "Pixels", "a.onnx");
                {|CNND001:first.Fit(data)|};
                var second = ml.Transforms.ApplyOnnxModel("Logits", "Pixels", "b.onnx");
                {|CNND001:second.Fit(data)|};
            }
        }
        """,
        """
        using Microsoft.ML;
        using MLNet.CnnDiagnostics;

        class Program
        {
            static void Run(MLContext ml, IDataView data)
            {
                var first = ml.Transforms.ApplyOnnxModel("Logits", "Pixels", "a.onnx");
                first.AppendVisualization().Fit(data);
                var second = ml.Transforms.ApplyOnnxModel("Logits", "Pixels", "b.onnx");
                second.AppendVisualization().Fit(data);
            }
        }
        """);
}
