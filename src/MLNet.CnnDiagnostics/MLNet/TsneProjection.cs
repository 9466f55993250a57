using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.CnnDiagnostics.Analysis;

namespace MLNet.CnnDiagnostics.MLNet;

/// <summary>
/// Estimator of the t-SNE tap: <c>Fit</c> embeds the training rows' vectors in 2-D; the fitted transformer adds a
/// 2-value column holding each row's map position (the fitted one for training rows, a placement into the fixed map for new rows).
/// </summary>
public sealed class TsneProjectionEstimator : IEstimator<TsneProjectionTransformer>
{
    private readonly IHostEnvironment _env;
    private readonly IProgress<DiagnosticsProgress>? _progress;

    internal TsneProjectionEstimator(IHostEnvironment env, string outputColumnName, string inputColumnName, TsneOptions options, IProgress<DiagnosticsProgress>? progress)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        ArgumentException.ThrowIfNullOrEmpty(inputColumnName);
        _env = env;
        _progress = progress;
        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName;
        Options = options;
    }

    /// <summary>The 2-D position column.</summary>
    public string OutputColumnName { get; }

    /// <summary>The vector column to project (e.g. an embedding).</summary>
    public string InputColumnName { get; }

    /// <summary>The t-SNE settings.</summary>
    public TsneOptions Options { get; }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var found = inputSchema.Where(c => c.Name == InputColumnName).ToList();
        if (found.Count == 0)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"input column '{InputColumnName}' not found; expected a known-size vector of Single; {ClosestNames.Suggest(InputColumnName, inputSchema.Select(c => c.Name))}.");
        if (found[^1].Kind != SchemaShape.Column.VectorKind.Vector || found[^1].ItemType != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"input column '{InputColumnName}' is {found[^1].Kind} of {found[^1].ItemType}; expected a known-size vector of Single.");
        var columns = inputSchema.Where(c => c.Name != OutputColumnName).ToList();
        columns.Add(MLNetEnvironment.VectorColumn(OutputColumnName, NumberDataViewType.Single));
        return new SchemaShape(columns);
    }

    /// <inheritdoc/>
    public TsneProjectionTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var points = TsneProjectionTransformer.ReadPoints(input, InputColumnName);
        MLNetEnvironment.Log(_env, "CnnDiagnostics", $"ProjectTsne: embedding {points.Shape[0]} points of {points.Shape[1]} dimensions (perplexity {Options.Perplexity}).");
        var progress = new Progress(_env, _progress);
        var embedding = new Tsne(Options).Fit(points, progress);
        MLNetEnvironment.Log(_env, "CnnDiagnostics", $"ProjectTsne: done, KL divergence {embedding.KlDivergence:F3}.");
        return new TsneProjectionTransformer(OutputColumnName, InputColumnName, points, embedding);
    }

    /// <summary>Forwards t-SNE progress to the caller's callback and, every report, to ML.NET's log.</summary>
    private sealed class Progress(IHostEnvironment env, IProgress<DiagnosticsProgress>? inner) : IProgress<TsneProgress>
    {
        public void Report(TsneProgress value)
        {
            inner?.Report(new DiagnosticsProgress("t-SNE", value.Iteration, value.Iterations));
            MLNetEnvironment.Log(env, "CnnDiagnostics", $"ProjectTsne: {value.Phase} iteration {value.Iteration}/{value.Iterations}, KL {value.KlDivergence:F3}.");
        }
    }
}

/// <summary>The fitted t-SNE tap: the map of the training rows, and placement of new rows into it.</summary>
public sealed class TsneProjectionTransformer : ITransformer
{
    private readonly Dictionary<VectorKey, int> _trainingRows;

    internal TsneProjectionTransformer(string outputColumnName, string inputColumnName, FloatTensor points, TsneEmbedding embedding)
    {
        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName;
        Embedding = embedding;
        Dimension = points.Shape[1];
        _trainingRows = [];
        for (int i = 0; i < points.Shape[0]; i++)
            _trainingRows.TryAdd(new VectorKey(points.Data.AsSpan(i * Dimension, Dimension).ToArray()), i);
    }

    /// <summary>The 2-D position column.</summary>
    public string OutputColumnName { get; }

    /// <summary>The projected vector column.</summary>
    public string InputColumnName { get; }

