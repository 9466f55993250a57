using MLNet.CnnDiagnostics.Execution;

namespace MLNet.CnnDiagnostics.Reporting;

/// <summary>The report's sections, following the lesson from the model to its decisions.</summary>
[Flags]
public enum ReportSections
{
    /// <summary>No section.</summary>
    None = 0,
    /// <summary>Layers, output shapes, parameters, receptive fields.</summary>
    Model = 1,
    /// <summary>First-layer RGB filter grid and a deeper layer; dead filters flagged.</summary>
    Filters = 2,
    /// <summary>First-layer activation maps for a few images.</summary>
    Activations = 4,
    /// <summary>Nearest-neighbour gallery, kNN accuracy, t-SNE scatter.</summary>
    Embedding = 8,
    /// <summary>Layer activation masks, maximally activating patches, class visualizations.</summary>
    Investigation = 16,
    /// <summary>Saliency, SmoothGrad, integrated gradients, Grad-CAM, occlusion; confusion matrix.</summary>
    Decisions = 32,
    /// <summary>Gradient against finite differences, model-randomization test.</summary>
    Sanity = 64,
    /// <summary>Every section.</summary>
    All = Model | Filters | Activations | Embedding | Investigation | Decisions | Sanity,
}

/// <summary>Options of the diagnostic report (what <c>pipeline.AppendVisualization(o =&gt; ...)</c> configures): the sample, the sections, the preprocessing to undo, and sections added by the user.</summary>
public sealed class VisualizationOptions
{
    /// <summary>Where the HTML report is written (its JSON summary goes beside it with the .json extension); null writes no file.</summary>
    public string? ReportPath { get; set; } = "diagnostics.html";

    /// <summary>Rows sampled (seeded) from the fitting data for the analyses.</summary>
    public int MaxRows { get; set; } = 500;

    /// <summary>Seed of the sample and of every randomised analysis.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>
    /// The largest image (width × height, read from the file's header before decoding) the report decodes; larger ones are
    /// skipped (or refused, see <see cref="SkipUnreadableImages"/>). Default <see cref="Data.ImageFileCheck.DefaultMaxPixels"/> (100 megapixels).
    /// </summary>
    public long MaxImagePixels { get; set; } = Data.ImageFileCheck.DefaultMaxPixels;

    /// <summary>
    /// Whether a sampled image that cannot be read or decoded (or is above <see cref="MaxImagePixels"/>) is left out of the report,
    /// with its file and reason listed in the report and its JSON summary (<c>skippedImages</c>); false makes it an error.
    /// </summary>
    public bool SkipUnreadableImages { get; set; } = true;

    /// <summary>Sections to include.</summary>
    public ReportSections Sections { get; set; } = ReportSections.All;

    /// <summary>
    /// Layers to investigate (node or tensor names; the first one gets top patches and masks); by default the deepest
    /// block outputs whose receptive field covers at most half the image (see <c>LayerSelector</c>).
    /// </summary>
    public IList<string>? Layers { get; set; }

    /// <summary>The layer for class activation maps (Grad-CAM, CAM, Grad-CAM++); by default the last spatial feature map on every path to the class scores.</summary>
    public string? CamLayer { get; set; }

    /// <summary>
    /// Attribution methods for the decisions section, by registry name or alias (see <c>AttributionRegistry.Names</c>:
    /// gradcam, saliency, smoothgrad, ig, occlusion, gradcam++, cam, guided-backprop); by default the first five.
    /// </summary>
    public IList<string>? AttributionMethods { get; set; }

    /// <summary>Rows of the sample used as queries in the nearest-neighbour gallery; by default the first few.</summary>
    public IList<int>? QueryRows { get; set; }

    /// <summary>Number of classes visualised by gradient ascent.</summary>
    public int ClassesToVisualize { get; set; } = 3;

    /// <summary>Gradient-ascent steps of each class visualization.</summary>
    public int ClassVisualizationSteps { get; set; } = 60;

    /// <summary>Name of the label column (label-dependent parts are skipped, with a note, when it is absent).</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>Name of the predicted-label column of a classifier head.</summary>
    public string PredictedLabelColumnName { get; set; } = "PredictedLabel";

    /// <summary>Per-channel mean used to turn model inputs back into images: pixel = value·std + mean (empty: 0 for every channel).</summary>
    public float[] PixelMean { get; set; } = [];

    /// <summary>Per-channel standard deviation used to turn model inputs back into images (empty: 1 for every channel).</summary>
    public float[] PixelStd { get; set; } = [];

    /// <summary>The de-normalised value shown at full brightness (255 for ML.NET's ExtractPixels defaults, 1 for [0,1] inputs).</summary>
    public float PixelMaxValue { get; set; } = 255f;

    /// <summary>Whether the model input's channels are in BGR order.</summary>
    public bool ChannelsAreBgr { get; set; }

    /// <summary>Whether the first convolution reads BGR channels (colours of the RGB filter grid); null detects a channel-reversing preprocessing graph such as ResNet18's.</summary>
    public bool? FirstConvolutionReadsBgr { get; set; }

    /// <summary>Rows per ONNX Runtime call.</summary>
    public int BatchSize { get; set; } = 16;

    /// <summary>Neighbours per query in the gallery.</summary>
    public int Neighbors { get; set; } = 5;

    /// <summary>How ONNX Runtime runs.</summary>
    public ExecutionOptions? Execution { get; set; }

    /// <summary>Progress of the report's work, section by section.</summary>
    public IProgress<DiagnosticsProgress>? Progress { get; set; }

    /// <summary>
    /// A finished whole-dataset scan (<see cref="Scans.DatasetScan.Open"/>): when set, the investigation section shows its
    /// full-dataset top patches and masks (thresholds from its quantiles) and the embedding section maps all its embeddings.
    /// </summary>
    public Scans.DatasetScan? Scan { get; set; }

    private readonly List<DiagnosticSection> _added = [];

    /// <summary>Sections added with <see cref="AddSection"/>, written after the built-in ones in the order added.</summary>
    public IReadOnlyList<DiagnosticSection> AddedSections => _added;

    /// <summary>
    /// Adds a section of your own to the report (after the built-in ones): its result goes into the JSON summary under
    /// <c>sections</c> → its id, its blocks into the page. See <see cref="DiagnosticSection{TResult}"/>.
    /// </summary>
    /// <param name="section">The section; its id must be new, non-empty and without spaces.</param>
    /// <returns>These options, to chain calls.</returns>
    public VisualizationOptions AddSection(DiagnosticSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        string id = section.Id;
        if (string.IsNullOrWhiteSpace(id) || id.Any(char.IsWhiteSpace))
            throw new ArgumentException($"section id '{id}' ({section.GetType().Name}) is not valid: it must be non-empty and without spaces, e.g. 'brightness'.", nameof(section));
        var taken = DiagnosticReportBuilder.BuiltIn.Concat(_added).Select(s => s.Id).ToList();
        if (taken.Contains(id, StringComparer.Ordinal))
            throw new ArgumentException($"section id '{id}' ({section.GetType().Name}) is already taken; ids in use: {string.Join(", ", taken)}.", nameof(section));
        _added.Add(section);
        return this;
    }
}
