using Google.Protobuf;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.CnnDiagnostics.Execution;
using MLNet.CnnDiagnostics.MLNet;
using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Tests.Onnx;

namespace MLNet.CnnDiagnostics.Tests.MLNet;

[TestClass]
public sealed class TapTests
{
    private const int Pixels = 3 * 224 * 224;

    private sealed class ImageRow
    {
        public float[] Pixels { get; set; } = [];
        public int Label { get; set; }
    }

    private static IDataView Digits(MLContext ml, int count)
    {
        var images = ResNet18Fixture.Digits(count);
        var rows = Enumerable.Range(0, count).Select(i => new ImageRow { Pixels = images.Slice(i).Data.Select(v => v + 114f).ToArray(), Label = i % 10 }).ToList();
        var schema = SchemaDefinition.Create(typeof(ImageRow));
        schema[nameof(ImageRow.Pixels)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Pixels);
        return ml.Data.LoadFromEnumerable(rows, schema);
    }

    private static float[][] Column(IDataView view, string name) =>
        view.GetColumn<VBuffer<float>>(name).Select(v => v.DenseValues().ToArray()).ToArray();

    [TestMethod]
    public void CaptureActivations_InBatches_EqualsTheModelRunRowByRow()
    {
        var ml = new MLContext(seed: 1);
        var data = Digits(ml, 7);
        var estimator = ml.Transforms.CaptureActivations(new ActivationCaptureOptions { Layers = ["Convolution249", "ReLU261_Output_0"], BatchSize = 3 });
        using var tap = estimator.Fit(data);
        var output = tap.Transform(data);
        var col = output.Schema["Convolution249"];
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 64, 112, 112), col.Type);
        Assert.IsNotNull(col.Annotations.Schema.GetColumnOrNull(OnnxTapTransformer.TapAnnotation));
        var conv = Column(output, "Convolution249");
        var relu = Column(output, "ReLU261");
        CollectionAssert.AreEqual(Enumerable.Range(0, 7).Select(i => i % 10).ToArray(),
            output.GetColumn<int>("Label").ToArray(), "pass-through column stays aligned with the tapped rows");

        var composite = DefaultModels.LoadResNet18WithPreprocessing();
        using var reference = new OnnxExecutor(composite.WithOutputs(["Convolution249_Output_0", "ReLU261_Output_0"]));
        var images = ResNet18Fixture.Digits(7);
        for (int n = 0; n < 7; n++)
        {
            var x = images.Slice(n);
            for (int i = 0; i < x.Length; i++) x.Data[i] += 114f;
            var r = reference.Run(x);
            AssertClose(r["Convolution249_Output_0"].Data, conv[n], $"row {n} conv");
            AssertClose(r["ReLU261_Output_0"].Data, relu[n], $"row {n} relu");
        }
    }

    [TestMethod]
    public void ExtractEmbedding_DefaultsToTheLastPooledTensor_AndNormalizes()
    {
        var ml = new MLContext(seed: 1);
        var data = Digits(ml, 4);
        using var plain = ml.Transforms.ExtractEmbedding().Fit(data);
        using var normalized = ml.Transforms.ExtractEmbedding("Unit", normalize: true).Fit(data);
        Assert.AreEqual(DefaultModels.ResNet18Embedding, plain.Layer);
        Assert.AreEqual(512, plain.Dimension);
        var e = Column(plain.Transform(data), "Embedding");
        var u = Column(normalized.Transform(data), "Unit");
        for (int n = 0; n < 4; n++)
        {
            double norm = Math.Sqrt(e[n].Sum(v => (double)v * v));
            Assert.IsGreaterThan(0, norm);
            for (int i = 0; i < 512; i++) Assert.AreEqual(e[n][i] / norm, u[n][i], 1e-5);
        }
    }

    [TestMethod]
    public void ReleaseSession_TheNextTransformMakesANewSession_WithIdenticalColumns()
    {
        var ml = new MLContext(seed: 1);
        var data = Digits(ml, 3);
        using var tap = ml.Transforms.ExtractEmbedding().Fit(data);
        var before = Column(tap.Transform(data), "Embedding");
        tap.ReleaseSession();
        tap.ReleaseSession(); // nothing to release: no session was made since
        var after = Column(tap.Transform(data), "Embedding");
        for (int n = 0; n < 3; n++) CollectionAssert.AreEqual(before[n], after[n]);
    }

    [TestMethod]
    public void ExtractEmbedding_OfAModelWithAClassifier_IsTheClassifiersInput()
    {
        var g = ModelGraph.Load(TinyModels.SmallCnn().ToByteArray(), "small.onnx");
        Assert.AreEqual("fc", g.FindClassifierLayer()!.Name);
        Assert.AreEqual("features", g.FindEmbeddingTensor());
    }

    [TestMethod]
    public void SaveLoad_RoundTrip_GivesIdenticalColumns()
    {
        var ml = new MLContext(seed: 1);
        var data = Digits(ml, 3);
        var pipeline = ml.Transforms.CaptureActivations("Pixels", ["ReLU253"])
            .Append(ml.Transforms.ExtractEmbedding("Embedding", "Pixels"));
        var model = pipeline.Fit(data);
        var before = model.Transform(data);
        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        stream.Position = 0;
        var loaded = ml.Model.Load(stream, out _);
        var after = loaded.Transform(data);
        foreach (var name in new[] { "ReLU253", "Embedding" })
        {
            var a = Column(before, name);
            var b = Column(after, name);
            for (int n = 0; n < a.Length; n++) AssertClose(a[n], b[n], $"{name} row {n}");
        }
    }

    [TestMethod]
    public void PredictionEngine_RunsTheTapOneRowAtATime()
    {
        var ml = new MLContext(seed: 1);
        var data = Digits(ml, 2);
        using var tap = ml.Transforms.ExtractEmbedding().Fit(data);
        var batched = Column(tap.Transform(data), "Embedding");
        var engine = ml.Model.CreatePredictionEngine<ImageRow, EmbeddingRow>(tap, inputSchemaDefinition: WithPixelSize());
        var row = ml.Data.CreateEnumerable<ImageRow>(data, reuseRowObject: false).Skip(1).First();
        AssertClose(batched[1], engine.Predict(row).Embedding, "prediction engine");
    }

    private sealed class EmbeddingRow
    {
        public float[] Embedding { get; set; } = [];
    }

    private static SchemaDefinition WithPixelSize()
    {
        var schema = SchemaDefinition.Create(typeof(ImageRow));
        schema[nameof(ImageRow.Pixels)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Pixels);
        return schema;
    }

    [TestMethod]
    public void UnknownLayer_ErrorListsCloseNames()
    {
        var ml = new MLContext();
        var e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => ml.Transforms.CaptureActivations("Pixels", ["ReLU2533"]));
        StringAssert.Contains(e.Message, "'ReLU2533'");
        StringAssert.Contains(e.Message, "ReLU253");
    }

    [TestMethod]
    public void WrongImageSize_ErrorNamesTheColumnAndTheExpectedSize()
    {
        var ml = new MLContext();
        var rows = new[] { new ImageRow { Pixels = new float[3 * 100 * 100] } };
        var schema = SchemaDefinition.Create(typeof(ImageRow));
        schema[nameof(ImageRow.Pixels)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 3 * 100 * 100);
        var data = ml.Data.LoadFromEnumerable(rows, schema);
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.ExtractEmbedding().Fit(data));
        StringAssert.Contains(e.Message, "'Pixels'");
        StringAssert.Contains(e.Message, "150528");
    }

    [TestMethod]
    public void MissingInputColumn_IsReportedByGetOutputSchema()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new EmbeddingRow { Embedding = [1f] } });
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.ExtractEmbedding(inputColumnName: "Pixls").GetOutputSchema(SchemaShapeOf(data)));
        StringAssert.Contains(e.Message, "'Pixls'");
    }

    private static SchemaShape SchemaShapeOf(IDataView data) =>
        new(data.Schema.Select(c => MLNetEnvironment.ColumnOf(c.Name, c.Type)));

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.HasCount(expected.Length, actual, what);
        for (int i = 0; i < expected.Length; i++)
            Assert.AreEqual(expected[i], actual[i], 1e-4f * Math.Max(1f, Math.Abs(expected[i])), $"{what} [{i}]");
    }
}
