using MLNet.CnnDiagnostics.Reporting;
using MLNet.CnnDiagnostics.Rendering;

namespace MLNet.CnnDiagnostics.Tests.Reporting;

/// <summary>
/// A report with every block type and made-up content (clusters of points, generated thumbnails), for the writer's
/// unit tests and the browser tests (which link this file).
/// </summary>
public static class SyntheticReport
{
    /// <summary>Text that would run as script if it were not escaped.</summary>
    public const string Hostile = "<script>window.__pwned = 1;</script><img src=x onerror=alert(1)>";

    /// <summary>Section ids in order.</summary>
    public static readonly string[] SectionIds = ["model", "filters", "activations", "embedding", "investigation", "decisions", "sanity"];

    /// <summary>A PNG of a blob whose place and colour depend on the class (like a tiny digit).</summary>
    public static byte[] Thumbnail(int cls, int variant, int side = 28)
    {
        var image = new RgbImage(side, side, new RgbColor(12, 12, 16));
        double angle = cls * Math.PI * 2 / 10, cx = side / 2.0 + Math.Cos(angle) * side / 4, cy = side / 2.0 + Math.Sin(angle) * side / 4;
        double r = side / 5.0 + variant % 3;
        for (int y = 0; y < side; y++)
            for (int x = 0; x < side; x++)
            {
                double d = Math.Sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy));
                if (d < r) image.SetPixel(x, y, new RgbColor((byte)(120 + cls * 13), (byte)(250 - cls * 20), (byte)(90 + variant * 7 % 160)));
            }
        return image.EncodePng();
    }

    /// <summary>A smooth colour ramp figure.</summary>
    public static byte[] Figure(int width, int height, int seed)
    {
        var image = new RgbImage(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                image.SetPixel(x, y, new RgbColor((byte)(x * 255 / width), (byte)(y * 255 / height), (byte)(seed * 40 % 256)));
        return image.EncodePng();
    }

    /// <summary>Scatter points in one Gaussian cluster per class; about 8 % carry a wrong prediction.</summary>
    public static List<ScatterPoint> Points(int count, int classes = 10, int thumbnailSide = 28, int seed = 1)
    {
        var random = new Random(seed);
        var thumbs = Enumerable.Range(0, classes * 3).Select(i => Thumbnail(i % classes, i / classes, thumbnailSide)).ToArray();
        var points = new List<ScatterPoint>(count);
        for (int i = 0; i < count; i++)
        {
            int cls = i % classes;
            double angle = cls * Math.PI * 2 / classes;
            double x = 30 * Math.Cos(angle) + Gaussian(random) * 4, y = 30 * Math.Sin(angle) + Gaussian(random) * 4;
            int predicted = random.NextDouble() < 0.08 ? (cls + 1) % classes : cls;
            points.Add(new ScatterPoint(x, y, cls.ToString(), predicted.ToString(), thumbs[cls + classes * (i / classes % 3)], i));
        }
        return points;
    }

    /// <summary>The whole report: seven sections, every block type, notes, timings and a filled summary.</summary>
    public static DiagnosticReport Build(int scatterPoints = 300, int classes = 10)
    {
        var report = new DiagnosticReport { Title = "Synthetic diagnostics", CreatedUtc = new DateTime(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc) };

        var model = new ReportSection("model", "Model summary") { Introduction = "Layers, output shapes and parameters.", Seconds = 0.42 };
        model.Blocks.Add(new MetricsBlock([new("layers", "60"), new("parameters", "11,689,512"), new("input", "3×224×224")]));
        model.Blocks.Add(new TableBlock(["layer", "op", "output shape", "parameters", "receptive field"],
            Enumerable.Range(0, 60).Select(i => (IReadOnlyList<string>)[$"conv{i}", i % 3 == 0 ? "Conv" : "Relu", $"[-1,64,{112 >> (i / 15)},{112 >> (i / 15)}]", (i * 1000).ToString(), (3 + 2 * i).ToString()]).ToList(),
            "Every layer"));
        report.Sections.Add(model);

        var filters = new ReportSection("filters", "Filters") { Introduction = "First-layer filters as RGB tiles.", Seconds = 1.5 };
        filters.Blocks.Add(new FigureBlock(Figure(320, 160, 1), "conv1: 64 filters"));
        filters.Notes.Add("2 dead filters in conv1: 17, 40");
        report.Sections.Add(filters);

        var activations = new ReportSection("activations", "First-layer activation maps") { Introduction = "What the first layer responds to.", Seconds = 2.25 };
        activations.Blocks.Add(new FigureBlock(Figure(400, 120, 2), "activations of image 3"));
        report.Sections.Add(activations);

        var embedding = new ReportSection("embedding", "Embedding space") { Introduction = "Nearest neighbours and a t-SNE map of the embedding.", Seconds = 12.5 };
        embedding.Blocks.Add(new GalleryBlock(
            Enumerable.Range(0, 3).Select(q => new GalleryRow($"query {q}, label {q}",
                [new GalleryTile(Thumbnail(q, 0), "query"), .. Enumerable.Range(1, 5).Select(k => new GalleryTile(Thumbnail(k == 3 ? q + 1 : q, k), $"d={0.1 * k:0.0}", k == 3 ? "bad" : "good"))])).ToList(),
            "Nearest neighbours"));
        embedding.Blocks.Add(new MetricsBlock([new("kNN accuracy", "0.93")]));
        embedding.Blocks.Add(new ScatterBlock(Points(scatterPoints, classes), "label", "t-SNE of the embedding"));
        report.Sections.Add(embedding);

        var investigation = new ReportSection("investigation", "Activation investigation") { Introduction = "Top patches per channel.", Seconds = 3 };
        investigation.Blocks.Add(new TextBlock("Patches that activate each channel most.\nOne row a channel."));
        investigation.Blocks.Add(new FigureBlock(Figure(200, 200, 3), "layer3 top patches"));
        report.Sections.Add(investigation);

        var decisions = new ReportSection("decisions", "Decisions") { Introduction = "Confusion matrix and attributions.", Seconds = 75 };
        decisions.Blocks.Add(new TableBlock(["", .. Enumerable.Range(0, classes).Select(c => c.ToString())],
            Enumerable.Range(0, classes).Select(r => (IReadOnlyList<string>)[r.ToString(), .. Enumerable.Range(0, classes).Select(c => (r == c ? 27 : (r + c) % 3).ToString())]).ToList(),
            "Confusion matrix (rows: label, columns: prediction)"));
        report.Sections.Add(decisions);

        var sanity = new ReportSection("sanity", "Sanity checks " + Hostile) { Introduction = "Gradient check. " + Hostile, Seconds = 0 };
        sanity.Notes.Add(new ReportNote("skipped: the randomization test needs labels " + Hostile, new SectionSkip("randomization", "needs labels")));
        sanity.Blocks.Add(new TextBlock(Hostile));
        sanity.Blocks.Add(new TableBlock(["check", Hostile], [["gradient", Hostile]], Hostile));
        sanity.Blocks.Add(new GalleryBlock([new GalleryRow(Hostile, [new GalleryTile(Thumbnail(0, 0), Hostile, "good")])], Hostile));
        sanity.Blocks.Add(new MetricsBlock([new(Hostile, Hostile)]));
        report.Sections.Add(sanity);

        var summary = new ReportSummary
        {
            Rows = scatterPoints,
            Model = new ModelSummary
            {
                Source = "synthetic",
                Layers = Enumerable.Range(0, 3).Select(i => new LayerSummary { Name = $"conv{i}", Op = "Conv", OutputShape = [-1, 64, 56, 56], Parameters = 1000 * i }).ToList(),
            },
            Classifier = new ClassifierSummary { Accuracy = 0.92, Classes = Enumerable.Range(0, classes).Select(c => c.ToString()).ToList(), Source = "head" },
            Embedding = new EmbeddingSummary { Layer = "pool5", Dimension = 512, KnnAccuracy = 0.93 },
            Tsne = new TsneSummary { Points = scatterPoints, Trustworthiness = 0.97, KnnAccuracy2d = 0.9 },
            Filters = [new FilterSummary { Layer = "conv1", Filters = 64, Dead = [17, 40] }],
            TopPatches = [new TopPatchesSummary { Layer = "layer3", Channels = [1, 2], K = 9 }],
            ClassVisualizations = [new ClassVisualizationSummary { Class = "3", ScoreStart = 0.1, ScoreEnd = 9.5 }],
            Attributions = [new AttributionSummary { Method = "gradcam", Images = 8 }],
            Sanity = new SanitySummary { GradientRelativeError = 3.6e-4, RandomizationSpearman = 0.05 },
            Timings = report.Sections.ToDictionary(section => section.Id, section => section.Seconds),
            Skipped = new Dictionary<string, string> { ["randomization"] = "needs labels" },
        };
        // the summary is made whole: the report takes it when made, with the sections built above
        var whole = new DiagnosticReport { Title = report.Title, CreatedUtc = report.CreatedUtc, Summary = summary };
        whole.Sections.AddRange(report.Sections);
        return whole;
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
