using MLNet.CnnDiagnostics.Execution;
using MLNet.CnnDiagnostics.Gradients;
using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Analysis;

/// <summary>
/// Checks an input gradient against a directional finite difference of the network with its activation pattern frozen.
/// A ReLU network with max pools is piecewise linear; near a point x that is on no kink, it equals the affine network in
/// which every ReLU multiplies by its fixed 0/1 mask at x, every clip by its mask plus its clipped constant, and every max
/// pool gathers its fixed winners at x. That frozen network has, by definition, the gradient of the network at x, and it is
/// linear along any line, so its central difference (f(x + h·d) − f(x − h·d)) / 2h is exact for any step: the step can be
/// large, and float32 round-off stays near 1e-6 instead of swamping a step small enough to stay inside one linear region
/// (on ResNet18 that region is about 1e-6 of the image's spread wide: reading 0.2–0.4 for a right gradient). The frozen
/// network is evaluated by forward ops only (Conv, Gemm, GatherElements, ...), independently of the backward rules.
/// Smooth non-linearities (sigmoid, softmax, square root) stay as they are and add a truncation error of order h², which
/// the smaller steps of the ladder cover. The items are dithered first, so that no max-pool window holds a tie.
/// </summary>
public sealed class GradientCheck : IDisposable
{
    /// <summary>The largest relative error of a passing check.</summary>
    public const double DefaultThreshold = 1e-3;

    private readonly GradientEngine _engine;
    private readonly Dictionary<string, Frozen> _frozen = [];

    /// <summary>A check of the input gradients of <paramref name="engine"/>'s targets.</summary>
    public GradientCheck(GradientEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        _engine = engine;
    }

    /// <summary>Seed of the dither and of the random part of the directions.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>The largest relative error that passes.</summary>
    public double Threshold { get; init; } = DefaultThreshold;

    /// <summary>
    /// Dither added to each item before the check, as a fraction of the item's spread (uniform, seeded): data points often
    /// sit exactly on a kink (flat image regions tie in every max-pool window), where the function has no gradient.
    /// </summary>
    public double Dither { get; init; } = 1e-2;

    /// <summary>Checks the engine's own input gradient of <paramref name="target"/> near each item of <paramref name="input"/>.</summary>
    public GradientCheckResult Measure(FloatTensor input, GradientTarget target) =>
        Measure(input, target, (x, t) => _engine.Compute(x, t).Gradients[_engine.InputName]);

