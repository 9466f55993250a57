using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>
/// Resize (opset 10–19) and Upsample (opset 7–9) in nearest and linear modes: along each resized axis the op is a fixed
/// linear map (each output position a one-hot or two-tap row of weights over the input positions, from the coordinate
/// transformation and nearest rounding ONNX Runtime uses), computed at build time for the probed sizes; the gradient
/// applies the transposed maps, one MatMul per resized axis. Cubic mode, tf_crop_and_resize and antialiased downsampling
/// are refused with an error naming them.
/// </summary>
internal sealed class ResizeOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["Resize", "Upsample"];

    // The output grid is a fractional resampling of the input's: not followed (FieldFlow.NotFollowedReason says so).
    public override FieldRule Field => FieldRule.NotFollowed;

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        OnlyInputs(node, need, 0);
        var xs = ctx.Shape(node.Input[0]);
        var ys = ctx.Shape(node.Output[0]);
        // Upsample and opset-10 Resize (two inputs) have no coordinate attributes: asymmetric coordinates, floor rounding
        bool legacy = node.OpType == "Upsample" || node.Input.Count == 2;
        string mode = NodeAttributes.GetString(node, "mode", "nearest");
        string coordinates = legacy ? "asymmetric" : NodeAttributes.GetString(node, "coordinate_transformation_mode", "half_pixel");
        string nearest = legacy ? "floor" : NodeAttributes.GetString(node, "nearest_mode", "round_prefer_floor");
        if (mode is not ("nearest" or "linear" or "bilinear"))
            throw Unsupported(node, $"mode '{mode}' has no backward rule; 'nearest' and 'linear' do");
        if (coordinates is "tf_crop_and_resize")
            throw Unsupported(node, $"coordinate_transformation_mode '{coordinates}' has no backward rule");
        if (NodeAttributes.GetString(node, "keep_aspect_ratio_policy", "stretch") != "stretch")
            throw Unsupported(node, "keep_aspect_ratio_policy other than 'stretch' has no backward rule");
        var scales = Scales(ctx, node, xs.Length);
        string g = gy;
        for (int axis = xs.Length - 1; axis >= 0; axis--)
        {
            float scale = scales?[axis] ?? (float)ys[axis] / xs[axis];
            if (xs[axis] == ys[axis] && scale == 1f) continue;
            if (axis == 0) throw Unsupported(node, "resizing the batch axis has no backward rule");
            if (scale < 1f && mode != "nearest" && NodeAttributes.GetInt(node, "antialias", 0) != 0)
                throw Unsupported(node, "antialiased downsampling has no backward rule");
            var weights = Weights(mode == "nearest", coordinates, nearest, xs[axis], ys[axis], scale, node);
            g = AlongAxis(ctx, g, axis, xs.Length, weights, xs[axis], ys[axis]);
        }
        return FirstInput(node, g);
    }

    /// <summary>The scale per axis when the node states scales (attribute or constant input), else null (sizes: output/input).</summary>
    private static float[]? Scales(BackwardContext ctx, GraphNode node, int rank)
    {
        float[]? given = null;
        if (NodeAttributes.Find(node, "scales") is { } attribute) given = attribute.Floats.ToArray();
        else
        {
            int index = node.OpType == "Upsample" || node.Input.Count == 2 ? 1 : 2;
            if (node.Input.Count > index && node.Input[index] != "" && ctx.Constant(node.Input[index]) is { } t && t.Dims.Aggregate(1L, (a, b) => a * b) > 0)
                given = ConstantTensors.ReadFloat(t);
        }
        if (given is null) return null;
        var axes = NodeAttributes.GetInts(node, "axes");
        if (axes is null) return given.Length == rank ? given : null;
        var full = Enumerable.Repeat(1f, rank).ToArray();
        for (int i = 0; i < axes.Length; i++) full[axes[i] < 0 ? axes[i] + rank : axes[i]] = given[i];
        return full;
    }

    /// <summary>The [output, input] weights of one axis, as ONNX Runtime computes each output from the input.</summary>
    private static float[] Weights(bool isNearest, string coordinates, string nearestMode, int input, int output, float scale, GraphNode node)
    {
        var w = new float[output * input];
        for (int o = 0; o < output; o++)
        {
            float original = Original(coordinates, o, scale, input, output, node);
            if (isNearest)
            {
                long i = Math.Clamp(NearestPixel(original, nearestMode, scale < 1, node), 0, input - 1);
                w[o * input + i] = 1f;
                continue;
            }
            float c = Math.Max(0f, Math.Min(original, input - 1));
            int i1 = Math.Min((int)c, input - 1), i2 = Math.Min(i1 + 1, input - 1);
            if (i1 == i2) { w[o * input + i1] += 1f; continue; }
            w[o * input + i1] += Math.Abs(c - i2);
            w[o * input + i2] += Math.Abs(c - i1);
        }
        return w;
    }

    private static float Original(string mode, int resized, float scale, int input, int output, GraphNode node)
    {
        float x = resized;
        switch (mode)
        {
            case "half_pixel": return (x + 0.5f) / scale - 0.5f;
            case "asymmetric": return x / scale;
            case "pytorch_half_pixel": return output > 1 ? (x + 0.5f) / scale - 0.5f : 0f;
            case "tf_half_pixel_for_nn": return (x + 0.5f) / scale;
            case "align_corners": return output == 1 ? 0f : x * (input - 1) / (output - 1);
            case "half_pixel_symmetric":
            {
                float adjustment = output / (scale * input);
                float center = input / 2f;
                return center * (1 - adjustment) + (x + 0.5f) / scale - 0.5f;
            }
            default: throw Unsupported(node, $"coordinate_transformation_mode '{mode}' is unknown");
        }
    }

    private static long NearestPixel(float x, string mode, bool downsampling, GraphNode node) => mode switch
    {
        "round_prefer_floor" => x == (long)x + 0.5f ? (long)MathF.Floor(x) : (long)MathF.Round(x, MidpointRounding.AwayFromZero),
        "round_prefer_ceil" => (long)MathF.Round(x, MidpointRounding.AwayFromZero),
        "floor" => (long)MathF.Floor(x),
        "ceil" => (long)MathF.Ceiling(x),
        "simple" => downsampling ? (long)MathF.Ceiling(x) : (long)x,
        _ => throw Unsupported(node, $"nearest_mode '{mode}' is unknown"),
    };

    /// <summary>Applies the transposed [output, input] weights along <paramref name="axis"/> of the gradient.</summary>
    private static string AlongAxis(BackwardContext ctx, string g, int axis, int rank, float[] weights, int input, int output)
    {
        if (axis == rank - 1) return ctx.Emit("MatMul", [g, ctx.Floats(weights, [output, input])]);
        var transposed = new float[weights.Length];
        for (int o = 0; o < output; o++)
            for (int i = 0; i < input; i++)
                transposed[i * output + o] = weights[o * input + i];
        var matrix = ctx.Floats(transposed, [input, output]);
        if (axis == rank - 2) return ctx.Emit("MatMul", [matrix, g]);
        var perm = Enumerable.Range(0, rank).Select(i => (long)i).ToArray();
        (perm[axis], perm[rank - 2]) = (perm[rank - 2], perm[axis]);
        var moved = ctx.Emit("Transpose", [g], GraphAttribute.IntList("perm", perm));
        return ctx.Emit("Transpose", [ctx.Emit("MatMul", [matrix, moved])], GraphAttribute.IntList("perm", perm));
    }

    private static CnnDiagnosticsException Unsupported(GraphNode node, string what) => new($"{NodeAttributes.Describe(node)}: {what}.");
}
