using MLNet.CnnDiagnostics.Analysis;

namespace MLNet.CnnDiagnostics.Cli;

/// <summary><c>cnndiag tsne</c>: t-SNE of a numeric CSV (one row a point, an optional label column) to x,y(,label) rows.</summary>
internal sealed class TsneVerb : Verb
{
    public override string Name => "tsne";

    public override string Summary => "project the rows of a numeric CSV to 2-D with t-SNE";

    public override IReadOnlyList<OptionSpec> Options =>
    [
        OptionSpec.Required("input", "FILE.csv", "points, one row each, comma-separated, optional header"),
        OptionSpec.Required("out", "FILE.csv", "the layout to write: x,y per row, plus the label when there is one"),
        OptionSpec.Value("perplexity", "P", "effective number of neighbours (default 30; below a third of the row count)"),
        OptionSpec.Value("seed", "S", "random seed (default 0)"),
        OptionSpec.Value("labels-column", "K", "the label column: its header name or its number counting from 1 (default: the one non-numeric column, if any)"),
    ];

    public override string Notes => "Rows keep their order. Defaults follow openTSNE: PCA initialisation, early exaggeration 12 for 250 iterations, then 500 iterations.";

    public override int Run(CommandLine line, Terminal terminal)
    {
        string input = line.RequiredString("input");
        if (Directory.Exists(input))
            throw new UsageException($"'--input {input}' is a folder; give a CSV file of points.");
        if (!File.Exists(input))
            throw new UsageException($"'--input {input}': the file does not exist; give a CSV file of points.");
        string outArg = line.RequiredString("out");
        string output = OutputFile.Check("out", outArg, [".csv"]);
        OutputFile.CheckNotAnInput("out", outArg, [output], line, "input");
        double perplexity = line.Double("perplexity", 1, 1e6) ?? 30;
        if (perplexity <= 1) throw new UsageException($"'--perplexity {perplexity}' is not valid; it must be above 1 (30 by default, 5 to 50 is usual).");
        int seed = line.Int("seed", int.MinValue) ?? 0;
        var csv = PointsCsv.Read(input, line.String("labels-column"));
        int n = csv.Points.Shape[0];
        if (n < MinRows)
            throw new UsageException($"'--input {input}' has {n} data row{(n == 1 ? "" : "s")}; t-SNE needs at least {MinRows}: each point needs more than 3·perplexity neighbours, and the perplexity must be above 1.");
        if (3 * perplexity > n - 1)
            throw new UsageException($"'--perplexity {perplexity}' is too large for {n} points: each point needs 3·perplexity neighbours, so the perplexity can be at most {Math.Floor((n - 1) / 3.0 * 100) / 100}.");

        using var bar = terminal.NewProgressBar();
        IProgress<TsneProgress>? progress = bar is null ? null : new TsneProgressAdapter(bar);
        var embedding = new Tsne(new TsneOptions { Perplexity = perplexity, Seed = seed }).Fit(csv.Points, progress);
        bar?.Dispose();
        OutputFile.Write(output, s => PointsCsv.Write(s, embedding.Coordinates, csv.Labels, csv.LabelHeader));
        terminal.Out.WriteLine($"t-SNE of {n} points × {csv.Points.Shape[1]} dimensions (perplexity {perplexity}, KL divergence {embedding.KlDivergence:F3}): {output}");
        return CnnDiag.Success;
    }

    // 3·perplexity ≤ n - 1 with perplexity > 1 needs n - 1 > 3
    private const int MinRows = 5;

    private sealed class TsneProgressAdapter(IProgress<DiagnosticsProgress> target) : IProgress<TsneProgress>
    {
        public void Report(TsneProgress value) => target.Report(new DiagnosticsProgress($"t-SNE {value.Phase}", value.Iteration, value.Iterations));
    }
}
