using MLNet.CnnDiagnostics.Scans;

namespace MLNet.CnnDiagnostics.Cli;

/// <summary><c>cnndiag merge</c>: combines finished scans of disjoint shards into one scan folder, byte-identical to a single pass.</summary>
internal sealed class MergeVerb : Verb
{
    public override string Name => "merge";

    public override string Summary => "merge the scan folders of shards (cnndiag scan --shard i/n) into one, identical to a single scan";

    public override IReadOnlyList<OptionSpec> Options =>
    [
        OptionSpec.Required("scans", "DIR...", "the finished scan folders to merge; the folders may also be given without --scans, as in: cnndiag merge s0 s1 --out all"),
        OptionSpec.Required("out", "DIR", "the merged scan folder: must not exist or be empty"),
    ];

    public override string? Positional => "scans";

    public override string Notes => "Example: cnndiag merge s0 s1 s2 s3 --out all. Shards of one dataset may be merged in any order and in steps.";

    public override int Run(CommandLine line, Terminal terminal)
    {
        var scans = line.List("scans") ?? throw new UsageException("option '--scans' is required for 'merge'.");
        string output = line.RequiredString("out");
        foreach (var scan in scans)
            if (!Directory.Exists(scan)) throw new UsageException($"'--scans {scan}': the folder does not exist; give folders written by 'cnndiag scan'.");
        if (scans.Distinct().Count() != scans.Count) throw new UsageException($"'--scans' names a folder twice ({string.Join(" ", scans)}); give each shard once.");
        var state = ScanMerge.Merge(scans, output);
        terminal.Out.WriteLine(Terminal.Escape($"scan: {Path.GetFullPath(output)}"));
        terminal.Error.WriteLine($"{state.Rows} images, {state.Skipped.Count} skipped; shards {(state.Header.ShardCount == 1 ? "all" : string.Join(",", state.Shards) + "/" + state.Header.ShardCount)}.");
        return CnnDiag.Success;
    }
}
