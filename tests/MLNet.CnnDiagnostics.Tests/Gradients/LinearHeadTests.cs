using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.CnnDiagnostics.Gradients;

namespace MLNet.CnnDiagnostics.Tests.Gradients;

/// <summary>The one linear head: found in an ML.NET pipeline, it scores feature vectors as the trainer's own model does.</summary>
[TestClass]
public sealed class LinearHeadTests
{
    private sealed class Row
    {
        [VectorType(5)] public float[] Features { get; set; } = [];
        public int Digit { get; set; }
    }

    private static (IDataView Data, FloatTensor Features) Data(MLContext ml, int n)
    {
        var random = new Random(3);
        var rows = Enumerable.Range(0, n).Select(i => new Row
        {
            Features = Enumerable.Range(0, 5).Select(d => (float)(random.NextDouble() - 0.5 + (d == i % 4 ? 1.5 : 0))).ToArray(),
            Digit = i % 4,
        }).ToList();
        return (ml.Data.LoadFromEnumerable(rows), new FloatTensor([n, 5], rows.SelectMany(r => r.Features).ToArray()));
    }

    private static ITransformer Fit(MLContext ml, IDataView data, IEstimator<ITransformer> trainer) =>
        ml.Transforms.Conversion.MapValueToKey("Label", "Digit").Append(trainer).Fit(data);

    [TestMethod]
    public void FromTransformer_ScoresAsTheTrainersOwnModel()
    {
        var ml = new MLContext(1);
        var (data, features) = Data(ml, 40);
        var trainers = new (string Name, IEstimator<ITransformer> Trainer, bool Calibrated)[]
        {
            ("L-BFGS maximum entropy", ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy("Label", "Features"), true),
            ("SDCA maximum entropy", ml.MulticlassClassification.Trainers.SdcaMaximumEntropy("Label", "Features"), true),
            ("SDCA non-calibrated", ml.MulticlassClassification.Trainers.SdcaNonCalibrated("Label", "Features"), false),
        };
        foreach (var (name, trainer, calibrated) in trainers)
        {
            var model = Fit(ml, data, trainer);
            var head = ((TransformerChain<ITransformer>)model).Select(LinearHead.FromTransformer).Single(h => h is not null)!;
            Assert.AreEqual("Features", head.FeatureColumnName, name);
            Assert.AreEqual(4, head.Classes, name);
            Assert.AreEqual(5, head.Features, name);

            var output = model.Transform(data);
            var scores = output.GetColumn<float[]>("Score").ToList();
            var predicted = output.GetColumn<uint>("PredictedLabel").Select(k => (int)k - 1).ToArray();
            var logits = head.Logits(features);
            CollectionAssert.AreEqual(new[] { 40, 4 }, logits.Shape, name);
            for (int r = 0; r < 40; r++)
            {
                var row = logits.Data.AsSpan(r * 4, 4).ToArray();
                // ML.NET's score: softmax of the logits for the maximum-entropy models, the logits themselves for SDCA non-calibrated
                double max = row.Max(), sum = row.Sum(v => Math.Exp(v - max));
                for (int k = 0; k < 4; k++)
                    Assert.AreEqual(scores[r][k], calibrated ? Math.Exp(row[k] - max) / sum : row[k], 1e-4, $"{name}: row {r} class {k}");
            }
            CollectionAssert.AreEqual(predicted, head.Predict(features), name);
        }
    }

    [TestMethod]
    public void FromTransformer_IsNullForOtherStages()
    {
        var ml = new MLContext(1);
        var (data, _) = Data(ml, 20);
        var model = (TransformerChain<ITransformer>)Fit(ml, data, ml.MulticlassClassification.Trainers.NaiveBayes("Label", "Features"));
        Assert.IsTrue(model.All(t => LinearHead.FromTransformer(t) is null), "neither the key mapping nor naive Bayes is a linear head");
    }

    [TestMethod]
    public void Logits_AreWTimesFeaturesPlusBias_OnUnitFeaturesWhenNormalised()
    {
        var weights = new FloatTensor([2, 3], [1, 2, 3, -1, 0.5f, 0]);
        var head = new LinearHead("f", weights, [0.25f, -2]);
        var x = new FloatTensor([2, 3], [3, 0, 4, -1, 2, 2]);
        // by hand: [1·3+3·4+0.25, -3+0-2] and [-1+4+6+0.25, 1+1-2]
        CollectionAssert.AreEqual(new[] { 15.25f, -5f, 9.25f, 0f }, head.Logits(x).Data);
        CollectionAssert.AreEqual(new[] { 0, 0 }, head.Predict(x));

        var unit = head.Reading("g", normalizeFeatures: true);
        Assert.AreEqual("g", unit.FeatureTensor);
        // |x0| = 5, |x1| = 3: [(3+12)/5+0.25, -3/5-2] and [(-1+4+6)/3+0.25, (1+1)/3-2]
        var expected = new[] { 3.25f, -2.6f, 3.25f, 2f / 3 - 2 };
        var logits = unit.Logits(x).Data;
        for (int i = 0; i < 4; i++) Assert.AreEqual(expected[i], logits[i], 1e-6, $"logit {i}");

        var e = Assert.ThrowsExactly<ArgumentException>(() => head.Logits(new FloatTensor([2, 4], new float[8])));
        StringAssert.Contains(e.Message, "3 values per item");
    }
}
