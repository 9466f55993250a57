namespace MLNet.CnnDiagnostics.Gradients;

/// <summary>
/// What to differentiate: a scalar per batch item that is a weighted sum of one tensor's elements,
/// S_n = Σ seed_n ⊙ T_n. Class logits, weight vectors, channel means and single units are all such sums,
/// so one backward graph per tensor serves every target on it (the seed is a graph input).
/// </summary>
public abstract class GradientTarget
{
    /// <summary>Creates a target on <paramref name="tensor"/> (null: the head's logits when there is a head, else the model's first output).</summary>
    protected GradientTarget(string? tensor) => Tensor = tensor;

    /// <summary>The tensor the target reads; null means the model's (or head's) output.</summary>
    public string? Tensor { get; }

    /// <summary>The seed (weights of the sum) for a batch, given the target tensor's shape with the batch first.</summary>
    public abstract FloatTensor Seed(int[] shape);

    /// <summary>The target for items [start, start + count) of a batch (targets that differ per item slice themselves).</summary>
    public virtual GradientTarget ForItems(int start, int count) => this;

    /// <summary>The target for one item repeated <paramref name="count"/> times (e.g. noisy copies or path points of one image).</summary>
    public virtual GradientTarget Repeat(int item, int count) => this;

    /// <summary>Elements per batch item of a tensor of this shape.</summary>
    protected static int ItemSize(int[] shape) => (int)FloatTensor.ElementCount(shape.AsSpan(1).ToArray());
}
