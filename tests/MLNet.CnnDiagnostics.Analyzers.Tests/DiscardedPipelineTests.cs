using MLNet.CnnDiagnostics.CodeFixes;
using static MLNet.CnnDiagnostics.Analyzers.Tests.AnalyzerTestSetup;

namespace MLNet.CnnDiagnostics.Analyzers.Tests;

[TestClass]
public sealed class DiscardedPipelineTests
{
    [TestMethod]
    public Task DiscardedVisualizationAndTapAppend_Warn() => Verify<DiscardedPipelineAnalyzer>.AnalyzerAsync(InMethod("""
                IEstimator<ITransformer> pipeline = ml.Transforms.ApplyOnnxModel("Logits", "Pixels", "model.onnx");
                {|CNND002:pipeline.Append(ml.Transforms.CaptureActivations("Pixels", new[] { "conv1" }))|};
                {|CNND002:pipeline.AppendVisualization()|};
                {|CNND002:pipeline.Append(ml.Transforms.CopyColumns("A", "B")).Append(ml.Transforms.ProjectTsne("Map", "Embedding"))|};
                {|CNND002:ml.Transforms.ApplyOnnxModel("Logits", "Pixels", "model.onnx").AppendVisualization()|};
                pipeline.Fit(data);
        """));

    [TestMethod]
    public Task AssignedResults_NoWarning() => Verify<DiscardedPipelineAnalyzer>.AnalyzerAsync(InMethod("""
                IEstimator<ITransformer> pipeline = ml.Transforms.ApplyOnnxModel("Logits", "Pixels", "model.onnx");
                pipeline = pipeline.Append(ml.Transforms.CaptureActivations("Pixels", new[] { "conv1" }));
                var visualized = pipeline.AppendVisualization();
                visualized.Fit(data);
        """));

    [TestMethod]
    public Task DiscardedNonTapAppendOrUnrelatedAppend_NoWarning() => Verify<DiscardedPipelineAnalyzer>.AnalyzerAsync("""
        using System.Collections.Generic;
        using System.Linq;
        using Microsoft.ML;
        using MLNet.CnnDiagnostics;

        class Log
        {
            public Log Append(object entry) => this;
        }

        class Program
        {
            static void Run(MLContext ml, IDataView data)
            {
                var pipeline = ml.Transforms.Concatenate("Features", "A", "B");
                pipeline.Append(ml.Transforms.NormalizeMinMax("Features"));
                new Log().Append(ml.Transforms.CaptureActivations("Pixels", new[] { "conv1" }));
                new List<int>().Append(1);
            }
        }
        """);

    [TestMethod]
    public Task CodeFix_AssignsBackToTheVariable() => Verify<DiscardedPipelineAnalyzer>.CodeFixAsync<AssignBackCodeFixProvider>(
        InMethod("""
                IEstimator<ITransformer> pipeline = ml.Transforms.ApplyOnnxModel("Logits", "Pixels", "model.onnx");
                {|CNND002:pipeline.Append(ml.Transforms.CaptureActivations("Pixels", new[] { "conv1" }))|};
                pipeline.Fit(data);
        """),
        InMethod("""
                IEstimator<ITransformer> pipeline = ml.Transforms.ApplyOnnxModel("Logits", "Pixels", "model.onnx");
                pipeline = pipeline.Append(ml.Transforms.CaptureActivations("Pixels", new[] { "conv1" }));
                pipeline.Fit(data);
        """));

    [TestMethod]
    public Task CodeFix_NotOfferedWhenTheResultDoesNotFitTheVariable() => Verify<DiscardedPipelineAnalyzer>.CodeFixAsync<AssignBackCodeFixProvider>(
        InMethod("""
                var onnx = ml.Transforms.ApplyOnnxModel("Logits", "Pixels", "model.onnx");
                {|CNND002:onnx.AppendVisualization()|};
        """),
        InMethod("""
                var onnx = ml.Transforms.ApplyOnnxModel("Logits", "Pixels", "model.onnx");
                {|CNND002:onnx.AppendVisualization()|};
        """));

    [TestMethod]
    public Task FixAll_AssignsEveryDiscardedChain() => Verify<DiscardedPipelineAnalyzer>.CodeFixAsync<AssignBackCodeFixProvider>(
        InMethod("""
                IEstimator<ITransformer> pipeline = ml.Transforms.ApplyOnnxModel("Logits", "Pixels", "model.onnx");
                {|CNND002:pipeline.Append(ml.Transforms.ExtractEmbedding("Embedding", "Pixels", "conv1"))|};
                {|CNND002:pipeline.AppendVisualization()|};
                pipeline.Fit(data);
        """),
        InMethod("""
                IEstimator<ITransformer> pipeline = ml.Transforms.ApplyOnnxModel("Logits", "Pixels", "model.onnx");
                pipeline = pipeline.Append(ml.Transforms.ExtractEmbedding("Embedding", "Pixels", "conv1"));
                pipeline = pipeline.AppendVisualization();
                pipeline.Fit(data);
        """));
}
