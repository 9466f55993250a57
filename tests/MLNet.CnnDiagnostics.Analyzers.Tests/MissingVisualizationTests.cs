using System.Text;
using Microsoft.CodeAnalysis.Text;
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
    public async Task OnnxModelKnownToHaveNoConvolution_NoWarning()
    {
        // ML.NET's taxi-fare sample: ApplyOnnxModel of a regressor, then Fit. The model is known from an AdditionalFiles
        // item or from a constant path that leads to a file, and only a model with a convolution makes the stage a CNN.
        string folder = Directory.CreateTempSubdirectory("cnnd001").FullName;
        try
        {
            string regressor = Path.Combine(folder, "taxi-fare-model.onnx"), cnn = Path.Combine(folder, "cnn.onnx");
            File.WriteAllBytes(regressor, TinyOnnxModel.Bytes("MatMul"));
            File.WriteAllBytes(cnn, TinyOnnxModel.Bytes());
            (string, SourceText)[] item = [("/project/taxi-fare-model.onnx", SourceText.From(new MemoryStream(TinyOnnxModel.Bytes("MatMul")), Encoding.Latin1))];
            await Verify<MissingVisualizationAnalyzer>.AnalyzerAsync(InMethod("""
                        var model = ml.Transforms.ApplyOnnxModel("taxi-fare-model.onnx").Fit(data);
                """), item);
            await Verify<MissingVisualizationAnalyzer>.AnalyzerAsync(InMethod($$"""
                        ml.Transforms.ApplyOnnxModel("{{regressor}}").Fit(data);
                        {|CNND001:ml.Transforms.ApplyOnnxModel("{{cnn}}").Fit(data)|};
                        {|CNND001:ml.Transforms.ApplyOnnxModel("{{Path.Combine(folder, "missing.onnx")}}").Fit(data)|};
                        {|CNND001:ml.Transforms.ApplyOnnxModel("{{regressor}}").Append(ml.Transforms.ExtractEmbedding("E", "Pixels")).Fit(data)|};
                """));
            // a relative path is looked up under the project folder
            await Verify<MissingVisualizationAnalyzer>.AnalyzerInProjectAsync(InMethod("""
                        ml.Transforms.ApplyOnnxModel("taxi-fare-model.onnx").Fit(data);
                        {|CNND001:ml.Transforms.ApplyOnnxModel("cnn.onnx").Fit(data)|};
                        {|CNND001:ml.Transforms.ApplyOnnxModel("elsewhere/taxi-fare-model.onnx").Fit(data)|};
                """), folder, []);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public Task TapsAreKnownByTheirAttributeNotTheirName() => Verify<MissingVisualizationAnalyzer>.AnalyzerAsync("""
        using Microsoft.ML;
        using MLNet.CnnDiagnostics;

        namespace User
        {
            static class MyTaps
            {
                [DiagnosticStage(DiagnosticStageKind.Tap, OutputColumnParameter = "output")]
                public static IEstimator<ITransformer> GradientNorms(this TransformsCatalog catalog, string output) => null;
            }
        }

        namespace MLNet.CnnDiagnostics.Extra
        {
            static class Lookalikes
            {
                // the name of a tap, but no attribute: not a tap
                public static IEstimator<ITransformer> ExtractEmbedding(this TransformsCatalog catalog, string output) => null;
            }
        }

        class Program
        {
            static void Run(MLContext ml, IDataView data)
            {
                {|CNND001:User.MyTaps.GradientNorms(ml.Transforms, "Norms").Fit(data)|};
                MLNet.CnnDiagnostics.Extra.Lookalikes.ExtractEmbedding(ml.Transforms, "E").Fit(data);
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
