using System.Numerics.Tensors;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Gradients;

/// <summary>
/// A linear multiclass head (logits = W·features + b), such as ML.NET's maximum entropy (L-BFGS) or SDCA multiclass
/// trainers produce: found in a fitted pipeline (<see cref="FromTransformer"/>), it scores embeddings
/// (<see cref="Logits(FloatTensor)"/>) and the gradient engine folds it into the ONNX graph as a Gemm on top of a
/// featurizer tensor, so the same weights give the report's predictions and its gradients.
/// </summary>
public sealed class LinearHead
{
    /// <summary>Creates a head over <paramref name="featureTensor"/> with weights [classes, features] and a bias per class (folding it into a graph checks that they are finite).</summary>
    public LinearHead(string featureTensor, FloatTensor weights, float[] bias)
    {
        ArgumentException.ThrowIfNullOrEmpty(featureTensor);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(bias);
        if (weights.Rank != 2)
            throw new CnnDiagnosticsException($"head weights have shape [{string.Join(",", weights.Shape)}]; [classes, features] was expected.");
        if (bias.Length != weights.Shape[0])
            throw new CnnDiagnosticsException($"head bias has {bias.Length} values; the weights have {weights.Shape[0]} classes.");
        FeatureTensor = featureTensor;
        Weights = weights;
        Bias = bias;
    }

    /// <summary>
    /// The featurizer tensor the head reads (flattened per item), e.g. ResNet18's pooled output. A head found in an
    /// ML.NET pipeline reads the trainer's feature column, which is its name here until <see cref="Reading"/> binds the
    /// head to the network's tensor behind that column.
    /// </summary>
    public string FeatureTensor { get; }

    /// <summary>The ML.NET feature column the head reads when it was found in a pipeline (<see cref="FromTransformer"/>); null otherwise.</summary>
    public string? FeatureColumnName { get; internal init; }

    /// <summary>Weights [classes, features].</summary>
    public FloatTensor Weights { get; }

    /// <summary>Bias, one per class.</summary>
    public float[] Bias { get; }

    /// <summary>Whether the head reads the features divided by their L2 norm (as the embedding tap's <c>normalize</c> option gives them).</summary>
    public bool NormalizeFeatures { get; init; }

    /// <summary>Number of classes.</summary>
    public int Classes => Weights.Shape[0];

    /// <summary>Number of input features.</summary>
    public int Features => Weights.Shape[1];

    /// <summary>The name of the logits tensor the head adds to the graph.</summary>
    public const string LogitsTensor = "head/logits";

    /// <summary>
    /// The head of a fitted ML.NET multiclass prediction transformer whose model is linear (maximum entropy via L-BFGS,
    /// SDCA maximum entropy or SDCA non-calibrated), reading the trainer's feature column; null for any other transformer.
    /// </summary>
    /// <param name="transformer">A stage of a fitted pipeline.</param>
    public static LinearHead? FromTransformer(ITransformer transformer)
    {
        ArgumentNullException.ThrowIfNull(transformer);
        var type = transformer.GetType();
        if (!type.IsGenericType || type.GetGenericTypeDefinition() != typeof(MulticlassPredictionTransformer<>)) return null;
        if (type.GetProperty("Model")?.GetValue(transformer) is not LinearMulticlassModelParametersBase model) return null;
        string column = (string)type.GetProperty("FeatureColumnName")!.GetValue(transformer)!;
        VBuffer<float>[] rows = [];
        model.GetWeights(ref rows, out int classes);
        int dim = rows.Length > 0 ? rows[0].Length : 0;
        var weights = new FloatTensor(classes, dim);
        for (int k = 0; k < classes; k++) rows[k].CopyTo(weights.Data.AsSpan(k * dim, dim));
        return new LinearHead(column, weights, model.GetBiases().ToArray()) { FeatureColumnName = column };
    }

    /// <summary>The same head reading <paramref name="featureTensor"/> (e.g. the network's tensor behind the head's feature column).</summary>
    /// <param name="featureTensor">The tensor the head reads.</param>
    /// <param name="normalizeFeatures">Whether it reads that tensor divided by its L2 norm.</param>
    internal LinearHead Reading(string featureTensor, bool normalizeFeatures) =>
        new(featureTensor, Weights, Bias) { FeatureColumnName = FeatureColumnName, NormalizeFeatures = normalizeFeatures };

