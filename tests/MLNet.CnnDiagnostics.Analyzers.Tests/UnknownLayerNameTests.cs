using System.Text;
using Microsoft.CodeAnalysis.Testing;
using Microsoft.CodeAnalysis.Text;
using static MLNet.CnnDiagnostics.Analyzers.Tests.AnalyzerTestSetup;

namespace MLNet.CnnDiagnostics.Analyzers.Tests;

[TestClass]
public sealed class UnknownLayerNameTests
{
    // a lossless text form of the bytes, as an editor may hold it
    private static (string, SourceText)[] Model(string path) =>
        [(path, SourceText.From(new MemoryStream(TinyOnnxModel.Bytes()), Encoding.Latin1))];

    [TestMethod]
    public Task MisspeltLayer_WarnsWithHandRankedClosestNames() => Verify<UnknownLayerNameAnalyzer>.AnalyzerAsync(InMethod("""
                var taps = ml.Transforms.CaptureActivations("Pixels", modelPath: "model.onnx", layers: new[] { {|#0:"conv"|}, "relu1", "logits" });
        """), Model("/project/model.onnx"),
        // distances to "conv": conv1 1, W 4, fc 4, conv1_out 5, input 5, logits 5, relu1 5, relu1_out 8; ties in ordinal order
        new DiagnosticResult(CnnDiagnosticsRules.UnknownLayerName).WithLocation(0).WithArguments("conv", "model.onnx", "closest: conv1, W, fc, conv1_out, input"));

    [TestMethod]
    public Task LayerOfTapAfterApplyOnnxModel_UsesThatModelFile() => Verify<UnknownLayerNameAnalyzer>.AnalyzerAsync(InMethod("""
                var pipeline = ml.Transforms.ApplyOnnxModel("Logits", "Pixels", "models/model.onnx")
                    .Append(ml.Transforms.ExtractEmbedding("Embedding", "Pixels", {|CNND005:"relu"|}))
                    .Append(ml.Transforms.DumpFilters(new[] { "conv1" }))
                    .Append(ml.Transforms.DumpFilters([{|CNND005:"fc1"|}, "fc"]))
                    .AppendVisualization();
        """), Model("/project/models/model.onnx"));

    [TestMethod]
    public async Task LossyTextOfABinaryFile_IsReadFromDisk()
    {
        // the compiler on Linux decodes invalid UTF-8 bytes as U+FFFD: the analyzer must go to the file itself
        string folder = Directory.CreateTempSubdirectory("cnnd005").FullName;
        try
        {
            string path = Path.Combine(folder, "model.onnx");
            File.WriteAllBytes(path, TinyOnnxModel.Bytes());
            var lossy = SourceText.From(Encoding.UTF8.GetString(TinyOnnxModel.Bytes()), Encoding.UTF8);
            Assert.Contains('\uFFFD', lossy.ToString());
            await Verify<UnknownLayerNameAnalyzer>.AnalyzerAsync(InMethod("""
                    var taps = ml.Transforms.CaptureActivations("Pixels", new[] { "conv1", {|CNND005:"relu_1"|} }, "model.onnx");
            """), [(path, lossy)]);
            // the same lossy text with no file behind it: nothing can be known, so nothing is reported
            await Verify<UnknownLayerNameAnalyzer>.AnalyzerAsync(InMethod("""
                    var taps = ml.Transforms.CaptureActivations("Pixels", new[] { "conv1", "relu_1" }, "model.onnx");
            """), [(Path.Combine(folder, "missing", "model.onnx"), lossy)]);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public Task ExistingNamesUnlistedModelsAndComputedNames_NoWarning() => Verify<UnknownLayerNameAnalyzer>.AnalyzerAsync(InMethod("""
                var good = ml.Transforms.CaptureActivations("Pixels", new[] { "conv1", "relu1_out", "logits" }, "model.onnx");
                var otherModel = ml.Transforms.CaptureActivations("Pixels", new[] { "nope" }, "other.onnx");
                string computed = "co" + DateTime.Now.Second;
                var notConstant = ml.Transforms.CaptureActivations("Pixels", new[] { computed }, "model.onnx");
                var noModel = ml.Transforms.CaptureActivations("Pixels", new[] { "nope" });
                var plain = ml.Transforms.Concatenate("conv9", "conv1");
        """), Model("/project/model.onnx"));

    [TestMethod]
    public Task UnrelatedMethodWithTheTapName_NoWarning() => Verify<UnknownLayerNameAnalyzer>.AnalyzerAsync("""
        using Microsoft.ML;

        static class Mine
        {
            public static object CaptureActivations(this TransformsCatalog catalog, string inputColumnName, string modelPath, string[] layers) => null;
        }

        class Program
        {
            static void Run(MLContext ml) => Mine.CaptureActivations(ml.Transforms, "Pixels", "model.onnx", new[] { "nope" });
        }
        """, Model("/project/model.onnx"));
}
