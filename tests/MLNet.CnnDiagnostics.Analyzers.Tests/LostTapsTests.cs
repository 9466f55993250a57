using static MLNet.CnnDiagnostics.Analyzers.Tests.AnalyzerTestSetup;

namespace MLNet.CnnDiagnostics.Analyzers.Tests;

[TestClass]
public sealed class LostTapsTests
{
    [TestMethod]
    public Task ReassignmentWithoutTheTapsBeforeFit_Warns() => Verify<LostTapsAnalyzer>.AnalyzerAsync(InMethod("""
                IEstimator<ITransformer> pipeline = ml.Transforms.ApplyOnnxModel("Logits", "Pixels", "model.onnx");
                pipeline = pipeline.Append(ml.Transforms.CaptureActivations("Pixels", new[] { "conv1" }));
                {|#0:pipeline = ml.Transforms.ApplyOnnxModel("Logits", "Pixels", "model.onnx").AppendVisualization()|};
                pipeline.Fit(data);
        """), new Microsoft.CodeAnalysis.Testing.DiagnosticResult(CnnDiagnosticsRules.LostTaps).WithLocation(0).WithArguments("pipeline", "CaptureActivations"));

    [TestMethod]
    public Task ReassignmentBeforeAFluentFit_Warns() => Verify<LostTapsAnalyzer>.AnalyzerAsync(InMethod("""
                IEstimator<ITransformer> pipeline = ml.Transforms.ExtractEmbedding("Embedding", "Pixels");
                {|CNND004:pipeline = ml.Transforms.Concatenate("Features", "Pixels")|};
                pipeline.Append(ml.Transforms.CopyColumns("A", "B")).AppendVisualization().Fit(data);
        """));

    [TestMethod]
    public Task ReassignmentThatKeepsTheChain_NoWarning() => Verify<LostTapsAnalyzer>.AnalyzerAsync(InMethod("""
                IEstimator<ITransformer> pipeline = ml.Transforms.ExtractEmbedding("Embedding", "Pixels");
                pipeline = pipeline.Append(ml.Transforms.ProjectTsne("Map", "Embedding"));
                pipeline = pipeline.AppendVisualization();
                pipeline.Fit(data);
        """));

    [TestMethod]
    public Task ReassignmentNotFittedAfterwards_NoWarning() => Verify<LostTapsAnalyzer>.AnalyzerAsync(InMethod("""
                IEstimator<ITransformer> pipeline = ml.Transforms.ExtractEmbedding("Embedding", "Pixels");
                pipeline.AppendVisualization().Fit(data);
                pipeline = ml.Transforms.Concatenate("Features", "A");
        """));

    [TestMethod]
    public Task NonCnnPipelineOrUnrelatedType_NoWarning() => Verify<LostTapsAnalyzer>.AnalyzerAsync("""
        using Microsoft.ML;
        using MLNet.CnnDiagnostics;

        class Model
        {
            public Model Append(object stage) => this;
            public Model Fit(IDataView data) => this;
        }

        class Program
        {
            static void Run(MLContext ml, IDataView data)
            {
                IEstimator<ITransformer> plain = ml.Transforms.Concatenate("Features", "A");
                plain = ml.Transforms.NormalizeMinMax("Features");
                plain.Fit(data);
                var model = new Model().Append(ml.Transforms.CaptureActivations("Pixels", new[] { "conv1" }));
                model = new Model();
                model.Fit(data);
            }
        }
        """);
}
