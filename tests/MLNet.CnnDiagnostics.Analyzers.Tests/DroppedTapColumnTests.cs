using Microsoft.CodeAnalysis.Testing;
using static MLNet.CnnDiagnostics.Analyzers.Tests.AnalyzerTestSetup;

namespace MLNet.CnnDiagnostics.Analyzers.Tests;

[TestClass]
public sealed class DroppedTapColumnTests
{
    [TestMethod]
    public Task DropColumnsOfATapColumn_WarnsOnTheName() => Verify<DroppedTapColumnAnalyzer>.AnalyzerAsync(InMethod("""
                var pipeline = ml.Transforms.ApplyOnnxModel("Logits", "Pixels", "model.onnx")
                    .Append(ml.Transforms.ExtractEmbedding("Embedding", "Pixels", "conv1"))
                    .Append(ml.Transforms.DropColumns("Pixels", {|#0:"Embedding"|}))
                    .AppendVisualization();
        """), new DiagnosticResult(CnnDiagnosticsRules.DroppedTapColumn).WithLocation(0).WithArguments("Embedding", "ExtractEmbedding", "DropColumns"));

    [TestMethod]
    public Task SelectColumnsWithoutLayerColumns_WarnsPerColumn_ThroughALocal() => Verify<DroppedTapColumnAnalyzer>.AnalyzerAsync(InMethod("""
                var taps = ml.Transforms.CaptureActivations("Pixels", new[] { "conv1", "relu1" });
                var pipeline = taps.Append({|#0:ml.Transforms.SelectColumns("Label", "relu1")|});
                var other = taps.Append({|#1:ml.Transforms.SelectColumns(new[] { "Label" }, false)|});
                var collection = ml.Transforms.CaptureActivations("Pixels", ["conv1"]).Append({|#2:ml.Transforms.SelectColumns(["Label"], true)|});
        """), new DiagnosticResult(CnnDiagnosticsRules.DroppedTapColumn).WithLocation(0).WithArguments("conv1", "CaptureActivations", "SelectColumns"),
            new DiagnosticResult(CnnDiagnosticsRules.DroppedTapColumn).WithLocation(1).WithArguments("conv1", "CaptureActivations", "SelectColumns"),
            new DiagnosticResult(CnnDiagnosticsRules.DroppedTapColumn).WithLocation(1).WithArguments("relu1", "CaptureActivations", "SelectColumns"),
            new DiagnosticResult(CnnDiagnosticsRules.DroppedTapColumn).WithLocation(2).WithArguments("conv1", "CaptureActivations", "SelectColumns"));

    [TestMethod]
    public Task RemovalAfterVisualizationOrOfOtherColumns_NoWarning() => Verify<DroppedTapColumnAnalyzer>.AnalyzerAsync(InMethod("""
                var seen = ml.Transforms.ExtractEmbedding("Embedding", "Pixels", "conv1")
                    .AppendVisualization()
                    .Append(ml.Transforms.DropColumns("Embedding"));
                var other = ml.Transforms.ProjectTsne("Map", "Embedding")
                    .Append(ml.Transforms.DropColumns("Pixels"))
                    .Append(ml.Transforms.SelectColumns("Map", "Label"))
                    .AppendVisualization();
        """));

    [TestMethod]
    public Task NonCnnPipelineOrUnrelatedAppend_NoWarning() => Verify<DroppedTapColumnAnalyzer>.AnalyzerAsync("""
        using Microsoft.ML;
        using MLNet.CnnDiagnostics;

        class Columns
        {
            public Columns Append(object stage) => this;
        }

        class Program
        {
            static void Run(MLContext ml, string[] names)
            {
                var plain = ml.Transforms.Concatenate("Embedding", "A").Append(ml.Transforms.DropColumns("Embedding"));
                new Columns().Append(ml.Transforms.ExtractEmbedding("Embedding", "Pixels")).Append(ml.Transforms.DropColumns("Embedding"));
                var unknown = ml.Transforms.ExtractEmbedding("Embedding", "Pixels").Append(ml.Transforms.SelectColumns(names));
            }
        }
        """);
}
