namespace MLNet.CnnDiagnostics.Onnx;

/// <summary>The receptive field and spatial size of every tensor of a graph that has one, by tensor or layer name.</summary>
public sealed class ReceptiveFields
{
    private readonly Dictionary<string, (ReceptiveField Field, int Height, int Width)> _fields;
    private readonly Dictionary<string, string> _missing;   // tensor → why it has no field
    private readonly Dictionary<string, string> _layerOutputs; // layer name → first output tensor

    internal ReceptiveFields(Dictionary<string, (ReceptiveField, int, int)> fields, Dictionary<string, string> missing, Dictionary<string, string> layerOutputs)
    {
        _fields = fields;
        _missing = missing;
        _layerOutputs = layerOutputs;
    }

    /// <summary>Names of the tensors that have a receptive field (the input image included).</summary>
    public IReadOnlyCollection<string> Tensors => _fields.Keys;

    /// <summary>The receptive field of a tensor, or of a layer's first output.</summary>
    /// <exception cref="CnnDiagnosticsException">The name is unknown, or the tensor has no spatial receptive field (after Flatten, Gemm, ...).</exception>
    public ReceptiveField this[string tensorOrLayer] => Find(tensorOrLayer).Field;

    /// <summary>Height and width of a tensor's spatial grid (its number of output positions per axis).</summary>
    public (int Height, int Width) SpatialSize(string tensorOrLayer)
    {
        var (_, h, w) = Find(tensorOrLayer);
        return (h, w);
    }

    /// <summary>The field of a tensor or layer, when it has one.</summary>
    public bool TryGet(string tensorOrLayer, out ReceptiveField field)
    {
        bool found = _fields.TryGetValue(Resolve(tensorOrLayer), out var entry);
        field = entry.Field;
        return found;
    }

    private string Resolve(string name) => _fields.ContainsKey(name) || _missing.ContainsKey(name) ? name : _layerOutputs.GetValueOrDefault(name, name);

    private (ReceptiveField Field, int Height, int Width) Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string tensor = Resolve(name);
        if (_fields.TryGetValue(tensor, out var entry)) return entry;
        if (_missing.TryGetValue(tensor, out var why))
            throw new CnnDiagnosticsException($"tensor '{tensor}' has no spatial receptive field: {why}; choose a layer before the network is flattened, e.g. {ClosestNames.Suggest(name, _fields.Keys, 3)}.");
        throw new CnnDiagnosticsException($"no tensor or layer '{name}' in the graph; {ClosestNames.Suggest(name, _fields.Keys.Concat(_layerOutputs.Keys))}.");
    }
}
