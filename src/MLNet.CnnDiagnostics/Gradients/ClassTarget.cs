namespace MLNet.CnnDiagnostics.Gradients;

/// <summary>The score (logit) of a class: one class for the whole batch or one class per item.</summary>
public sealed class ClassTarget : GradientTarget
{
    private readonly int[] _classes;

    /// <summary>The same class for every item.</summary>
    public ClassTarget(int classIndex, string? tensor = null) : base(tensor) => _classes = [classIndex];

    /// <summary>One class per batch item.</summary>
    public ClassTarget(IReadOnlyList<int> classPerItem, string? tensor = null) : base(tensor)
    {
        ArgumentNullException.ThrowIfNull(classPerItem);
        if (classPerItem.Count == 0) throw new ArgumentException("at least one class is needed.", nameof(classPerItem));
        _classes = classPerItem.ToArray();
    }

    /// <summary>The class of item <paramref name="item"/>.</summary>
    public int ClassOf(int item) => _classes.Length == 1 ? _classes[0] : _classes[item];

    /// <inheritdoc/>
    public override GradientTarget ForItems(int start, int count) =>
        _classes.Length == 1 ? this : new ClassTarget(_classes.AsSpan(start, count).ToArray(), Tensor);

    /// <inheritdoc/>
    public override GradientTarget Repeat(int item, int count) => _classes.Length == 1 ? this : new ClassTarget(ClassOf(item), Tensor);

    /// <inheritdoc/>
    public override FloatTensor Seed(int[] shape)
    {
        int size = ItemSize(shape);
        if (_classes.Length != 1 && _classes.Length != shape[0])
            throw new CnnDiagnosticsException($"the target names {_classes.Length} classes but the batch has {shape[0]} items.");
        var seed = new FloatTensor(shape);
        for (int n = 0; n < shape[0]; n++)
        {
            int c = ClassOf(n);
            if ((uint)c >= (uint)size) throw new CnnDiagnosticsException($"class {c} is outside the output's {size} classes (0..{size - 1}).");
            seed.Data[n * size + c] = 1f;
        }
        return seed;
    }
}
