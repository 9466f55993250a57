using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>
/// A tensor derived from the image, as the receptive-field calculator sees it: the field of each position, the
/// spatial size, and which axes of the tensor hold rows and columns (−1 when positions were flattened away).
/// </summary>
internal sealed record SpatialValue(ReceptiveField Field, int Height, int Width, int AxisH, int AxisW, int Rank)
{
    public bool HasSpatialAxes => AxisH >= 0 && AxisW >= 0;

    public bool IsSpatialAxis(long axis) => HasSpatialAxes && (Normalize(axis) == AxisH || Normalize(axis) == AxisW);

    public int Normalize(long axis) => (int)(axis < 0 ? axis + Rank : axis);

    public SpatialValue WithAxes(int axisH, int axisW, int rank) => this with { AxisH = axisH, AxisW = axisW, Rank = rank };
}

/// <summary>What an op does to the receptive field: a value for every output, "metadata only", or a reason it is not followed.</summary>
internal sealed record FieldStep(IReadOnlyList<SpatialValue>? Outputs, bool IsMetadata, string? Reason)
{
    public static FieldStep Same(SpatialValue value) => new([value], false, null);

    public static FieldStep PerOutput(IReadOnlyList<SpatialValue> values) => new(values, false, null);

    public static FieldStep Metadata { get; } = new(null, true, null);

    public static FieldStep Fail(string reason) => new(null, false, reason);

    /// <summary>The value of output <paramref name="index"/> (one value given for all outputs applies to each).</summary>
    public SpatialValue? Output(int index) => Outputs is null ? null : Outputs.Count == 1 ? Outputs[0] : index < Outputs.Count ? Outputs[index] : null;
}

/// <summary>The shared receptive-field steps that op definitions compose: windows, global mixing, joins, layout moves.</summary>
internal static class FieldFlow
{
    /// <summary>A sliding window over rows and columns of an NCHW tensor.</summary>
    public static FieldStep Window(ReceptiveFieldNode node, SpatialValue input)
    {
        var window = node.Window;
        if (window is null) return FieldStep.Fail($"{node.OpType} node '{node.Name}' has no window attributes");
        if (window.SpatialRank != 2)
            throw new CnnDiagnosticsException($"node '{node.Name}' ({node.OpType}) has a {window.SpatialRank}-D window; receptive fields are computed for 2-D images.");
        if (input.AxisH != input.Rank - 2 || input.AxisW != input.Rank - 1)
            return FieldStep.Fail($"{node.OpType} node '{node.Name}' slides its window over axes that are not the image's rows and columns");
        int[] inSize = [input.Height, input.Width];
        var pads = window.ResolvePads(inSize);
        var outSize = new int[2];
        var measured = Spatial(node.OutputShape(0), input.AxisH, input.AxisW) ?? node.OutputSpatialShape;
        for (int a = 0; a < 2; a++)
        {
            int computed = window.OutputSize(a, inSize[a], pads);
            if (computed < 1)
                throw new CnnDiagnosticsException(
                    $"the image is smaller than the receptive field of node '{node.Name}' ({node.OpType}): its input has {inSize[a]} {(a == 0 ? "rows" : "columns")} " +
                    $"but the window spans {window.DilatedKernel(a)} with pads {pads[a]}+{pads[a + 2]}, so it has no output position; use a larger image.");
            outSize[a] = measured?[a] ?? computed;
        }
        return FieldStep.Same(input with { Field = input.Field.Through(window, pads), Height = outSize[0], Width = outSize[1] });
    }

    /// <summary>Every position mixed: the whole input's field at a single position.</summary>
    public static SpatialValue Global(SpatialValue input, ReceptiveFieldNode node, int output)
    {
        var field = new ReceptiveField(input.Field.Y.Through(input.Height, 1, 1, 0), input.Field.X.Through(input.Width, 1, 1, 0));
        var shape = node.OutputShape(output);
        bool keepsAxes = input.HasSpatialAxes && shape is not null && shape.Length == input.Rank && shape[input.AxisH] == 1 && shape[input.AxisW] == 1;
        return new SpatialValue(field, 1, 1, keepsAxes ? input.AxisH : -1, keepsAxes ? input.AxisW : -1, shape?.Length ?? input.Rank);
    }