    /// <summary>The fitted map (coordinates of the training rows, <c>Transform</c> of new points).</summary>
    public TsneEmbedding Embedding { get; }

    /// <summary>Length of the input vectors.</summary>
    public int Dimension { get; }

    /// <summary>False: positions of new rows are found together, not one row at a time.</summary>
    public bool IsRowToRowMapper => false;

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var column = inputSchema.GetColumnOrNull(InputColumnName);
        if (column is null || column.Value.Type is not VectorDataViewType { ItemType: var item, Size: var size } || item != NumberDataViewType.Single || size != Dimension)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"input column '{InputColumnName}' must be a vector of Single with {Dimension} values, as when the t-SNE was fitted; found {(column is null ? "no such column" : column.Value.Type.ToString())}.");
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        var annotations = new DataViewSchema.Annotations.Builder();
        var name = "t-SNE".AsMemory();
        annotations.Add(OnnxTapTransformer.TapAnnotation, TextDataViewType.Instance, (ref ReadOnlyMemory<char> v) => v = name);
        builder.AddColumn(OutputColumnName, new VectorDataViewType(NumberDataViewType.Single, 2), annotations.ToAnnotations());
        return builder.ToSchema();
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var schema = GetOutputSchema(input.Schema);
        return new AppendedColumnDataView(input, schema, () => Positions(input));
    }

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) =>
        throw new InvalidOperationException("ProjectTsne places new rows together into the fitted map, so it has no row-at-a-time mapper; use Transform on a data view instead of a prediction engine.");

    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException("a fitted ProjectTsne cannot be saved with mlContext.Model.Save (ML.NET offers no public way to store a custom transformer's state); save the pipeline without it, or export the map through TsneProjectionTransformer.Embedding.Coordinates.");

    private float[][] Positions(IDataView input)
    {
        var points = ReadPoints(input, InputColumnName);
        int n = points.Shape[0];
        var fitted = Embedding.Coordinates;
        var result = new float[n][];
        var fresh = new List<int>();
        for (int i = 0; i < n; i++)
        {
            if (_trainingRows.TryGetValue(new VectorKey(points.Data.AsSpan(i * Dimension, Dimension).ToArray()), out int row))
                result[i] = [fitted[row, 0], fitted[row, 1]];
            else fresh.Add(i);
        }
        if (fresh.Count > 0)
        {
            var data = new float[fresh.Count * Dimension];
            for (int j = 0; j < fresh.Count; j++) Array.Copy(points.Data, fresh[j] * Dimension, data, j * Dimension, Dimension);
            var placed = Embedding.Transform(new FloatTensor([fresh.Count, Dimension], data));
            for (int j = 0; j < fresh.Count; j++) result[fresh[j]] = [placed[j, 0], placed[j, 1]];
        }
        return result;
    }

    internal static FloatTensor ReadPoints(IDataView input, string column)
    {
        var col = input.Schema.GetColumnOrNull(column)
            ?? throw new ArgumentOutOfRangeException(nameof(column), $"input column '{column}' not found; {ClosestNames.Suggest(column, input.Schema.Select(c => c.Name))}.");
        if (col.Type is not VectorDataViewType { ItemType: var item, Size: > 0 } vector || item != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(column), $"input column '{column}' has type {col.Type}; expected a known-size vector of Single.");
        int d = vector.Size;
        var rows = input.GetColumn<VBuffer<float>>(col).Select(v => v.DenseValues().ToArray()).ToList();
        var data = new float[rows.Count * d];
        for (int i = 0; i < rows.Count; i++) rows[i].CopyTo(data, i * d);
        return new FloatTensor([rows.Count, d], data);
    }

    /// <summary>A vector compared by value, to recognise training rows.</summary>
    private sealed class VectorKey(float[] values) : IEquatable<VectorKey>
    {
        private readonly int _hash = ComputeHash(values);

        public float[] Values { get; } = values;

        public bool Equals(VectorKey? other) => other is not null && Values.AsSpan().SequenceEqual(other.Values);

        public override bool Equals(object? obj) => Equals(obj as VectorKey);

        public override int GetHashCode() => _hash;

        private static int ComputeHash(float[] v)
        {
            var h = new HashCode();
            foreach (var x in v) h.Add(x);
            return h.ToHashCode();
        }
    }
}
