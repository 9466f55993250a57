using Google.Protobuf;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.CnnDiagnostics.MLNet;
using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Tests.Onnx;

namespace MLNet.CnnDiagnostics.Tests.MLNet;

/// <summary>
/// Reports of the small grayscale CNN (28×28, two 3×3 convs with 2×2 max pools, two Gemms) on MNIST digits,
/// through the two paths that met it: <c>cnndiag report --grayscale --mean 0.5 --std 0.5</c> (the normalisation folded into
/// the graph, 0..255 pixels fed through the embedding tap) and ML.NET's ExtractPixels(offsetImage: 127.5, scaleImage: 1/127.5)
/// → ApplyOnnxModel → AppendVisualization (inputs in [−1, 1], described by pixel mean 127.5 and std 127.5).
/// </summary>
public static class GrayscaleReports
{
    public enum Path { FoldedNormalization, ScaledPixels }

    private sealed class Row
    {
        public float[] Pixels { get; set; } = [];
        public int Digit { get; set; }
    }

    private static IDataView Digits(MLContext ml, int count, bool scaled)
    {
        var rows = Enumerable.Range(0, count).Select(i => new Row
        {
            // ExtractPixels(offsetImage: 127.5, scaleImage: 1/127.5) computes (pixel − 127.5)/127.5
            Pixels = MnistFixture.Images[i].Select(b => scaled ? (b - 127.5f) / 127.5f : b).ToArray(),
            Digit = MnistLabels.All[i],
        }).ToList();
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Pixels)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 1, 28, 28);
        return ml.Data.LoadFromEnumerable(rows, schema);
    }

    /// <summary>Fits the pipeline of <paramref name="path"/> on <paramref name="rows"/> digits and writes the report to <paramref name="html"/> (null: none).</summary>
    internal static VisualizingTransformer Fit(Path path, string? html, int rows = 80, int steps = 60)
    {
        var ml = new MLContext(seed: 1);
        var cnn = TinyModels.GrayscaleCnn(2);
        if (path == Path.FoldedNormalization)
        {
            var folded = ModelGraph.Load(cnn.ToByteArray(), "grayscale_cnn.onnx").WithInputNormalization([0.5f], [0.5f], 255f);
            return ml.Transforms.Conversion.MapValueToKey("Label", "Digit")
                .Append(ml.Transforms.ExtractEmbedding(new EmbeddingExtractionOptions { OutputColumnName = "Features", InputColumnName = "Pixels", Model = folded }))
                .AppendVisualization(o => { o.ReportPath = html; o.MaxRows = rows; o.ClassVisualizationSteps = steps; })
                .Fit(Digits(ml, rows, scaled: false));
        }
        string file = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"cnndiag-grayscale-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(file, cnn.ToByteArray());
        return ml.Transforms.Conversion.MapValueToKey("Label", "Digit")
            .Append(ml.Transforms.CopyColumns("pixels", "Pixels"))
            .Append(ml.Transforms.ApplyOnnxModel("logits", "pixels", file))
            .AppendVisualization(o => { o.ReportPath = html; o.MaxRows = rows; o.ClassVisualizationSteps = steps; o.PixelMean = [127.5f]; o.PixelStd = [127.5f]; })
            .Fit(Digits(ml, rows, scaled: true));
    }
}
