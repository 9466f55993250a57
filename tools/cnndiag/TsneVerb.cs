namespace MLNet.CnnDiagnostics.Cli;

/// <summary><c>cnndiag tsne</c>: t-SNE of a numeric CSV (placeholder until the library's t-SNE is merged).</summary>
internal sealed class TsneVerb : Verb
{
    public override string Name => "tsne";

    public override string Summary => "project the rows of a numeric CSV to 2-D with t-SNE";

    public override IReadOnlyList<OptionSpec> Options =>
    [
        OptionSpec.Value("input", "FILE.csv", "points, one row each (required)"),
        OptionSpec.Value("out", "FILE.csv", "x,y(,label) per row (required)"),
    ];

    public override int Run(CommandLine line, Terminal terminal) => throw new CnnDiagnosticsException("t-SNE is not available in this build.");
}