    /// <summary>
    /// The logits [N, classes] of a batch of feature vectors [N, ...] (each item flattened to <see cref="Features"/>
    /// values, divided by its L2 norm first when <see cref="NormalizeFeatures"/>); sums are taken in double precision.
    /// </summary>
    /// <param name="features">The batch, e.g. the embeddings of the sampled rows.</param>
    public FloatTensor Logits(FloatTensor features)
    {
        ArgumentNullException.ThrowIfNull(features);
        int rows = features.Rank > 1 ? features.Shape[0] : 1;
        if (features.Length != (long)rows * Features)
            throw new ArgumentException($"features [{string.Join(",", features.Shape)}] do not hold {Features} values per item, as the head's weights [{Classes},{Features}] need.", nameof(features));
        var logits = new FloatTensor(rows, Classes);
        var item = new float[Features];
        for (int r = 0; r < rows; r++)
        {
            features.Data.AsSpan(r * Features, Features).CopyTo(item);
            if (NormalizeFeatures) TensorPrimitives.Divide(item, MathF.Max(TensorPrimitives.Norm(item), 1e-12f), item);
            for (int k = 0; k < Classes; k++)
            {
                var w = Weights.Data.AsSpan(k * Features, Features);
                double s = Bias[k];
                for (int d = 0; d < Features; d++) s += w[d] * item[d];
                logits.Data[r * Classes + k] = (float)s;
            }
        }
        return logits;
    }

    /// <summary>The class with the largest logit (the first on ties) for each item of a batch of feature vectors [N, ...].</summary>
    /// <param name="features">The batch, e.g. the embeddings of the sampled rows.</param>
    public int[] Predict(FloatTensor features) => ArgMaxPerRow(Logits(features));

    /// <summary>The index of the largest value (the first on ties) of each row of <paramref name="scores"/> [N, ...] (a head's or a network's own logits).</summary>
    internal static int[] ArgMaxPerRow(FloatTensor scores)
    {
        int rows = scores.Shape[0];
        int k = scores.Length / rows;
        return Enumerable.Range(0, rows).Select(r =>
        {
            var row = scores.Data.AsSpan(r * k, k);
            return row.IndexOf(TensorPrimitives.Max(row));
        }).ToArray();
    }

    /// <summary>
    /// Appends the head to <paramref name="graph"/>: Flatten of <see cref="FeatureTensor"/>, the L2 normalisation when
    /// <see cref="NormalizeFeatures"/>, and a Gemm with the weights and bias giving <see cref="LogitsTensor"/>.
    /// </summary>
    internal void FoldInto(GraphRewriter graph)
    {
        // checked here rather than when made: a pipeline's head with a broken weight still gives the report its other sections
        if (Weights.Data.Any(v => !float.IsFinite(v)) || Bias.Any(v => !float.IsFinite(v)))
            throw new CnnDiagnosticsException("head weights or bias contain NaN or infinity.");
        graph.AddNode("Flatten", "head/flatten", [FeatureTensor], ["head/features"], GraphAttribute.Int("axis", 1));
        string features = "head/features";
        if (NormalizeFeatures)
        {
            // features / sqrt(Σ features² + ε), with the sum as a MatMul by ones (an op whose form no opset changed).
            graph.AddInitializer(GraphTensor.Float("head/ones", Enumerable.Repeat(1f, Features).ToArray(), [Features, 1]));
            graph.AddInitializer(GraphTensor.Float("head/eps", [1e-24f], [1]));
            graph.AddNode("Mul", "head/square", [features, features], ["head/squares"]);
            graph.AddNode("MatMul", "head/sum", ["head/squares", "head/ones"], ["head/sum_squares"]);
            graph.AddNode("Add", "head/add_eps", ["head/sum_squares", "head/eps"], ["head/sum_squares_eps"]);
            graph.AddNode("Sqrt", "head/norm", ["head/sum_squares_eps"], ["head/norm"]);
            graph.AddNode("Div", "head/normalize", [features, "head/norm"], ["head/unit_features"]);
            features = "head/unit_features";
        }
        graph.AddInitializer(GraphTensor.Float("head/weights", Weights.Data, [Classes, Features]));
        graph.AddInitializer(GraphTensor.Float("head/bias", Bias, [Classes]));
        graph.AddNode("Gemm", "head/gemm", [features, "head/weights", "head/bias"], [LogitsTensor], GraphAttribute.Int("transB", 1));
    }
}
