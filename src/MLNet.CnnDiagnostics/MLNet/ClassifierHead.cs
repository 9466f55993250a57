using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace MLNet.CnnDiagnostics.MLNet;

/// <summary>
/// A linear multiclass head of an ML.NET pipeline (maximum entropy via L-BFGS or SDCA, or SDCA non-calibrated):
/// logits = W·features + b, ready to be folded into the CNN's graph as a Gemm.
/// </summary>
public sealed class ClassifierHead
{
    /// <summary>Creates a head from its weights [classes, features] and biases [classes].</summary>
    public ClassifierHead(FloatTensor weights, float[] biases, string featureColumnName)
    {
        if (weights.Rank != 2 || weights.Shape[0] != biases.Length)
            throw new ArgumentException($"weights [{string.Join(",", weights.Shape)}] and {biases.Length} biases do not form a [classes, features] head.");
        Weights = weights;
        Biases = biases;
        FeatureColumnName = featureColumnName;
    }

    /// <summary>Weights [classes, features].</summary>
    public FloatTensor Weights { get; }

    /// <summary>Biases [classes].</summary>
    public float[] Biases { get; }

    /// <summary>The ML.NET feature column the head reads.</summary>
    public string FeatureColumnName { get; }

    /// <summary>Number of classes.</summary>
    public int Classes => Weights.Shape[0];

    /// <summary>Number of features.</summary>
    public int Features => Weights.Shape[1];

    /// <summary>The head of a fitted ML.NET multiclass prediction transformer, or null when it is not a linear multiclass model.</summary>
    public static ClassifierHead? FromTransformer(ITransformer transformer)
    {
        var type = transformer.GetType();
        if (!type.IsGenericType || type.GetGenericTypeDefinition() != typeof(MulticlassPredictionTransformer<>)) return null;
        if (type.GetProperty("Model")?.GetValue(transformer) is not LinearMulticlassModelParametersBase model) return null;
        string features = (string)type.GetProperty("FeatureColumnName")!.GetValue(transformer)!;
        VBuffer<float>[] rows = [];
        model.GetWeights(ref rows, out int classes);
        var biases = model.GetBiases().ToArray();
        int dim = rows.Length > 0 ? rows[0].Length : 0;
        var w = new FloatTensor(classes, dim);
        for (int k = 0; k < classes; k++) rows[k].CopyTo(w.Data.AsSpan(k * dim, dim));
        return new ClassifierHead(w, biases, features);
    }

    /// <summary>Logits for one feature vector.</summary>
    public float[] Logits(ReadOnlySpan<float> features)
    {
        var logits = new float[Classes];
        for (int k = 0; k < Classes; k++)
        {
            double s = Biases[k];
            for (int d = 0; d < Features; d++) s += Weights.Data[k * Features + d] * features[d];
            logits[k] = (float)s;
        }
        return logits;
    }
}