    /// <summary>
    /// Position-by-position joins (Add, Mul, Sum, Max, Concat on a non-spatial axis): the union of the branches'
    /// fields. A branch with a single position (a per-channel vector broadcast over the map, as in squeeze-and-excitation)
    /// is a gate, not a position: the map keeps its own field.
    /// </summary>
    public static FieldStep Join(ReceptiveFieldNode node, IReadOnlyList<SpatialValue?> inputs)
    {
        var known = inputs.Where(i => i is not null).Select(i => i!).ToList();
        var maps = known.Where(k => k.Height * k.Width > 1).ToList();
        if (maps.Count == 0) maps = known;
        var first = maps[0];
        if (maps.Any(i => i.Height != first.Height || i.Width != first.Width))
            return FieldStep.Fail($"{node.OpType} node '{node.Name}' broadcasts between spatial sizes {string.Join(", ", maps.Select(i => $"{i.Height}×{i.Width}"))}");
        var field = first.Field;
        foreach (var other in maps.Skip(1))
        {
            try { field = ReceptiveField.Union(field, other.Field); }
            catch (CnnDiagnosticsException e) { throw new CnnDiagnosticsException($"{node.OpType} node '{node.Name}' joins branches whose receptive fields cannot be joined: {e.Message}", e); }
        }
        var result = first with { Field = field };
        // broadcasting may prepend axes
        if (node.OutputShape(0) is { } shape && shape.Length > first.Rank && first.HasSpatialAxes)
            result = result.WithAxes(first.AxisH + shape.Length - first.Rank, first.AxisW + shape.Length - first.Rank, shape.Length);
        return FieldStep.Same(result);
    }

    /// <summary>
    /// A layout change (Reshape, Squeeze, Unsqueeze, Flatten, Expand): the rows and columns are found again in the
    /// output's measured shape, with the same number of elements before and after them; otherwise positions were mixed.
    /// </summary>
    public static FieldStep Relayout(ReceptiveFieldNode node, SpatialValue input)
    {
        if (!input.HasSpatialAxes || (input.Height == 1 && input.Width == 1))
            return FieldStep.Same(input with { AxisH = -1, AxisW = -1, Rank = node.OutputShape(0)?.Length ?? input.Rank });
        var output = node.OutputShape(0);
        var inShape = node.InputShape;
        if (output is null || inShape is null) return FieldStep.Same(input); // hand-built nodes without shapes: assumed to keep the layout
        long before = Product(inShape, 0, input.AxisH), after = Product(inShape, input.AxisW + 1, inShape.Length);
        for (int p = 0; p + 1 < output.Length; p++)
            if (output[p] == input.Height && output[p + 1] == input.Width && Product(output, 0, p) == before && Product(output, p + 2, output.Length) == after)
                return FieldStep.Same(input.WithAxes(p, p + 1, output.Length));
        return FieldStep.Fail($"{node.OpType} node '{node.Name}' reshapes [{string.Join(",", inShape)}] to [{string.Join(",", output)}], which mixes image rows and columns with other axes");
    }

    /// <summary>An op that works along one axis (Softmax, Split, Slice, Gather, Concat): position-wise unless that axis is spatial.</summary>
    public static FieldStep AlongAxis(ReceptiveFieldNode node, SpatialValue input, long axis, string what)
    {
        if (input.IsSpatialAxis(axis))
            return FieldStep.Fail($"{node.OpType} node '{node.Name}' {what} along spatial axis {axis}, which moves positions");
        return FieldStep.Same(input);
    }

    /// <summary>Height and width at the given axes of a shape, when known.</summary>
    public static int[]? Spatial(int[]? shape, int axisH, int axisW) =>
        shape is not null && axisH >= 0 && axisW < shape.Length && shape[axisH] > 0 && shape[axisW] > 0 ? [shape[axisH], shape[axisW]] : null;

    public static string NotFollowedReason(string opType) => opType switch
    {
        "ConvTranspose" or "Resize" or "Upsample" => "it changes the sampling grid of the image",
        _ => "it mixes positions or drops the spatial layout",
    };

    private static long Product(int[] shape, int from, int to)
    {
        long p = 1;
        for (int i = from; i < to; i++) p *= Math.Max(shape[i], 1);
        return p;
    }
}