    /// <summary>
    /// Checks a given input gradient (e.g. from another backward graph) of <paramref name="target"/> near each item of
    /// <paramref name="input"/>: <paramref name="gradient"/> is asked for the gradient at the dithered items.
    /// </summary>
    public GradientCheckResult Measure(FloatTensor input, GradientTarget target, Func<FloatTensor, GradientTarget, FloatTensor> gradient)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(gradient);
        var random = new Random(Seed);
        var points = input.Clone();
        int size = input.Length / input.Shape[0];
        for (int i = 0; i < input.Shape[0]; i++)
        {
            double spread = Spread(points.Data.AsSpan(i * size, size));
            for (int j = i * size; j < (i + 1) * size; j++) points.Data[j] += (float)(Dither * spread * (random.NextDouble() * 2 - 1));
        }
        var g = gradient(points, target);
        if (!g.Shape.SequenceEqual(input.Shape))
            throw new CnnDiagnosticsException($"the gradient has shape [{string.Join(",", g.Shape)}]; the input has [{string.Join(",", input.Shape)}].");
        // One network in memory at a time: first the network at each item (its value and the activation pattern the
        // frozen feeds are made from), then, with the engine's sessions released, the frozen network's differences.
        var frozen = FrozenFor(target.Tensor);
        var atItems = new List<(double Value, Dictionary<string, FloatTensor> Feeds)>();
        for (int i = 0; i < input.Shape[0]; i++)
        {
            var item = target.Repeat(i, 1);
            var atX = _engine.Evaluate(points.Slice(i), item, frozen.Tensors);
            var feeds = frozen.Feeds(atX.Outputs);
            feeds[BackwardGraph.SeedName] = item.Seed([1, .. frozen.TargetItemShape]);
            atItems.Add((atX.TargetValues[0], feeds));
        }
        _engine.ReleaseSessions();
        var items = new List<GradientCheckItem>();
        for (int i = 0; i < input.Shape[0]; i++)
            items.Add(CheckItem(frozen, points.Slice(i), atItems[i].Value, atItems[i].Feeds, g.Slice(i).Data, random));
        return new GradientCheckResult(items.Max(t => t.RelativeError), Threshold, items);
    }

    private GradientCheckItem CheckItem(Frozen frozen, FloatTensor x, double f, Dictionary<string, FloatTensor> feeds, float[] g, Random random)
    {
        int n = x.Length;
        double Value(FloatTensor point)
        {
            feeds[_engine.InputName] = point;
            return frozen.Session.Run(feeds, [BackwardGraph.TargetValueName])[BackwardGraph.TargetValueName].Data[0];
        }
        // The frozen network must be the network at x itself.
        double frozenF = Value(x);
        double consistency = Math.Abs(frozenF - f) / Math.Max(Math.Abs(f), 1e-6);

        var d = Direction(g, random);
        // Steps: elements move by about the item's spread, then by 1/8, 1/64, 1/512 of it (d has unit norm).
        double h = Math.Max(Spread(x.Data), 1e-3) * Math.Sqrt(n);
        GradientCheckItem? best = null;
        for (int k = 0; k < 4; k++, h /= 8)
        {
            var plus = Moved(x, d, h);
            var minus = Moved(x, d, -h);
            // The prediction uses the float32 inputs actually fed, so rounding of x ± h·d costs nothing.
            double analytic = 0;
            for (int i = 0; i < n; i++) analytic += (double)g[i] * ((double)plus.Data[i] - minus.Data[i]);
            double numeric = Value(plus) - Value(minus);
            var reading = new GradientCheckItem(RelativeError(numeric, analytic), h, analytic / (2 * h), numeric / (2 * h), consistency);
            if (best is null || reading.RelativeError < best.RelativeError) best = reading;
        }
        return best!;
    }

    /// <summary>Releases the frozen networks' ONNX Runtime sessions.</summary>
    public void Dispose()
    {
        foreach (var frozen in _frozen.Values) frozen.Dispose();
        _frozen.Clear();
    }

    private static double RelativeError(double numeric, double analytic)
    {
        double scale = Math.Max(Math.Abs(analytic), Math.Abs(numeric));
        return scale < 1e-30 ? 0 : Math.Abs(numeric - analytic) / scale;
    }

    private static double Spread(ReadOnlySpan<float> values)
    {
        double mean = 0, square = 0;
        foreach (var v in values) mean += v;
        mean /= values.Length;
        foreach (var v in values) square += (v - mean) * (v - mean);
        return Math.Sqrt(square / values.Length);
    }

    /// <summary>d = (ĝ + r̂)/‖ĝ + r̂‖ with r Gaussian: along the gradient (a clear signal) and off it (errors orthogonal to g).</summary>
    private static double[] Direction(float[] g, Random random)
    {
        int n = g.Length;
        var r = new double[n];
        for (int i = 0; i < n; i++) r[i] = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        double gNorm = Math.Sqrt(g.Sum(v => (double)v * v)), rNorm = Math.Sqrt(r.Sum(v => v * v));
        var d = new double[n];
        for (int i = 0; i < n; i++) d[i] = (gNorm > 0 ? g[i] / gNorm : 0) + r[i] / rNorm;
        double dNorm = Math.Sqrt(d.Sum(v => v * v));
        for (int i = 0; i < n; i++) d[i] /= dNorm;
        return d;
    }

    private static FloatTensor Moved(FloatTensor x, double[] d, double step)
    {
        var moved = new FloatTensor(x.Shape);
        for (int i = 0; i < x.Length; i++) moved.Data[i] = (float)(x.Data[i] + step * d[i]);
        return moved;
    }

    private Frozen FrozenFor(string? targetTensor)
    {
        string key = targetTensor ?? "";
        if (!_frozen.TryGetValue(key, out var frozen)) _frozen[key] = frozen = Frozen.Build(_engine, targetTensor);
        return frozen;
    }

    /// <summary>The forward graph (with the head and the target's value) with every ReLU, leaky ReLU, clip and max pool frozen to feeds.</summary>
    private sealed class Frozen
    {
        private readonly List<Func<IReadOnlyDictionary<string, FloatTensor>, (string, FloatTensor)[]>> _feeds = [];

        private Frozen(List<string> tensors) => Tensors = tensors;

        /// <summary>The forward tensors at x that the frozen feeds are made from.</summary>
        public List<string> Tensors { get; }

        private ModelGraph _graph = null!;
        private ExecutionOptions? _execution;
        private OnnxExecutor? _session;

        /// <summary>The frozen network's session, made on first use (after the activation patterns were read).</summary>
        public OnnxExecutor Session => _session ??= new OnnxExecutor(_graph, _execution);

        public void Dispose()
        {
            _session?.Dispose();
            _session = null;
        }

        public int[] TargetItemShape { get; private set; } = [];

        public Dictionary<string, FloatTensor> Feeds(IReadOnlyDictionary<string, FloatTensor> atX) =>
            _feeds.SelectMany(f => f(atX)).ToDictionary(p => p.Item1, p => p.Item2);

        public static Frozen Build(GradientEngine engine, string? targetTensor)
        {
            var plain = engine.Builder.Build(targetTensor, []); // the graph only: no session of its own
            var graph = new GraphRewriter(plain.ToModelGraph());
            var kinked = graph.Nodes.Where(n => n.OpType is "Relu" or "LeakyRelu" or "Clip" or "MaxPool").ToList();
            var tensors = kinked.SelectMany(n => new[] { n.Input[0], n.Output[0] }).Distinct().ToList();
            var frozen = new Frozen(tensors) { TargetItemShape = plain.TargetItemShape };
            int index = 0;
            foreach (var node in kinked)
            {
                string prefix = $"freeze/{index++}/", z = node.Input[0], y = node.Output[0];
                var replacement = new List<NodeSpec>();
                void Emit(string op, string[] inputs, string output, params GraphAttribute[] attributes) =>
                    replacement.Add(GraphRewriter.Node(op, prefix + output.Replace('/', '_'), inputs, [output], attributes));
                var itemShape = engine.Builder.ItemShape(z);
                if (node.OpType == "MaxPool")
                {
                    var outShape = engine.Builder.ItemShape(y);
                    if (itemShape.Length != 3)
                        throw new CnnDiagnosticsException($"{NodeAttributes.Describe(node)}: the gradient check freezes 2-D max pools only; its input has shape [{string.Join(",", itemShape)}].");
                    graph.AddInitializer(GraphTensor.Int64(prefix + "flat", [0, 0, -1]));
                    graph.AddInitializer(GraphTensor.Int64(prefix + "shape", [0, 0, outShape[1], outShape[2]]));
                    graph.AddInput(prefix + "winners", [1, outShape[0], outShape[1] * outShape[2]]);
                    Emit("Reshape", [z, prefix + "flat"], prefix + "z");
                    Emit("Cast", [prefix + "winners"], prefix + "index", GraphAttribute.Int("to", (long)TensorDataType.Int64));
                    Emit("GatherElements", [prefix + "z", prefix + "index"], prefix + "y", GraphAttribute.Int("axis", 2));
                    Emit("Reshape", [prefix + "y", prefix + "shape"], y);
                    var winners = new PoolWinners(node, itemShape, outShape);
                    frozen._feeds.Add(atX => [(prefix + "winners", winners.At(atX[z]))]);
                }
                else
                {
                    graph.AddInput(prefix + "mask", [1, .. itemShape]);
                    if (node.OpType == "Clip")
                    {
                        graph.AddInput(prefix + "constant", [1, .. itemShape]);
                        Emit("Mul", [z, prefix + "mask"], prefix + "masked");
                        Emit("Add", [prefix + "masked", prefix + "constant"], y);
                    }
                    else Emit("Mul", [z, prefix + "mask"], y);
                    float alpha = node.OpType == "LeakyRelu" ? NodeAttributes.GetFloat(node, "alpha", 0.01f) : 0f;
                    string op = node.OpType;
                    frozen._feeds.Add(atX =>
                    {
                        var zx = atX[z];
                        var mask = new FloatTensor(zx.Shape);
                        if (op != "Clip")
                        {
                            for (int i = 0; i < zx.Length; i++) mask.Data[i] = zx.Data[i] > 0 ? 1f : alpha;
                            return [(prefix + "mask", mask)];
                        }
                        var yx = atX[y];
                        var constant = new FloatTensor(zx.Shape);
                        for (int i = 0; i < zx.Length; i++)
                        {
                            bool inside = zx.Data[i] == yx.Data[i];
                            mask.Data[i] = inside ? 1f : 0f;
                            constant.Data[i] = inside ? 0f : yx.Data[i];
                        }
                        return [(prefix + "mask", mask), (prefix + "constant", constant)];
                    });
                }
                graph.Replace(node, replacement);
            }
            frozen._graph = graph.ToModelGraph("frozen activation pattern");
            frozen._execution = engine.Execution;
            return frozen;
        }
    }

    /// <summary>The flat spatial position of each max-pool window's largest value (the first on ties, as ONNX's Indices), per channel.</summary>
    private sealed class PoolWinners(GraphNode node, int[] inputShape, int[] outputShape)
    {
        public FloatTensor At(FloatTensor x)
        {
            int c = inputShape[0], ih = inputShape[1], iw = inputShape[2], oh = outputShape[1], ow = outputShape[2];
            var kernel = NodeAttributes.GetInts(node, "kernel_shape") ?? throw new CnnDiagnosticsException($"{NodeAttributes.Describe(node)} has no kernel_shape.");
            var strides = NodeAttributes.GetInts(node, "strides") ?? [1, 1];
            var dilations = NodeAttributes.GetInts(node, "dilations") ?? [1, 1];
            var pads = NodeAttributes.GetInts(node, "pads") ?? [0, 0, 0, 0];
            string autoPad = NodeAttributes.GetString(node, "auto_pad", "NOTSET");
            long[] begin = [pads[0], pads[1]];
            if (autoPad is "SAME_UPPER" or "SAME_LOWER")
                for (int a = 0; a < 2; a++)
                {
                    long input = a == 0 ? ih : iw, output = a == 0 ? oh : ow;
                    long total = Math.Max(0, (output - 1) * strides[a] + (kernel[a] - 1) * dilations[a] + 1 - input);
                    begin[a] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
                }
            else if (autoPad == "VALID") begin = [0, 0];
            var winners = new FloatTensor(1, c, oh * ow);
            for (int ch = 0; ch < c; ch++)
            for (int oy = 0; oy < oh; oy++)
            for (int ox = 0; ox < ow; ox++)
            {
                long best = 0;
                float max = float.NegativeInfinity;
                for (int ky = 0; ky < kernel[0]; ky++)
                for (int kx = 0; kx < kernel[1]; kx++)
                {
                    long yy = oy * strides[0] - begin[0] + ky * dilations[0], xx = ox * strides[1] - begin[1] + kx * dilations[1];
                    if (yy < 0 || yy >= ih || xx < 0 || xx >= iw) continue;
                    float v = x.Data[(ch * ih + yy) * iw + xx];
                    if (v > max) { max = v; best = yy * iw + xx; }
                }
                winners.Data[(ch * oh + oy) * ow + ox] = best;
            }
            return winners;
        }
    }
}

/// <summary>The gradient check's reading: the worst item's relative error against the threshold.</summary>
/// <param name="RelativeError">The largest relative error over the items.</param>
/// <param name="Threshold">The largest error that passes.</param>
/// <param name="Items">Each item's reading.</param>
public sealed record GradientCheckResult(double RelativeError, double Threshold, IReadOnlyList<GradientCheckItem> Items)
{
    /// <summary>Whether every item agrees within the threshold.</summary>
    public bool Passed => RelativeError <= Threshold;
}

/// <summary>One item's reading (the best of the steps tried).</summary>
/// <param name="RelativeError">|Δf − g·Δx| / max(|Δf|, |g·Δx|) between x − h·d and x + h·d.</param>
/// <param name="Step">The step h along the unit direction d.</param>
/// <param name="Analytic">g·d, the slope the gradient predicts.</param>
/// <param name="Numeric">The frozen network's central difference along d.</param>
/// <param name="FrozenConsistency">Relative difference between the frozen network and the network at x (near 1e-7: the freezing is right).</param>
public sealed record GradientCheckItem(double RelativeError, double Step, double Analytic, double Numeric, double FrozenConsistency);
